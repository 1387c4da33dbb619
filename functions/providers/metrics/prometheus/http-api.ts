/**
 * The Prometheus HTTP API's instant query (`POST /api/v1/query`, form-encoded `query` and
 * `time`), as Prometheus and Google Managed Service for Prometheus answer it:
 * `{ status: "success", data: { resultType: "vector", result: [{ metric, value: [t, "v"] }] } }`
 * or `{ status: "error", errorType, error }` (prometheus.io, "HTTP API"); Managed Prometheus'
 * front end refuses auth and quota with Google's `{ error: { code, message, status } }`.
 */

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
}>;

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

export class PrometheusQueryError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorType?: string,
  ) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

export interface InstantQueryOptions {
  fetch?: FetchLike;
  /** Extra headers per request, e.g. `Authorization: Bearer …` for Managed Prometheus. */
  headers?: () => Promise<Record<string, string>> | Record<string, string>;
  timeoutMs?: number;
}

/** The `…/api/v1/query` URL under a base such as `http://127.0.0.1:9090` or a GMP frontend path. */
export function queryEndpoint(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/v1/query`;
}

/** Runs one instant query at `at`; throws PrometheusQueryError with the server's own reason. */
export async function instantQuery(baseUrl: string, query: string, at: Date, options: InstantQueryOptions = {}): Promise<InstantSample[]> {
  const doFetch = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const body = new URLSearchParams({ query, time: (at.getTime() / 1000).toFixed(3) }).toString();
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...(await options.headers?.()) };
  const response = await doFetch(queryEndpoint(baseUrl), { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PrometheusQueryError(`${queryEndpoint(baseUrl)} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`, response.status);
  }
  const answer = parsed as { status?: string; errorType?: string; error?: unknown; data?: { resultType?: string; result?: unknown } };
  if (answer.status !== 'success') {
    const google = googleError(answer.error);
    if (google) {
      throw new PrometheusQueryError(`Prometheus refused the query (${google.status ?? 'error'}, HTTP ${response.status}): ${google.message ?? text.slice(0, 200)}`, response.status, google.status);
    }
    const reason = typeof answer.error === 'string' ? answer.error : text.slice(0, 200);
    throw new PrometheusQueryError(`Prometheus refused the query (${answer.errorType ?? `HTTP ${response.status}`}): ${reason}`, response.status, answer.errorType);
  }
  if (answer.data?.resultType !== 'vector' || !Array.isArray(answer.data.result)) {
    throw new PrometheusQueryError(`expected a vector result, got ${answer.data?.resultType ?? 'nothing'}`, response.status);
  }
  return (answer.data.result as Array<{ metric?: Record<string, string>; value?: [number, string] }>).map((r) => ({
    metric: r.metric ?? {},
    value: Number(r.value?.[1]),
  }));
}

/**
 * Managed Prometheus sits behind Google's API front end, which refuses a missing IAM role, an
 * expired token or a spent quota with Google's error body, `{error: {code, message, status}}`,
 * not Prometheus' `{status: "error", error: "<text>"}`.
 */
function googleError(error: unknown): { message?: string; status?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { message, status } = error as { message?: unknown; status?: unknown };
  return { ...(typeof message === 'string' ? { message } : {}), ...(typeof status === 'string' ? { status } : {}) };
}
