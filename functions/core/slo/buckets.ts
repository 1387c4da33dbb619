/**
 * Histogram bucket boundaries. A latency threshold can only be measured exactly at a bucket's
 * upper bound: the `le` bucket counts requests at or under it, and nothing tells how the
 * requests inside a bucket spread. So a threshold between two boundaries is refused, not
 * interpolated.
 */

/**
 * Istio's default buckets for `istio_request_duration_milliseconds` (istio/proxy,
 * source/extensions/filters/http/istio_stats: the stat prefix's default histogram buckets).
 */
export const ISTIO_DEFAULT_BUCKETS_MS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];

export function isBucketBoundary(thresholdMs: number, buckets: readonly number[]): boolean {
  return buckets.includes(thresholdMs);
}

/**
 * The boundaries around a value, for an error message: `…, 250, 500, …` shows the two a
 * threshold of 300 falls between (the whole list when it is short).
 */
export function boundariesAround(value: number, buckets: readonly number[]): string {
  const sorted = [...buckets].sort((a, b) => a - b);
  if (sorted.length <= 6) return sorted.join(', ');
  const above = sorted.findIndex((b) => b > value);
  const index = above === -1 ? sorted.length - 1 : Math.max(above, 1);
  const from = Math.max(0, index - 1);
  const to = Math.min(sorted.length, index + 1);
  const parts = sorted.slice(from, to).map(String);
  if (from > 0) parts.unshift('…');
  if (to < sorted.length) parts.push('…');
  return parts.join(', ');
}

/**
 * A regular expression that matches an `le` label value however the exporter wrote the
 * number: `250` (Envoy's Prometheus stats), `250.0` (OpenMetrics exporters; Prometheus 3
 * normalises classic-histogram `le` values to floats), and Go's shortest `%g` form that
 * Prometheus 3 uses from 1e6 up (`3.6e+06`). Prometheus anchors label regexes.
 */
export function leLabelPattern(boundary: number): string {
  if (!Number.isFinite(boundary)) return '\\+Inf';
  const plain = String(boundary);
  if (/e/i.test(plain)) throw new RangeError(`bucket boundary ${plain} is too large or small to match as an le label`);
  const [whole, fraction] = plain.split('.');
  const alternatives = [fraction === undefined ? `${whole}(\\.0+)?` : `${whole}\\.${fraction}0*`];
  const [mantissa, exponent] = boundary.toExponential().split('e');
  const power = Number(exponent);
  if (power >= 6 || power < -4) {
    const digits = mantissa.includes('.') ? `${mantissa.replace('.', '\\.')}0*` : `${mantissa}(\\.0+)?`;
    const sign = power < 0 ? '-' : '\\+';
    alternatives.push(`${digits}[eE]${sign}0*${Math.abs(power)}`);
  }
  return alternatives.length === 1 ? alternatives[0] : alternatives.map((a) => `(${a})`).join('|');
}
