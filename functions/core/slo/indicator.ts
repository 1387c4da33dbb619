import type { Finding } from '../findings';
import type { ResourceRef, Severity, SloIndicator } from '../model/types';
import { findingId } from '../rules/finding-id';
import { budgetRemaining } from './burn-rate';
import { windowPairs, type SloDefinition } from './definition';
import { windowSeconds } from './duration';
import type { SloReading } from './reading';

/** The finding discriminator of an SLO: one SLO, one finding, whatever window pair fires. */
export function sloIndicatorId(sloName: string): string {
  return `slo:${sloName}`;
}

/** SLO findings: their id is made with the SLO's name (sloIndicatorId), so it tells which SLO a finding is of. */
const SLO_RULES: ReadonlySet<string> = new Set(['slo-latency-burn', 'slo-no-data']);

export function isSloFinding(finding: Pick<Finding, 'rule'>): boolean {
  return SLO_RULES.has(finding.rule);
}

/** Whether an SLO finding is of the SLO named: the service alone cannot tell two SLOs on one service apart. */
export function isFindingOfSlo(finding: Pick<Finding, 'id' | 'rule' | 'provider' | 'resource'>, sloName: string): boolean {
  return isSloFinding(finding) && findingId(finding.rule, finding.provider, finding.resource, sloIndicatorId(sloName)) === finding.id;
}

/** The service an SLO is about, with the coordinates CONTRACT.md asks for (namespace for Istio, mesh for App Mesh). */
export function sloResource(slo: SloDefinition): ResourceRef {
  if (slo.mesh === 'istio') return { kind: 'Service', name: slo.service, namespace: slo.namespace };
  return { kind: 'VirtualNode', name: slo.virtualNode ?? slo.service, mesh: slo.meshName };
}

export interface IndicatorSeverities {
  page: Severity;
  ticket: Severity;
}

/**
 * Turns a reading into the model's SloIndicator: one entry per window pair with both burn
 * rates, and the budget left over the SLO window. Windows without traffic burn at 0.
 */
export function toSloIndicator(reading: SloReading, severities: IndicatorSeverities = { page: 'critical', ticket: 'medium' }): SloIndicator {
  const { slo } = reading;
  const burnOf = (window: string) => roundDown(reading.burnRates[window] ?? 0);
  const sloWindowBurn = reading.burnRates[slo.window];
  const indicator: SloIndicator = {
    id: sloIndicatorId(slo.name),
    provider: slo.mesh === 'istio' ? 'prometheus' : 'cloudwatch',
    resource: sloResource(slo),
    objective: slo.objective,
    thresholdMs: slo.thresholdMs,
    windows: windowPairs(slo).map((pair) => ({
      long: pair.long,
      short: pair.short,
      burnLong: burnOf(pair.long),
      burnShort: burnOf(pair.short),
      factor: pair.factor,
      severity: severities[pair.kind],
      kind: pair.kind,
    })),
    method: reading.method,
  };
  // A percentile reading only bounds the burn from below, so it cannot say what is left; a
  // window without traffic has spent nothing.
  if (reading.method !== 'cloudwatch-percentile') indicator.budgetRemaining = round(budgetRemaining(sloWindowBurn ?? 0));
  const longest = longestWindow(reading.windows ?? []);
  if (reading.requests && Object.keys(reading.requests).length === 0 && longest) {
    indicator.noData = { slo: slo.name, window: longest, ...(reading.selection ? { selection: reading.selection } : {}) };
  }
  return indicator;
}

function longestWindow(windows: readonly string[]): string | undefined {
  let longest: string | undefined;
  for (const w of windows) if (longest === undefined || windowSeconds(w) > windowSeconds(longest)) longest = w;
  return longest;
}

/** Four decimals: enough for a burn rate or a budget share, and stable in reports and fingerprints. */
function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * A burn rate to four decimals, rounded down: the rule compares the rounded rate with the
 * factor, and rounding 14.39996 up to 14.4 would fire a pair the window never reached. The
 * 1e-6 (of the last decimal) absorbs binary noise, so 0.0144 / 0.001 = 14.399999999999999
 * still reads 14.4.
 */
function roundDown(value: number): number {
  return Math.floor(value * 10_000 + 1e-6) / 10_000;
}
