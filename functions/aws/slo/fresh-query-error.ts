/**
 * The fresh burn query failed (CloudWatch unreachable or throttled): the event itself is fine, so
 * this is not an EventError; the invocation fails and Lambda's asynchronous retry runs it again.
 */
export class FreshQueryError extends Error {
  override readonly name = 'FreshQueryError';

  constructor(
    message: string,
    readonly eventId: string,
  ) {
    super(`fresh query: ${message}`);
  }
}
