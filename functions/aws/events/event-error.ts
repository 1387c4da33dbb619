/**
 * An event that cannot be processed: malformed, or of a kind meshgov does not know. It names
 * the field, so the log line and the dead-letter message say exactly what was wrong.
 */
export class EventError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly eventId?: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'EventError';
  }
}
