/**
 * A system error as one short reason, `EISDIR: illegal operation on a directory`, without the
 * syscall and path Node appends to its message (the caller names the path itself).
 */
export function systemErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = (e instanceof Error ? e.message : String(err)).replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '');
  return e?.code ? `${e.code}: ${text}` : text;
}
