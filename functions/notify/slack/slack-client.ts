import { LogLevel, WebClient, type RetryOptions } from '@slack/web-api';

/** CONTRACT.md: the Web API base URL; tests point it at the Slack emulator. */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/**
 * A bounded retry policy (option names of the `retry` package that @slack/web-api hands
 * `retryConfig` to): 3 retries within about 10 s. The client's default keeps retrying for
 * about 30 minutes, longer than any Lambda runs; a notification that still fails stays owed in
 * the ledger and a later run sends it. A 429 is retried by the client after the `Retry-After`
 * it carries (rejectRateLimitedCalls stays false), and each such wait counts as one retry.
 */
export const BOUNDED_RETRY_CONFIG: RetryOptions = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 4_000, randomize: true };

/**
 * The interactivity endpoint must answer Slack within 3 s (Slack shows the clicker an error
 * otherwise), so its calls are not retried: a failure refuses the click with "try again".
 */
export const INTERACTIVE_RETRY_CONFIG: RetryOptions = { retries: 0 };

export interface SlackClientOptions {
  token: string;
  /** MESHGOV_SLACK_API_URL; Slack's own API when unset. */
  apiUrl?: string;
  retryConfig?: RetryOptions;
  /** Per-attempt timeout in ms (default 10 s), so a hung connection does not hold a Lambda. */
  timeoutMs?: number;
  /**
   * Fail a rate-limited call at once instead of waiting out its Retry-After. Only for the
   * interactivity endpoint's 3-second budget; everything else waits, as Slack asks.
   */
  rejectRateLimitedCalls?: boolean;
}

/** A WebClient for meshgov's bot token, with a bounded retry policy and a timeout per request. */
export function createSlackClient(options: SlackClientOptions): WebClient {
  return new WebClient(options.token, {
    slackApiUrl: withTrailingSlash(options.apiUrl ?? DEFAULT_SLACK_API_URL),
    retryConfig: options.retryConfig ?? BOUNDED_RETRY_CONFIG,
    timeout: options.timeoutMs ?? 10_000,
    rejectRateLimitedCalls: options.rejectRateLimitedCalls ?? false,
    logLevel: LogLevel.ERROR,
  });
}

/** The client joins method names onto the URL, so `…/api` must end in a slash. */
function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
