import { leLabelPattern } from '../../../core/slo/buckets';

/**
 * PromQL for Istio latency SLOs. Istio's standard metrics (istio.io, "Istio Standard
 * Metrics"): `istio_request_duration_milliseconds` is a histogram labelled with
 * `destination_service_name`, `destination_service_namespace` and `reporter`; only
 * `reporter="destination"` is used, the server side's own view, so a request is counted once.
 */

export const ISTIO_DURATION_BUCKET = 'istio_request_duration_milliseconds_bucket';
export const ISTIO_DURATION_COUNT = 'istio_request_duration_milliseconds_count';

/** Labels meshgov adds to each batched series so the answer says what it is. */
export const WINDOW_LABEL = 'meshgov_window';
export const PART_LABEL = 'meshgov_part';

/** A PromQL string literal (double-quoted, Go escapes: the JSON ones are a subset). */
export function promqlString(value: string): string {
  return JSON.stringify(value);
}

/** A regular expression that matches exactly these strings (Prometheus anchors it). */
export function exactAlternatives(values: readonly string[]): string {
  return [...new Set(values)].sort().map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

export interface ServiceSelection {
  namespaces: readonly string[];
  services: readonly string[];
  job?: string;
}

function selector(selection: ServiceSelection, extra: string[] = []): string {
  const matchers = [
    'reporter="destination"',
    oneOrMany('destination_service_namespace', selection.namespaces),
    oneOrMany('destination_service_name', selection.services),
    ...(selection.job === undefined ? [] : [`job=${promqlString(selection.job)}`]),
    ...extra,
  ];
  return `{${matchers.join(', ')}}`;
}

function oneOrMany(label: string, values: readonly string[]): string {
  const distinct = [...new Set(values)];
  return distinct.length === 1 ? `${label}=${promqlString(distinct[0])}` : `${label}=~${promqlString(exactAlternatives(distinct))}`;
}

const BY = 'sum by (destination_service_namespace, destination_service_name)';

/** Requests at or under the threshold over a window, per service. */
export function goodRequests(selection: ServiceSelection, thresholdMs: number, window: string): string {
  return `${BY} (increase(${ISTIO_DURATION_BUCKET}${selector(selection, [`le=~${promqlString(leLabelPattern(thresholdMs))}`])}[${window}]))`;
}

/** The series whose increase counts an SLO's requests, as a PromQL selector (named when it counts none). */
export function requestCountSeries(selection: ServiceSelection): string {
  return `${ISTIO_DURATION_COUNT}${selector(selection)}`;
}

/** All requests over a window, per service. */
export function totalRequests(selection: ServiceSelection, window: string): string {
  return `${BY} (increase(${ISTIO_DURATION_COUNT}${selector(selection)}[${window}]))`;
}

function tagged(expr: string, window: string, part: 'good' | 'total'): string {
  // label_replace with an empty-matching regex on a label every series lacks sets a constant label.
  const withWindow = `label_replace(${expr}, ${promqlString(WINDOW_LABEL)}, ${promqlString(window)}, "__name__", ".*")`;
  return `label_replace(${withWindow}, ${promqlString(PART_LABEL)}, ${promqlString(part)}, "__name__", ".*")`;
}

/**
 * One query for every window of many services sharing a threshold: good and total request
 * counts per service and window, each series tagged with `meshgov_window` and `meshgov_part`,
 * joined with `or` (the tags keep every series distinct, so `or` drops none).
 *
 * @example
 *   batchedLatencyQuery({ namespaces: ['payments'], services: ['payments-api'] }, 250, ['5m', '1h'])
 */
export function batchedLatencyQuery(selection: ServiceSelection, thresholdMs: number, windows: readonly string[]): string {
  const parts: string[] = [];
  for (const window of windows) {
    parts.push(tagged(goodRequests(selection, thresholdMs, window), window, 'good'));
    parts.push(tagged(totalRequests(selection, window), window, 'total'));
  }
  return parts.join('\nor\n');
}

/** The error-ratio expression of one service and window, as a person would write it (alert policies, docs). */
export function errorRatioQuery(selection: ServiceSelection, thresholdMs: number, window: string): string {
  const good = `sum (rate(${ISTIO_DURATION_BUCKET}${selector(selection, [`le=~${promqlString(leLabelPattern(thresholdMs))}`])}[${window}]))`;
  const total = `sum (rate(${ISTIO_DURATION_COUNT}${selector(selection)}[${window}]))`;
  return `1 - (${good} / ${total})`;
}
