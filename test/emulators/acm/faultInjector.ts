import { TokenBucket } from '../../support/token-bucket';
import { AwsJsonError, awsJsonError, errorNameForStatus, statusOfError, type AcmService } from './awsJsonErrors';
import type { OperationName } from './operationTargets';

/** `'*'` matches every operation. */
export type OperationSelector = OperationName | '*';

export interface ThrottleOptions {
  /** Sustained requests per second. */
  rps: number;
  /** Requests allowed at once after a quiet period. */
  burst: number;
  /** Limit only these operations (one shared bucket); every operation when omitted. */
  operations?: OperationName[];
}

interface ScriptedFailure {
  operation: OperationSelector;
  statusOrError: number | string;
  remaining: number;
  message?: string;
}

/** The faults a test can inject: a throttle, a queue of scripted failures, and latency. */
export class FaultInjector {
  private failures: ScriptedFailure[] = [];
  private latency = new Map<OperationSelector, number>();
  private throttle: { bucket: TokenBucket; operations?: Set<OperationName> } | undefined;

  constructor(private readonly now: () => number) {}

  setThrottle(options: ThrottleOptions | null): void {
    this.throttle = options
      ? { bucket: new TokenBucket({ rps: options.rps, burst: options.burst, now: this.now }), operations: options.operations ? new Set(options.operations) : undefined }
      : undefined;
  }

  /** The next `count` calls of `operation` fail with this HTTP status (400, 403, 500, 503) or error name. */
  failNext(operation: OperationSelector, statusOrError: number | string, count = 1, message?: string): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
    if (typeof statusOrError === 'number') errorNameForStatus(statusOrError);
    else if (statusOfError('acm', statusOrError) === undefined && statusOfError('acm-pca', statusOrError) === undefined) {
      throw new RangeError(`neither ACM nor ACM-PCA sends ${statusOrError}`);
    }
    this.failures.push({ operation, statusOrError, remaining: count, message });
  }

  setLatency(ms: number, operation: OperationSelector = '*'): void {
    if (!(ms >= 0)) throw new RangeError(`latency must be >= 0 ms, got ${ms}`);
    this.latency.set(operation, ms);
  }

  latencyFor(operation: OperationName): number {
    return this.latency.get(operation) ?? this.latency.get('*') ?? 0;
  }

  /** A throttling error when the bucket is empty for this operation. */
  throttled(service: AcmService, operation: OperationName): AwsJsonError | undefined {
    const throttle = this.throttle;
    if (!throttle || (throttle.operations && !throttle.operations.has(operation))) return undefined;
    return throttle.bucket.tryTake() ? undefined : awsJsonError(service, 'ThrottlingException', 'Rate exceeded');
  }

  /** The scripted failure for this call, consuming it. */
  scripted(service: AcmService, operation: OperationName): AwsJsonError | undefined {
    const index = this.failures.findIndex((f) => f.operation === operation || f.operation === '*');
    if (index < 0) return undefined;
    const failure = this.failures[index];
    failure.remaining -= 1;
    if (failure.remaining === 0) this.failures.splice(index, 1);
    const name = typeof failure.statusOrError === 'number' ? errorNameForStatus(failure.statusOrError) : failure.statusOrError;
    // A name only the other service models still goes out with its status, as a test asked for it.
    const status = statusOfError(service, name) ?? statusOfError(service === 'acm' ? 'acm-pca' : 'acm', name) ?? 400;
    return new AwsJsonError(name, status, failure.message ?? defaultMessage(name));
  }

  reset(): void {
    this.failures = [];
    this.latency.clear();
    this.throttle = undefined;
  }
}

function defaultMessage(errorName: string): string {
  switch (errorName) {
    case 'ThrottlingException':
      return 'Rate exceeded';
    case 'InternalFailure':
      return 'The request processing has failed because of an unknown error, exception or failure.';
    case 'ServiceUnavailable':
      return 'The request has failed due to a temporary failure of the server.';
    case 'AccessDeniedException':
      return 'User is not authorized to perform this action';
    default:
      return `${errorName} (scripted by the test)`;
  }
}
