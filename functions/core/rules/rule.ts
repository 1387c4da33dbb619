import type { Finding, RuleId } from '../findings';
import type { FleetIndex } from '../model/fleet-index';
import { SEVERITIES, scopePrefix, type FleetModel, type Provider, type ResourceRef, type Severity } from '../model/types';
import type { RuleSettings } from '../policy/types';
import { findingId } from './finding-id';

export interface RuleContext {
  model: FleetModel;
  index: FleetIndex;
  settings: RuleSettings;
  now: Date;
}

/** A finding before the remediation stage: what the rule saw, and the fix a provider offered. */
export interface RuleFinding extends Omit<Finding, 'remediation'> {
  /** Set by rules whose finding a provider can fix; the plan stage turns it into `remediation`. */
  fixSource?: { serverId?: string; clientId?: string };
}

/** One governance rule: a pure function from the model to findings. */
export interface Rule {
  id: RuleId;
  evaluate(ctx: RuleContext): RuleFinding[];
}

export function makeFinding(
  rule: RuleId,
  severity: Severity,
  provider: Provider,
  resource: ResourceRef,
  message: string,
  detail: Record<string, unknown>,
  discriminator = '',
): RuleFinding {
  return { id: findingId(rule, provider, resource, discriminator), rule, severity, provider, resource: clean(resource), message, detail };
}

/**
 * A graded severity (a certificate tier, a page- or ticket-level burn) held to the rule's own
 * `severity`: the rule's severity is the most its findings get, so a rules copy that lowers it
 * lowers every grade, and the grades can only lower it further.
 */
export function cappedSeverity(graded: Severity, cap: Severity): Severity {
  return SEVERITIES.indexOf(graded) >= SEVERITIES.indexOf(cap) ? graded : cap;
}

/** The detail with the resource's labels, which route it to the team that owns the workload (rules/ownership.yaml); none when it has none. */
export function withLabels(detail: Record<string, unknown>, labels: Readonly<Record<string, string>> | undefined): Record<string, unknown> {
  // for…in stops at the first key: no array of keys per finding just to learn there is one.
  if (labels) {
    for (const _ in labels) {
      detail.labels = labels;
      break;
    }
  }
  return detail;
}

/** Drops undefined coordinates so the JSON report carries only what is known. */
function clean(r: ResourceRef): ResourceRef {
  const out: ResourceRef = { kind: r.kind, name: r.name };
  if (r.namespace !== undefined) out.namespace = r.namespace;
  if (r.mesh !== undefined) out.mesh = r.mesh;
  if (r.port !== undefined) out.port = r.port;
  if (r.file !== undefined) out.file = r.file;
  if (r.line !== undefined) out.line = r.line;
  return out;
}

/** `payments/Deployment/payments-api:8080`-style label for messages. */
export function describeResource(r: ResourceRef): string {
  return `${r.kind} ${scopePrefix(r)}${r.name}${r.port !== undefined ? ` port ${r.port}` : ''}`;
}

export function where(source?: { file: string; line: number }): string {
  return source ? ` (${source.file}:${source.line})` : '';
}
