import type { Logger } from './log';

/**
 * A Pub/Sub message the agent cannot read (not a Pub/Sub CloudEvent, data that is not base64
 * JSON, a required field missing or wrong). It is thrown, not acknowledged: the function answers
 * non-2xx, Pub/Sub redelivers the message and, after the subscription's maximum delivery attempts
 * (deploy-agent.sh), moves it to the dead-letter topic, where a person sees it. Nothing is lost.
 */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';

  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`malformed message: ${field} ${problem}`);
  }
}

/**
 * Logs one ERROR line naming the field (`what` says what could not be read: "malformed event",
 * "malformed audit log entry", …) and throws MalformedMessageError.
 */
export function rejectMalformed(log: Logger, what: string, field: string, problem: string, fields: Record<string, unknown> = {}): never {
  log.error(`${what}, not acknowledged: ${field} ${problem}; failing so that Pub/Sub redelivers it, then dead-letters it`, { ...fields, field, ack: false });
  throw new MalformedMessageError(field, problem);
}
