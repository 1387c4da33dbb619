import { TokenBucket } from '../../support/token-bucket';
import { AppMeshError, errorNameForStatus, isEmulatorErrorName, type EmulatorErrorName } from './appMeshErrors';
import type { OperationName } from './operationNames';

/** `'*'` matches every operation. */
export type OperationSelector = OperationName | '*';

export interface ThrottleOptions {
  /** Sustained requests per second. */
  rps: number;
  /** Calls allowed at once after a quiet period. */
  burst: number;
  /** Limit only these operations (they share one bucket); all operations when omitted. */
  operations?: OperationName[];
}

interface ScriptedFailure {
  operation: OperationSelector;
  errorName: EmulatorErrorName;
  remaining: number;
  message?: string;
}

interface AfterHook {
  operation: OperationSelector;
  run: () => void;
}

/**
 * The faults a test can inject: throttling by a token bucket, a queue of scripted failures,
 * added latency, and hooks that run after a call (used to change a resource between a
 * caller's read and its write).
 */
export class FaultInjector {
  private failures: ScriptedFailure[] = [];
  private afterHooks: AfterHook[] = [];
  private latencyByOperation = new Map<OperationSelector, number>();
  private throttle: { bucket: TokenBucket; operations?: Set<OperationName> } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  setThrottle(options: ThrottleOptions | null): void {
    this.throttle = options
      ? {
          bucket: new TokenBucket({ rps: options.rps, burst: options.burst, now: this.now }),
          operations: options.operations ? new Set(options.operations) : undefined,
        }
      : undefined;
  }

  /** The next `count` calls of `operation` fail with this status (or named error, IAM's AccessDeniedException included). */
  failNext(operation: OperationSelector, statusOrError: number | EmulatorErrorName, count = 1, message?: string): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
    const errorName = typeof statusOrError === 'number' ? errorNameForStatus(statusOrError) : statusOrError;
    if (!isEmulatorErrorName(errorName)) throw new RangeError(`unknown App Mesh error ${String(errorName)}`);
    this.failures.push({ operation, errorName, remaining: count, message });
  }

  setLatency(ms: number, operation: OperationSelector = '*'): void {
    if (!(ms >= 0)) throw new RangeError(`latency must be >= 0 ms, got ${ms}`);
    this.latencyByOperation.set(operation, ms);
  }

  afterNext(operation: OperationSelector, run: () => void): void {
    this.afterHooks.push({ operation, run });
  }

  latencyFor(operation: OperationName): number {
    return this.latencyByOperation.get(operation) ?? this.latencyByOperation.get('*') ?? 0;
  }

  /** Throws the error this call must fail with: throttling first, then a scripted failure. */
  checkBeforeCall(operation: OperationName): void {
    const throttle = this.throttle;
    if (throttle && (!throttle.operations || throttle.operations.has(operation)) && !throttle.bucket.tryTake()) {
      throw new AppMeshError('TooManyRequestsException', 'Rate exceeded');
    }
    const failure = this.failures.find((f) => f.remaining > 0 && matches(f.operation, operation));
    if (failure) {
      failure.remaining -= 1;
      this.failures = this.failures.filter((f) => f.remaining > 0);
      throw new AppMeshError(failure.errorName, failure.message ?? defaultMessage(failure.errorName));
    }
  }

  /** Runs (once) every hook waiting for a successful call of this operation. */
  runAfterHooks(operation: OperationName): void {
    const due = this.afterHooks.filter((h) => matches(h.operation, operation));
    this.afterHooks = this.afterHooks.filter((h) => !matches(h.operation, operation));
    for (const hook of due) hook.run();
  }

  /** Scripted failures not yet consumed. */
  pendingFailures(): number {
    return this.failures.reduce((n, f) => n + f.remaining, 0);
  }

  clear(): void {
    this.failures = [];
    this.afterHooks = [];
    this.latencyByOperation.clear();
    this.throttle = undefined;
  }
}

function matches(selector: OperationSelector, operation: OperationName): boolean {
  return selector === '*' || selector === operation;
}

function defaultMessage(errorName: EmulatorErrorName): string {
  switch (errorName) {
    case 'ServiceUnavailableException':
      return 'The request has failed due to a temporary failure of the service.';
    case 'InternalServerErrorException':
      return 'The request has failed due to a temporary failure of the service.';
    case 'TooManyRequestsException':
      return 'Rate exceeded';
    default:
      return `Injected ${errorName}`;
  }
}
