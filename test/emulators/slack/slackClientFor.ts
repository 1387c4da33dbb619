import { LogLevel, type RetryOptions, WebClient, type WebClientOptions } from '@slack/web-api';
import type { SlackEmulator } from './types';

/**
 * A short retry policy for tests. The client's default (`tenRetriesInAboutThirtyMinutes`)
 * would keep a failing test alive for half an hour. Option names are those of the
 * `retry` package that `@slack/web-api` 8 hands its `retryConfig` to via p-retry.
 */
export const FAST_RETRY_CONFIG: RetryOptions = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 };

/**
 * A real `@slack/web-api` WebClient pointed at the emulator, with the fast retry policy
 * and the emulator's valid token unless the caller overrides them.
 */
export function slackClientFor(
  emulator: SlackEmulator,
  token: string = emulator.token,
  options: WebClientOptions = {},
): WebClient {
  return new WebClient(token, {
    slackApiUrl: `${emulator.url}/api/`,
    retryConfig: FAST_RETRY_CONFIG,
    // The client warns on every retried request; tests assert on outcomes instead.
    logLevel: LogLevel.ERROR,
    ...options,
  });
}
