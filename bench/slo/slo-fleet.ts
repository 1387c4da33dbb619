import type { SloDefinition } from '../../functions/core/slo/definition';
import { parseSlos } from '../../functions/core/slo/parse-slos';

/**
 * The SLO fleet of the benchmark: N Istio services (20 per namespace) and N App Mesh virtual
 * nodes (one mesh), each with the default 99 % / 250 ms / 30d SLO and the SRE workbook's
 * window pairs. Every 50th service burns fast (25 % slow for the last 2 hours: page), every
 * 20th of the rest burns slowly (2 % slow all along: ticket), the rest stay at 0.2 %.
 */

export const EVALUATED_AT_SECONDS = 1_795_186_800; // 2026-11-20T15:00:00Z

export type Profile = 'fast' | 'slow' | 'steady';

export function profileOf(index: number): Profile {
  if (index % 50 === 7) return 'fast';
  if (index % 20 === 3) return 'slow';
  return 'steady';
}

/** The share of requests slower than 250 ms at time t (epoch seconds) for a profile. */
export function slowShare(profile: Profile, t: number): number {
  if (profile === 'slow') return 0.02;
  if (profile === 'fast' && t > EVALUATED_AT_SECONDS - 2 * 3600) return 0.25;
  return 0.002;
}

export interface FleetEntry {
  index: number;
  profile: Profile;
  namespace: string;
  service: string;
}

export function istioFleet(count: number): FleetEntry[] {
  return Array.from({ length: count }, (_, i) => ({ index: i, profile: profileOf(i), namespace: `team-${String(Math.floor(i / 20)).padStart(3, '0')}`, service: `svc-${String(i).padStart(4, '0')}` }));
}

export function istioSlos(fleet: FleetEntry[], prometheusUrl: string): SloDefinition[] {
  return parseSlos(
    fleet.map((e) => ({ name: `${e.service}-latency`, service: e.service, mesh: 'istio', namespace: e.namespace, objective: 99, thresholdMs: 250, source: { prometheus: { url: prometheusUrl } } })),
  );
}

export function appMeshSlos(fleet: FleetEntry[], namespace: string): SloDefinition[] {
  return parseSlos(
    fleet.map((e) => ({ name: `${e.service}-latency`, service: e.service, mesh: 'appmesh', meshName: 'bench-mesh', objective: 99, thresholdMs: 250, source: { cloudwatch: { namespace, region: 'us-west-2' } } })),
  );
}

/** Sample times (epoch seconds) dense where the short windows look and sparse where only the long ones do. */
export function benchSampleTimes(end: number): number[] {
  const times = new Set<number>();
  for (let t = end; t >= end - 35 * 60; t -= 60) times.add(t);
  for (let t = end; t >= end - 7 * 3600; t -= 300) times.add(t);
  for (let t = end; t >= end - 76 * 3600; t -= 3600) times.add(t);
  return [...times].sort((a, b) => a - b);
}
