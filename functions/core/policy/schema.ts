import * as z from 'zod';
import { daysInMonth, isCalendarDate } from '../calendar';
import { RULE_IDS } from '../findings';
import { slosSchema } from '../slo/schema';
import { globClasses, globOutsideClasses, globToRegExp } from './glob';

/**
 * The schema of a `rules/` YAML file. Every file may hold any of the sections; files in a
 * directory are merged in name order over the built-in defaults; two files of one directory that
 * set one setting differently are an error (read-policy-file.ts, settingConflicts). Unknown keys
 * are errors, so that a typo never silently turns a setting off.
 */

const severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);
const remediationMode = z.enum(['auto', 'approval', 'manual']);

/** A glob (glob.ts) whose character classes RegExp can read; `[z-a]` would fail every audit that reads it. */
const glob = z
  .string()
  .min(1)
  .superRefine((g, ctx) => {
    const bad = globClasses(g).find((c) => !isReadableClass(c.members));
    if (bad) ctx.addIssue({ code: 'custom', message: `glob ${JSON.stringify(g)} has a character class [${bad.members}] that cannot be read: a range such as a-z must go from low to high` });
  });

/**
 * A glob on Kubernetes namespaces, which are lowercase letters, digits and `-`: any other
 * character outside a class (`Kube-*`, a regex's `^`, `.` or `/`) can never match.
 */
const namespaceGlob = glob.refine((g) => /^[a-z0-9*?-]*$/.test(globOutsideClasses(g)) && globClasses(g).every(admitsNamespaceCharacter), {
  error: (iss) => `namespace glob ${JSON.stringify(iss.input)} can never match: namespaces are lowercase letters, digits and -, and a glob adds only *, ? and [...] classes (no regex)`,
});

/** `[A-Z]` matches no character a namespace can hold. */
function admitsNamespaceCharacter(c: { members: string; negated: boolean }): boolean {
  if (!isReadableClass(c.members)) return true; // the glob schema reports it
  const re = globToRegExp(`[${c.negated ? '!' : ''}${c.members}]`);
  return [...'abcdefghijklmnopqrstuvwxyz0123456789-'].some((ch) => re.test(ch));
}

function isReadableClass(members: string): boolean {
  try {
    globToRegExp(`[${members}]`);
    return true;
  } catch {
    return false;
  }
}

/** Globs (`*`, `?`, `[...]`) on namespace, mesh and name; every given field must match. */
export const exclusionSchema = z
  .object({
    namespace: namespaceGlob.optional(),
    mesh: glob.optional(),
    name: glob.optional(),
    /** One port of the resource (a workload's metrics port left DISABLE on purpose, one listener); with name or namespace. */
    port: z.number().int().min(1).max(65535).optional(),
    reason: z.string().optional(),
  })
  .strict()
  .refine((e) => e.namespace !== undefined || e.mesh !== undefined || e.name !== undefined, {
    message: 'an exclusion needs at least one of namespace, mesh or name',
  });

const tierSchema = z.object({ withinDays: z.number().positive(), severity }).strict();

export const SEVERITY_RANK: Readonly<Record<z.infer<typeof severity>, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/**
 * The smallest window that holds wins, so two tiers with one window make one of them dead, and a
 * shorter window with a lower severity would make a certificate look safer as it nears expiry.
 */
const tiersSchema = z
  .array(tierSchema)
  .min(1)
  .superRefine((tiers, ctx) => {
    // Stable sort: of two tiers with one window, the one written first is kept and the other reported.
    const byWindow = [...tiers.keys()].sort((a, b) => tiers[a]!.withinDays - tiers[b]!.withinDays);
    let j = byWindow[0]!;
    for (const i of byWindow.slice(1)) {
      const [wider, narrower] = [tiers[i]!, tiers[j]!];
      if (wider.withinDays === narrower.withinDays) {
        ctx.addIssue({ code: 'custom', path: [i, 'withinDays'], message: `withinDays ${wider.withinDays} is also the window of tiers[${j}]: each tier needs its own window` });
        continue;
      }
      if (SEVERITY_RANK[wider.severity] > SEVERITY_RANK[narrower.severity]) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'severity'],
          message: `${wider.severity} within ${wider.withinDays} days is above ${narrower.severity} within ${narrower.withinDays} days (tiers[${j}]): a shorter window needs the same or a higher severity`,
        });
      }
      j = i;
    }
  })
  .describe("Severity by days left; the smallest window that holds wins, never above the rule's severity. Each tier needs its own withinDays, and a shorter window the same or a higher severity.");

/** Settings that only one rule reads: given to another rule they would be silently ignored. */
export const RULE_SPECIFIC_SETTINGS: Readonly<Record<string, (typeof RULE_IDS)[number]>> = {
  tiers: 'cert-expiring',
  pageSeverity: 'slo-latency-burn',
  ticketSeverity: 'slo-latency-burn',
};

const commonRuleSettings = {
  enabled: z.boolean().optional(),
  severity: severity.optional(),
  /** The most a remediation of this rule may do on its own: auto, approval, manual. */
  remediation: remediationMode.optional(),
  exclude: z.array(exclusionSchema).optional(),
};

export const ruleSettingsSchema = z.object(commonRuleSettings).strict();

/**
 * The rules whose findings carry a change meshgov can make: the mTLS rules, whose findings name
 * the server or client a provider fixes (the rule sets fixSource; remediation/plan.ts), and
 * slo-latency-burn, whose finding proposes the rollback of the suspected change
 * (slo/rollback.ts). Every other rule's findings are for a person, whatever `remediation` says.
 */
export const RULES_WITH_FIXES: ReadonlySet<(typeof RULE_IDS)[number]> = new Set(['mtls-not-strict', 'mtls-client-not-enforced', 'mtls-conflict', 'mtls-cross-mesh-drift', 'slo-latency-burn']);

/**
 * `remediation: auto` or `approval` on a rule without a fix: `rules list` would show a mode that
 * nothing applies. `manual` says what holds (and the shipped rules/ states it for every rule).
 */
function remediationWithoutFix(id: (typeof RULE_IDS)[number]) {
  return (s: { remediation?: z.infer<typeof remediationMode> }, ctx: z.core.$RefinementCtx) => {
    if (s.remediation === undefined || s.remediation === 'manual' || RULES_WITH_FIXES.has(id)) return;
    ctx.addIssue({ code: 'custom', path: ['remediation'], message: `${id} has no fix meshgov applies; remediation: ${s.remediation} does nothing here: remove it, or write manual (its findings are always left to a person)` });
  };
}

/** cert-expiring: severity by days left, the smallest window that holds wins. */
const certExpiringSettingsSchema = z.object({ ...commonRuleSettings, tiers: tiersSchema.optional() }).strict();

/** slo-latency-burn: severity of a page-level and of a ticket-level burn; a ticket never outranks a page. */
const sloBurnSettingsSchema = z
  .object({ ...commonRuleSettings, pageSeverity: severity.optional(), ticketSeverity: severity.optional() })
  .strict()
  .superRefine((s, ctx) => {
    if (s.pageSeverity !== undefined && s.ticketSeverity !== undefined && SEVERITY_RANK[s.ticketSeverity] > SEVERITY_RANK[s.pageSeverity]) {
      ctx.addIssue({ code: 'custom', path: ['ticketSeverity'], message: `ticketSeverity ${s.ticketSeverity} is above pageSeverity ${s.pageSeverity}: a page-level burn is the faster one and needs the same or a higher severity` });
    }
  });

const slackRouteSchema = z
  .object({
    // Slack channel names are lowercase letters, digits, - and _ (at most 80); ids are C or G and upper-case letters and digits.
    channel: z.string().regex(/^(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{8,})$/, 'a channel is `#name` (lowercase letters, digits, - and _) or a channel id such as C0123ABCD'),
    approvers: z
      .object({
        users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id such as U0123ABCD')).optional(),
        usergroups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'a Slack user group id such as S0123ABCD')).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const teamSchema = z
  .object({
    name: z.string().min(1),
    match: z
      .object({
        namespaces: z.array(namespaceGlob).optional(),
        meshes: z.array(glob).optional(),
        labels: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      // routeFor matches on a non-empty list or label set only: an empty match would silently own nothing.
      .refine((m) => (m.namespaces?.length ?? 0) > 0 || (m.meshes?.length ?? 0) > 0 || Object.keys(m.labels ?? {}).length > 0, {
        message: 'a team needs at least one of namespaces, meshes or labels to match, or it owns nothing',
      }),
    slack: slackRouteSchema,
  })
  .strict();

/**
 * A date (UTC midnight) or a date-time with an offset. Without an offset Date.parse reads local
 * time, which differs between a laptop and the cloud; other formats are the engine's guess.
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i;
const isoDate = z.string().superRefine((s, ctx) => {
  const impossible = ISO_DATE.test(s) || ISO_DATE_TIME.test(s) ? calendarError(s) : undefined;
  if (impossible) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} is not a date: ${impossible}` });
  } else if (!(ISO_DATE.test(s) || ISO_DATE_TIME.test(s)) || Number.isNaN(Date.parse(s))) {
    ctx.addIssue({ code: 'custom', message: `an ISO-8601 date-time such as 2026-12-20T00:00:00Z (got ${JSON.stringify(s)})` });
  } else if (!ISO_DATE.test(s) && !/(Z|[+-]\d{2}:\d{2})$/i.test(s)) {
    ctx.addIssue({ code: 'custom', message: `${s} has no offset, so it would be local time, which differs between a laptop and the cloud: add Z (UTC) or an offset such as +01:00` });
  }
});

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * What makes a date or time of the ISO shape impossible: Date.parse rolls 2026-02-30 over to
 * March 2 and 2026-11-31 to December 1, so a freeze window would silently end elsewhere.
 */
function calendarError(s: string): string | undefined {
  const [, year, month, day, hour, minute, second, offsetHour, offsetMinute] = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))?)?$/i.exec(s)!.map(Number);
  if (month! < 1 || month! > 12) return `there is no month ${month}`;
  const days = daysInMonth(year!, month!);
  if (!isCalendarDate(year!, month!, day!)) return `${MONTHS[month! - 1]} ${year} has ${days} days`;
  if (hour! > 23) return `the hour is 00 to 23 (got ${hour})`;
  if (minute! > 59) return `the minute is 00 to 59 (got ${minute})`;
  if (second! > 59) return `the second is 00 to 59 (got ${second})`;
  if (offsetHour! > 23 || offsetMinute! > 59) return `the offset is at most +23:59 or -23:59`;
  return undefined;
}

const freezeWindowSchema = z
  .object({
    name: z.string().min(1),
    /** A one-off window. */
    start: isoDate.optional(),
    end: isoDate.optional(),
    /** A weekly window, in UTC: days of the week and optional hours. */
    days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).min(1).optional(),
    fromHour: z.number().int().min(0).max(23).optional(),
    toHour: z.number().int().min(1).max(24).optional(),
  })
  .strict()
  // The gate (remediation/gate.ts) reads start and end when both are given, else days and hours: anything else is never in force or silently ignored.
  .superRefine((w, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const oneOff = w.start !== undefined || w.end !== undefined;
    if (!oneOff && w.days === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a freeze window needs start and end, or days' });
      return;
    }
    if (oneOff && (w.start === undefined || w.end === undefined)) issue(w.start === undefined ? 'start' : 'end', 'a one-off freeze window needs both start and end');
    if (w.start !== undefined && w.end !== undefined && w.days !== undefined) issue('days', 'a freeze window is one-off (start and end) or weekly (days), not both: split it in two');
    if (w.days === undefined) {
      for (const key of ['fromHour', 'toHour'] as const) if (w[key] !== undefined) issue(key, `${key} goes with days (a weekly window); a one-off window runs from start to end`);
    }
    if (typeof w.fromHour === 'number' && typeof w.toHour === 'number' && w.toHour <= w.fromHour) {
      issue('toHour', `toHour ${w.toHour} is not after fromHour ${w.fromHour}, so the window is never in force; for one that crosses midnight, give two windows (fromHour: ${w.fromHour}, and toHour: ${w.toHour} on the next days)`);
    }
    // An impossible date (2026-02-30) is reported on its own field; Date.parse would roll it over.
    const [start, end] = [w.start, w.end].map((d) => (d !== undefined && (ISO_DATE.test(d) || ISO_DATE_TIME.test(d)) && !calendarError(d) ? Date.parse(d) : NaN));
    if (!Number.isNaN(start) && !Number.isNaN(end) && end <= start) issue('end', `end ${w.end} is not after its start ${w.start}, so the window is never in force`);
  });

const remediationSafetySchema = z
  .object({
    dryRun: z.boolean().optional(),
    maxChangesPerRun: z.number().int().min(0).optional(),
    maxChangesPerHour: z.number().int().min(0).optional(),
    approvalTtlHours: z.number().positive().optional(),
    reminderHours: z.number().positive().optional(),
    freezeWindows: z.array(freezeWindowSchema).optional(),
  })
  .strict();

/** A Kubernetes namespace name (RFC 1123 label): one that breaks the rule names no namespace that can exist. */
const namespaceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a namespace name is at most 63 lowercase letters, digits and -, starting and ending with a letter or digit (RFC 1123), so no namespace is called that');

const sourcesSchema = z
  .object({
    appmesh: z
      .object({
        meshes: z.array(z.string().min(1)).optional().describe('The App Mesh meshes to read; every mesh the credentials see when unset.'),
        regions: z.array(z.string().min(1)).optional().describe('Accepted, read by no part of this version: the hub audits its own region, the CLI --appmesh-region.'),
      })
      .strict()
      .optional(),
    istio: z
      .object({
        namespaces: z.array(namespaceName).optional().describe('The namespaces the CLI --kube-context read covers, with the root namespace; all when unset. Files are audited whole.'),
        rootNamespace: namespaceName
          .optional()
          .describe("Istio's root namespace when the inputs hold no MeshConfig ConfigMap; a MeshConfig decides when there is one."),
        enhancedDestinationRuleMerge: z
          .boolean()
          .optional()
          .describe(
            "istiod's ENABLE_ENHANCED_DESTINATIONRULE_MERGE: true (Istio 1.24 and later, the default) keeps DestinationRules for one host whose exportTo differ apart; false (Istio 1.23 and earlier, or the 1.23 compatibility profile) merges them.",
          ),
      })
      .strict()
      .optional(),
  })
  .strict();

const ruleMapShape = {
  ...(Object.fromEntries(RULE_IDS.map((id) => [id, (RULES_WITH_FIXES.has(id) ? ruleSettingsSchema : ruleSettingsSchema.superRefine(remediationWithoutFix(id))).optional()])) as Record<(typeof RULE_IDS)[number], z.ZodOptional<typeof ruleSettingsSchema>>),
  'cert-expiring': certExpiringSettingsSchema.superRefine(remediationWithoutFix('cert-expiring')).optional(),
  'slo-latency-burn': sloBurnSettingsSchema.optional(),
};

export const policyFileSchema = z
  .object({
    rules: z.object(ruleMapShape).strict().optional(),
    ownership: z
      .object({
        default: slackRouteSchema.optional(),
        teams: z
          .array(teamSchema)
          .superRefine((teams, ctx) => {
            // Routes and approvals name the team: two of one name would be told apart by order alone.
            const first = new Map<string, number>();
            teams.forEach((t, i) => {
              const at = first.get(t.name);
              if (at === undefined) first.set(t.name, i);
              else ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `team ${JSON.stringify(t.name)} is also teams[${at}]: give each team its own name, or merge their matches` });
            });
          })
          .optional(),
      })
      .strict()
      .optional(),
    remediation: remediationSafetySchema.optional(),
    sources: sourcesSchema.optional(),
    /** Latency SLOs (functions/core/slo/schema.ts): service, objective, threshold, window, metric source, window pairs. */
    slos: slosSchema.optional(),
  })
  .strict();

export type PolicyFile = z.infer<typeof policyFileSchema>;
export type RuleSettingsInput = z.infer<typeof ruleSettingsSchema> & z.infer<typeof certExpiringSettingsSchema> & z.infer<typeof sloBurnSettingsSchema>;
export type Exclusion = z.infer<typeof exclusionSchema>;
export type Team = z.infer<typeof teamSchema>;
export type SlackRoute = z.infer<typeof slackRouteSchema>;
export type FreezeWindow = z.infer<typeof freezeWindowSchema>;
