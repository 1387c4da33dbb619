/**
 * Message timestamps in Slack's `ts` format: Unix seconds, a dot, six digits
 * (`1795186890.000200`). Slack uses `ts` as the message id within a channel, so every
 * value handed out here is unique and strictly greater than the one before, even when
 * many messages land within the same second or the clock stands still.
 */
export class SlackTimestampClock {
  private lastSeconds = 0;
  private lastFraction = 0;

  constructor(private readonly nowMillis: () => number = Date.now) {}

  next(): string {
    const seconds = Math.floor(this.nowMillis() / 1000);
    if (seconds > this.lastSeconds) {
      this.lastSeconds = seconds;
      this.lastFraction = FRACTION_STEP;
    } else {
      this.lastFraction += FRACTION_STEP;
      if (this.lastFraction > MAX_FRACTION) {
        this.lastSeconds += 1;
        this.lastFraction = FRACTION_STEP;
      }
    }
    return `${this.lastSeconds}.${String(this.lastFraction).padStart(6, '0')}`;
  }
}

// Steps of 100 give the `.000100`, `.000200` look of real timestamps.
const FRACTION_STEP = 100;
const MAX_FRACTION = 999_999;

