/**
 * What a Notifier throws from updateApproval when the chat service answered that this message
 * can never be redrawn as things stand (the channel is gone or closed to the app, the message may
 * no longer be edited, the app's token lost its rights): asking again cannot help, so callers
 * stop at once. Any other error may pass on a later try.
 */
export class PermanentRedrawError extends Error {
  /** @param code the service's own name for the refusal, e.g. Slack's `channel_not_found`. */
  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`the message cannot be redrawn: ${code}`, options);
    this.name = 'PermanentRedrawError';
  }
}

export function isPermanentRedrawError(err: unknown): err is PermanentRedrawError {
  return err instanceof PermanentRedrawError;
}
