/**
 * payments-api's App Mesh metrics in the CloudWatch emulator, as the CloudWatch agent's EMF
 * processor publishes Envoy's histograms (envoy_appmesh_TargetResponseTime as a distribution,
 * envoy_appmesh_RequestCount as a sum), one point a minute for the 80 hours the SLO's longest
 * burn window reads.
 */
import { APPMESH_LATENCY_METRIC, APPMESH_REQUEST_COUNT_METRIC } from '../../../functions/providers/metrics/cloudwatch/appmesh-metrics';
import type { CloudWatchEmulator } from '../../emulators/cloudwatch';
import { CLOUDWATCH_NAMESPACE } from './rules';

const MINUTE = 60_000;
const REQUESTS_PER_MINUTE = 3000;

/** `slowShare(t)` of the requests in the minute at `t` took 400 ms, the rest 80 ms. */
export function seedPaymentsLatency(cw: CloudWatchEmulator, until: number, slowShare: (t: number) => number): void {
  const latency = [];
  const requests = [];
  const end = Math.floor(until / MINUTE) * MINUTE;
  for (let t = end - 80 * 60 * MINUTE; t <= end; t += MINUTE) {
    const slow = Math.round(REQUESTS_PER_MINUTE * slowShare(t));
    latency.push({ timestamp: t, values: [80, 400], counts: [REQUESTS_PER_MINUTE - slow, slow] });
    requests.push({ timestamp: t, values: [REQUESTS_PER_MINUTE], counts: [1] });
  }
  const dimensions = { Mesh: 'prod-mesh', VirtualNode: 'payments-api' };
  cw.seedMetric({ namespace: CLOUDWATCH_NAMESPACE, metricName: APPMESH_LATENCY_METRIC, dimensions, points: latency });
  cw.seedMetric({ namespace: CLOUDWATCH_NAMESPACE, metricName: APPMESH_REQUEST_COUNT_METRIC, dimensions, points: requests });
}
