/** An error as one line for the ledger and the log. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The message with its causes' codes: a network failure alone says "fetch failed", not ECONNREFUSED or ETIMEDOUT. */
export function errorTextWithCauses(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const codes: string[] = [];
  let cause: unknown = (err as { original?: unknown }).original ?? err.cause;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    cause = (cause as { cause?: unknown }).cause;
  }
  return codes.length > 0 ? `${err.message} (${codes.join(', ')})` : err.message;
}
