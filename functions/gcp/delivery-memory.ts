import type { Logger } from './log';

/**
 * Pub/Sub delivers at least once: the same message (same `messageId`) can arrive again after it
 * was handled (an acknowledgement lost on the way back, a push that outlived its deadline), or
 * twice at the same time. Each function instance remembers the message ids it has handled, so
 * that a repeat is acknowledged without a second audit and a second report (from which the
 * hub could plan and dispatch the same remediation again), and a repeat that arrives while the
 * first is still running waits for that run's outcome instead of starting its own.
 *
 * The memory is per instance, so a repeat that lands on another instance still runs: what
 * keeps a remediation from being applied twice there is the hub's idempotency on the trigger's
 * eventId (the messageId) and the resourceVersion precondition of every change.
 */
export class DeliveryMemory {
  private readonly handled = new Map<string, string>();
  private readonly running = new Map<string, Promise<void>>();

  /** `capacity`: how many handled ids to keep; the oldest are forgotten first. */
  constructor(private readonly capacity = 5000) {}

  /**
   * Runs `handle` for the first delivery of `messageId`. A failed run is not remembered: Pub/Sub
   * redelivers it, and the redelivery must run again.
   */
  async once(messageId: string, log: Logger, handle: () => Promise<void>): Promise<void> {
    const when = this.handled.get(messageId);
    if (when !== undefined) {
      log.info(`ignored: duplicate delivery of message ${messageId}, already handled at ${when}`, { messageId, duplicate: true });
      return;
    }
    const inFlight = this.running.get(messageId);
    if (inFlight) {
      log.info(`duplicate delivery of message ${messageId} while it is being handled: waiting for that run`, { messageId, duplicate: true });
      // Its failure fails this delivery too, so Pub/Sub keeps the message.
      return inFlight;
    }
    const run = handle();
    this.running.set(messageId, run);
    try {
      await run;
      this.remember(messageId);
    } finally {
      this.running.delete(messageId);
    }
  }

  private remember(messageId: string): void {
    this.handled.set(messageId, new Date().toISOString());
    if (this.handled.size <= this.capacity) return;
    const oldest = this.handled.keys().next().value;
    if (oldest !== undefined) this.handled.delete(oldest);
  }
}
