/**
 * Structured logs for Cloud Logging: one JSON object per stdout line. The logging agent of
 * Cloud Run functions reads `severity` and `message` from it and keeps every other key in
 * `jsonPayload` (Cloud Logging "Structured logging", special JSON fields).
 */

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  notice(message: string, fields?: Record<string, unknown>): void;
  warning(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` (e.g. the event id) to every line. */
  with(fields: Record<string, unknown>): Logger;
}

/** Writes one JSON line per call through `write` (default: stdout). */
export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`), base: Record<string, unknown> = {}): Logger {
  const emit = (severity: Severity) => (message: string, fields: Record<string, unknown> = {}) => {
    write(JSON.stringify({ severity, message, component: 'meshgov-agent', ...base, ...fields }, errorsAsObjects));
  };
  return {
    debug: emit('DEBUG'),
    info: emit('INFO'),
    notice: emit('NOTICE'),
    warning: emit('WARNING'),
    error: emit('ERROR'),
    with: (fields) => jsonLogger(write, { ...base, ...fields }),
  };
}

// JSON.stringify writes an Error as `{}`; keep what a person needs to act on it. Duck-typed,
// since errors from fetch or the Kubernetes client may come from another realm.
function errorsAsObjects(_key: string, value: unknown): unknown {
  if (!isErrorLike(value)) return value;
  const extra = value as { code?: unknown; setting?: unknown; cause?: unknown };
  return {
    name: value.name,
    message: value.message,
    ...(extra.code === undefined ? {} : { code: extra.code }),
    ...(extra.setting === undefined ? {} : { setting: extra.setting }),
    ...(extra.cause === undefined ? {} : { cause: String(extra.cause) }),
  };
}

function isErrorLike(value: unknown): value is { name: string; message: string } {
  return value instanceof Error || (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string' && typeof (value as { stack?: unknown }).stack === 'string');
}
