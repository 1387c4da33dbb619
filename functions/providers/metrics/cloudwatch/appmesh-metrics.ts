import type { SloDefinition } from '../../../core/slo/definition';

/**
 * The Envoy metrics the App Mesh metrics extension publishes, as they reach CloudWatch through
 * the CloudWatch agent (e.g. namespace `ContainerInsights/Prometheus`): request latency in ms
 * as `envoy_appmesh_TargetResponseTime`, requests as `envoy_appmesh_RequestCount`, both with
 * the `Mesh` and `VirtualNode` dimensions.
 */
export const APPMESH_LATENCY_METRIC = 'envoy_appmesh_TargetResponseTime';
export const APPMESH_REQUEST_COUNT_METRIC = 'envoy_appmesh_RequestCount';

/** Mesh and VirtualNode, then any extra dimensions the SLO names (e.g. TargetVirtualNode). */
export function sloDimensions(slo: SloDefinition): Record<string, string> {
  return {
    Mesh: slo.meshName ?? '',
    VirtualNode: slo.virtualNode ?? slo.service,
    ...slo.source.cloudwatch?.dimensions,
  };
}

/** Requests at or under the threshold: CloudWatch's trimmed count excludes the lower bound and includes the upper one. */
export function trimmedCountStat(thresholdMs: number): string {
  return `TC(:${thresholdMs})`;
}

/**
 * The percentile that equals the threshold exactly when the SLO burns at `factor`: more than
 * factor × (100 − objective) % of requests over the threshold ⇔ p(100 − that) > threshold.
 */
export function percentileForBurn(objective: number, factor: number): number {
  const percentile = Number((100 - (100 - objective) * factor).toFixed(10));
  // CloudWatch percentiles run from p0 to p100; below p0 the burn needs more than every request slow.
  if (!(percentile >= 0 && percentile <= 100)) {
    throw new RangeError(`a burn of ${factor}× with objective ${objective}% needs p${percentile}, which CloudWatch cannot compute; use a factor of at most ${Math.floor((100 / (100 - objective)) * 100) / 100}`);
  }
  return percentile;
}

export function percentileStat(percentile: number): string {
  return `p${percentile}`;
}

export type CloudWatchMethod = 'trimmed-count' | 'percentile';

export function methodOf(slo: SloDefinition): CloudWatchMethod {
  return slo.source.cloudwatch?.method ?? 'trimmed-count';
}
