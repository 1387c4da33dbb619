/** Whether a parsed JSON or YAML value is an object with keys: not null and not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The same test, for readers that read the fields of parsed input loosely (`any`). */
export const isLooseRecord: (value: unknown) => value is Record<string, any> = isRecord;
