/**
 * How a failed describe call is told apart: a fact about the ARN (it names nothing, it is
 * malformed, we may not read it), reported as a problem; or a passing condition of the service
 * (throttling, 5xx, the network) that outlived the SDK's retries, which a retry of the whole
 * run may get past.
 */

/** The error names the SDK's retry strategy treats as throttling (@smithy/service-error-classification THROTTLING_ERROR_CODES). */
const THROTTLING_NAMES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

export interface AwsErrorFacts {
  name: string;
  message: string;
  status?: number;
  /** True when retrying later may succeed. */
  transient: boolean;
}

export function awsErrorFacts(err: unknown): AwsErrorFacts {
  const e = (err ?? {}) as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown }; $retryable?: unknown };
  const name = typeof e.name === 'string' && e.name ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  // No HTTP status at all: the request never got an answer (connection refused, reset, timeout).
  const transient = status === undefined || status >= 500 || status === 429 || THROTTLING_NAMES.has(name) || Boolean(e.$retryable);
  return { name, message, ...(status !== undefined ? { status } : {}), transient };
}
