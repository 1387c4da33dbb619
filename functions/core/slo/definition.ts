import { ISTIO_DEFAULT_BUCKETS_MS } from './buckets';
import { windowSeconds } from './duration';
import { DEFAULT_ALERTING, DEFAULT_SLO_WINDOW } from './defaults';
import type { SloSpec, WindowPair } from './schema';

/** An SLO with every default filled in: what the readers, the rule and the alarm generators use. */
export interface SloDefinition extends Omit<SloSpec, 'buckets' | 'alerting'> {
  window: string;
  buckets: number[];
  /** A kind left out of `alerting` keeps the SRE workbook's pairs; an empty list turns that kind off. */
  alerting: { page: WindowPair[]; ticket: WindowPair[] };
}

export type AlertKind = 'page' | 'ticket';

/** One window pair of one SLO, with its kind and its windows in seconds. */
export interface SloWindowPair extends WindowPair {
  kind: AlertKind;
  longSeconds: number;
  shortSeconds: number;
}

export function resolveSlo(spec: SloSpec): SloDefinition {
  return {
    ...spec,
    buckets: spec.buckets ? [...spec.buckets] : [...ISTIO_DEFAULT_BUCKETS_MS],
    alerting: {
      page: (spec.alerting?.page ?? DEFAULT_ALERTING.page).map((p) => ({ ...p })),
      ticket: (spec.alerting?.ticket ?? DEFAULT_ALERTING.ticket).map((p) => ({ ...p })),
    },
  };
}

/** Every window pair of an SLO, pages first. */
export function windowPairs(slo: SloDefinition): SloWindowPair[] {
  const out: SloWindowPair[] = [];
  for (const kind of ['page', 'ticket'] as const) {
    for (const pair of slo.alerting[kind]) {
      out.push({ ...pair, kind, longSeconds: windowSeconds(pair.long), shortSeconds: windowSeconds(pair.short) });
    }
  }
  return out;
}

/** The distinct windows an evaluation must measure: every pair's two windows and the SLO window (for the budget left), shortest first. */
export function windowsToMeasure(slo: SloDefinition): string[] {
  const windows = new Set<string>([slo.window]);
  for (const pair of windowPairs(slo)) {
    windows.add(pair.long);
    windows.add(pair.short);
  }
  return [...windows].sort((a, b) => windowSeconds(a) - windowSeconds(b));
}

/** The SLO's error budget as a fraction of requests: 1 − objective (99 % → 0.01). */
export function errorBudget(slo: Pick<SloDefinition, 'objective'>): number {
  return 1 - slo.objective / 100;
}

/**
 * The SLOs of a loaded policy, with their defaults. The loader validated them against the
 * schema (with file and line in its errors, at build time for a deployed snapshot), so they are
 * not parsed again: a deployed function resolves them without loading zod. SLOs from anywhere
 * else go through parseSlos (parse-slos.ts).
 *
 * @example
 *   const slos = slosOfPolicy(loadPolicy(rulesDir));
 */
export function slosOfPolicy(policy: { slos: readonly unknown[] }): SloDefinition[] {
  return policy.slos.map((slo) => {
    const spec = slo as SloSpec;
    return resolveSlo(spec.window === undefined ? { ...spec, window: DEFAULT_SLO_WINDOW } : spec);
  });
}
