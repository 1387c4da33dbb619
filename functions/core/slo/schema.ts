import * as z from 'zod';
import { boundariesAround, isBucketBoundary, ISTIO_DEFAULT_BUCKETS_MS } from './buckets';
import { DEFAULT_ALERTING, DEFAULT_SLO_WINDOW } from './defaults';
import { DURATION_PATTERN, durationSeconds } from './duration';

/**
 * The `slos:` section of a rules file: one latency SLO per entry ("99% of payments-api
 * requests under 250 ms over 30 days"), with where its numbers come from and the window
 * pairs that alert on it. Parsed by the policy loader, so every problem names file, line and
 * field; the cross-field checks below put their issue on the field to change.
 */

const windowText = z
  .string()
  .regex(DURATION_PATTERN, 'a window is one whole number and a unit of m, h, d or w, such as 5m, 1h, 3d or 30d');

/** One alerting condition: both windows must burn at `factor` times the sustainable rate (SRE workbook ch. 5). */
export const windowPairSchema = z
  .object({
    long: windowText,
    short: windowText,
    factor: z.number().positive(),
  })
  .strict();

export { DEFAULT_ALERTING };

const alertingSchema = z
  .object({
    page: z.array(windowPairSchema).optional(),
    ticket: z.array(windowPairSchema).optional(),
  })
  .strict();

const prometheusSourceSchema = z
  .object({
    /** The Prometheus HTTP API base, e.g. the GMP frontend; the reader's own URL when left out. */
    url: z.string().url().optional(),
    /** Restricts the series to one scrape job (`job="…"`). */
    job: z.string().min(1).optional(),
  })
  .strict();

const cloudWatchSourceSchema = z
  .object({
    /** Where the App Mesh Envoy metrics land, e.g. `ContainerInsights/Prometheus`. */
    namespace: z.string().min(1),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as us-west-2').optional(),
    /**
     * trimmed-count: requests over the threshold counted exactly, TC(:threshold) against
     * SampleCount of envoy_appmesh_TargetResponseTime. percentile: when the metric carries no
     * distribution that TC can count, compare percentiles with the threshold (burn rates are
     * then lower bounds).
     */
    method: z.enum(['trimmed-count', 'percentile']).optional(),
    /** Dimensions added to Mesh and VirtualNode, e.g. `{ TargetVirtualNode: payments-api }`. */
    dimensions: z.record(z.string().min(1), z.string().min(1)).optional(),
  })
  .strict();

const sourceSchema = z
  .object({
    prometheus: prometheusSourceSchema.optional(),
    cloudwatch: cloudWatchSourceSchema.optional(),
  })
  .strict();

/** Cloud Monitoring label values (the SLO name is one, in `meshgov-slo`): lowercase, digits, `_` and `-`, at most 63. */
const SLO_NAME = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;

export const sloSchema = z
  .object({
    name: z.string().regex(SLO_NAME, 'an SLO name is lowercase letters, digits, - and _, at most 63 characters (it becomes a Cloud Monitoring label value)'),
    /** The service the SLO is about: the Kubernetes Service name (Istio) or the virtual node's service. */
    service: z.string().min(1),
    mesh: z.enum(['istio', 'appmesh']),
    /** Istio: the service's namespace. */
    namespace: z.string().min(1).optional(),
    /** App Mesh: the mesh name. */
    meshName: z.string().min(1).optional(),
    /** App Mesh: the virtual node that serves it (the service name when left out). */
    virtualNode: z.string().min(1).optional(),
    /** Percent of requests that must be under the threshold, e.g. 99 or 99.9. */
    objective: z
      .number()
      .gt(0, 'an objective is the percent of requests under the threshold, above 0 (e.g. 99 or 99.9)')
      // Past 100 it is no percent at all; the 100% message would mislead.
      .max(100, { message: 'an objective is the percent of requests under the threshold, at most 100 (e.g. 99 or 99.9)', abort: true })
      .lt(100, 'an objective of 100% leaves no error budget to burn (the burn rate divides by 100 − objective); use e.g. 99.99'),
    thresholdMs: z.number().positive(),
    window: windowText.default(DEFAULT_SLO_WINDOW),
    source: sourceSchema,
    /** The histogram's bucket boundaries in ms; Istio's defaults when left out. */
    buckets: z.array(z.number().positive()).min(1).optional(),
    alerting: alertingSchema.optional(),
    /**
     * When an SLO run suspects a change meshgov itself made (before the burn began), undo it
     * without asking (false when left out). Only while rule slo-latency-burn's remediation is
     * `auto`: under `approval` the rollback waits for a person, under `manual` it is only named.
     */
    autoRollbackOwnChanges: z.boolean().optional(),
  })
  .strict()
  .superRefine(checkSlo);

export const slosSchema = z.array(sloSchema).superRefine((slos, ctx) => {
  const seen = new Map<string, number>();
  slos.forEach((slo, index) => {
    if (typeof slo?.name !== 'string') return;
    const first = seen.get(slo.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `SLO name ${slo.name} is already used by slos[${first}]; names must be unique` });
    else seen.set(slo.name, index);
  });
});

type SloInput = z.output<typeof sloSchema>;

/**
 * Zod runs this refinement even when a field already failed (its issues do not abort), so every
 * check reads defensively and stays quiet about fields that are wrong on their own.
 */
function checkSlo(slo: SloInput, ctx: z.RefinementCtx): void {
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const source = typeof slo.source === 'object' && slo.source !== null ? slo.source : {};
  // A coordinate of the other mesh is never read: accepted, the SLO would quietly watch another
  // service than the file names (an Istio SLO's virtualNode, an App Mesh SLO's namespace).
  const named = typeof slo.name === 'string' ? `SLO ${slo.name}` : 'this SLO';
  if (slo.mesh === 'istio') {
    if (slo.namespace === undefined) issue(['namespace'], 'an Istio SLO needs the namespace of its service');
    for (const field of ['meshName', 'virtualNode'] as const) {
      if (slo[field] !== undefined) issue([field], `${field} applies to App Mesh SLOs, but ${named} is an Istio SLO (mesh: istio), found by namespace and service: remove ${field}, or set mesh: appmesh`);
    }
    if (source.prometheus === undefined) issue(['source'], 'an Istio SLO reads Prometheus: set source.prometheus (it may be {})');
    if (source.cloudwatch !== undefined) issue(['source', 'cloudwatch'], 'an Istio SLO reads Prometheus, not CloudWatch');
  } else {
    if (slo.meshName === undefined) issue(['meshName'], 'an App Mesh SLO needs meshName, the mesh its virtual node is in');
    if (slo.mesh === 'appmesh' && slo.namespace !== undefined) issue(['namespace'], `namespace applies to Istio SLOs, but ${named} is an App Mesh SLO (mesh: appmesh), found by meshName and virtualNode: remove namespace, or set mesh: istio`);
    if (source.cloudwatch === undefined) issue(['source'], 'an App Mesh SLO reads CloudWatch: set source.cloudwatch.namespace');
    if (source.prometheus !== undefined) issue(['source', 'prometheus'], 'an App Mesh SLO reads CloudWatch, not Prometheus');
  }

  // The threshold must sit on a bucket boundary wherever a histogram is read: always for
  // Istio, and for App Mesh when the rules say its metric is bucketed.
  const buckets = Array.isArray(slo.buckets) && slo.buckets.every((b) => typeof b === 'number') ? slo.buckets : undefined;
  if (typeof slo.thresholdMs === 'number' && (slo.mesh === 'istio' || buckets !== undefined)) {
    const boundaries = buckets ?? ISTIO_DEFAULT_BUCKETS_MS;
    if (!isBucketBoundary(slo.thresholdMs, boundaries)) {
      issue(
        ['thresholdMs'],
        `thresholdMs ${slo.thresholdMs} is not a bucket boundary of the histogram (${boundariesAround(slo.thresholdMs, boundaries)}); choose one of them`,
      );
    }
  }
  if (buckets !== undefined) {
    const ascending = buckets.every((b, i) => i === 0 || b > buckets[i - 1]);
    if (!ascending) issue(['buckets'], 'bucket boundaries must be listed in ascending order without repeats');
  }

  checkObjectiveAndPairs(slo, issue);
}

type Issue = (path: Array<string | number>, message: string) => void;

/**
 * The objective is a percent, and every window pair, given or default, must be able to fire
 * within the SLO window: a pair that never fires silently turns its alert off.
 */
function checkObjectiveAndPairs(slo: SloInput, issue: Issue): void {
  const objective = typeof slo.objective === 'number' && slo.objective > 0 && slo.objective < 100 ? slo.objective : undefined;
  // 0.999 is a fraction written where a percent is expected: read as 0.999 %, it leaves a budget
  // of 99 % of requests and no default pair could ever page.
  if (objective !== undefined && objective <= 1) {
    issue(['objective'], `objective ${objective} reads as ${objective}%: it is a percent of requests, so write ${fractionAsPercent(objective)} for ${fractionAsPercent(objective)}%`);
  }
  const budget = objective !== undefined && objective > 1 ? 1 - objective / 100 : undefined;
  const sloWindow = typeof slo.window === 'string' ? durationSeconds(slo.window) : undefined;
  // An alerting value of the wrong type already has its own issue; its defaults are not in play.
  const alerting: Partial<Record<'page' | 'ticket', unknown>> | undefined = slo.alerting === undefined ? {} : typeof slo.alerting === 'object' && slo.alerting !== null ? slo.alerting : undefined;
  if (alerting === undefined) return;
  for (const kind of ['page', 'ticket'] as const) {
    const given = alerting[kind];
    if (given === undefined) {
      checkDefaultPairs(kind, { budget, sloWindow, objective: slo.objective, window: slo.window }, issue);
      continue;
    }
    if (!Array.isArray(given)) continue;
    for (const [index, pair] of (given as Array<Partial<WindowPair> | null>).entries()) {
      if (typeof pair !== 'object' || pair === null) continue;
      const at = ['alerting', kind, index];
      const long = typeof pair.long === 'string' ? durationSeconds(pair.long) : undefined;
      const short = typeof pair.short === 'string' ? durationSeconds(pair.short) : undefined;
      if (long !== undefined && short !== undefined && short >= long) issue([...at, 'short'], `the short window (${pair.short}) must be shorter than the long one (${pair.long})`);
      if (long !== undefined && sloWindow !== undefined && long > sloWindow) issue([...at, 'long'], `the long window (${pair.long}) is longer than the SLO window (${slo.window})`);
      if (budget !== undefined && typeof pair.factor === 'number' && pair.factor * budget > 1) {
        issue(
          [...at, 'factor'],
          `a burn of ${pair.factor}× can never happen with objective ${slo.objective}%: it needs ${(pair.factor * budget * 100).toFixed(1)}% of requests over the threshold`,
        );
      }
    }
  }
}

interface PairContext {
  budget: number | undefined;
  sloWindow: number | undefined;
  objective: unknown;
  window: unknown;
}

/** The workbook's default pairs suit a 99.9 %, 30-day SLO; say so where they cannot work, on the field that makes them fail. */
function checkDefaultPairs(kind: 'page' | 'ticket', at: PairContext, issue: Issue): void {
  for (const pair of DEFAULT_ALERTING[kind]) {
    const name = `the default ${kind} pair (${pair.factor}× over ${pair.long} and ${pair.short})`;
    if (at.budget !== undefined && pair.factor * at.budget > 1) {
      const most = Math.floor((1 / at.budget) * 100) / 100;
      issue(
        ['objective'],
        `with objective ${at.objective}%, ${name} can never fire: it needs ${(pair.factor * at.budget * 100).toFixed(1)}% of requests over the threshold; set alerting.${kind} to pairs with factors of at most ${most} (or [] to turn it off)`,
      );
    }
    if (at.sloWindow !== undefined && durationSeconds(pair.long)! > at.sloWindow) {
      issue(['window'], `${name} has a long window longer than the SLO window (${at.window}); set alerting.${kind} to pairs within ${at.window} (or [] to turn it off)`);
    }
  }
}

/** 0.999 → 99.9, without the binary noise of 0.999 × 100. */
function fractionAsPercent(fraction: number): number {
  return Number((fraction * 100).toFixed(10));
}

/** An SLO as the rules file gives it (after zod's defaults). */
export type SloSpec = z.output<typeof sloSchema>;
export type WindowPair = z.output<typeof windowPairSchema>;
