import { DEFAULT_RETRY_POLICY, isRetryableNetworkError, isRetryableStatus, parseRetryAfter, retryDelayMs } from './retry-policy';

test('Retry-After in seconds or as an HTTP-date', () => {
  const now = Date.parse('2026-11-20T14:47:12Z');
  expect(parseRetryAfter('3', now)).toBe(3000);
  expect(parseRetryAfter('Fri, 20 Nov 2026 14:47:20 GMT', now)).toBe(8000);
  expect(parseRetryAfter('Fri, 20 Nov 2026 14:47:00 GMT', now)).toBe(0);
  expect(parseRetryAfter(undefined, now)).toBeUndefined();
  expect(parseRetryAfter('soon', now)).toBeUndefined();
});

test('the server asked wait wins, within a bound; otherwise full-jitter doubling up to the cap', () => {
  expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, 2000)).toBe(2000);
  expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, 600_000)).toBe(DEFAULT_RETRY_POLICY.maxRetryAfterMs);
  expect([1, 2, 3, 10].map((attempt) => retryDelayMs(attempt, DEFAULT_RETRY_POLICY, undefined, () => 0.999_999))).toEqual([250, 500, 1000, 8000]);
  expect(retryDelayMs(4, DEFAULT_RETRY_POLICY, undefined, () => 0)).toBe(0);
});

test('what is worth another try', () => {
  expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
  expect([400, 401, 403, 404, 409, 410, 422].some(isRetryableStatus)).toBe(false);
  expect(isRetryableNetworkError('ECONNRESET')).toBe(true);
  expect(isRetryableNetworkError('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toBe(false);
});
