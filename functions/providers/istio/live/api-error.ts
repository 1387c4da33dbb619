/**
 * A failed call to the Kubernetes API, as a value the caller can act on: the HTTP status, the
 * Status `reason` (NotFound, Conflict, AlreadyExists, Expired, TooManyRequests, …) and the
 * request that failed. Network failures carry status 0.
 */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    /** meta/v1 Status.reason, or the network error code (ECONNREFUSED, …). */
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
    /** How many times the request was sent before giving up. */
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  /** `PATCH /apis/…: 409 Conflict: Operation cannot be fulfilled …` */
  describe(): string {
    return `${this.method} ${this.path}: ${this.status === 0 ? this.reason : `${this.status} ${this.reason}`}: ${this.message}`;
  }
}

export function isKubeApiError(error: unknown, status?: number): error is KubeApiError {
  return error instanceof KubeApiError && (status === undefined || error.status === status);
}

/** The Status body of an error answer, read leniently: proxies in front of the API server may send HTML. */
export function errorFromResponse(status: number, bodyText: string, method: string, path: string, attempts: number): KubeApiError {
  let reason = '';
  let message = bodyText.slice(0, 300);
  try {
    const parsed = JSON.parse(bodyText) as { kind?: string; reason?: string; message?: string };
    if (parsed && parsed.kind === 'Status') {
      reason = parsed.reason ?? '';
      message = parsed.message ?? message;
    }
  } catch {
    // Not JSON: keep the text.
  }
  return new KubeApiError(status, reason || `HTTP ${status}`, message, method, path, attempts);
}
