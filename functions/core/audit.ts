import type { Inventory } from './model/inventory';
import { dedupeCertificates } from './model/dedupe-certificates';
import { locateProblems } from './model/locate-problems';
import { readSuppressions } from './model/suppressions';
import type { ModelBuilder, ModelContext } from './model/provider';
import { mergeModels, type FleetModel } from './model/types';
import type { Policy } from './policy/types';
import { buildReport, type AuditReport } from './report/report';
import { applySuppressions } from './rules/apply-suppressions';
import { evaluateRules } from './rules/engine';
import { locateFindings } from './rules/locate-findings';

export interface AuditOptions {
  policy: Policy;
  now: Date;
  /** The providers that read the inventory (functions/providers/model-builders.ts lists them all). */
  builders: ModelBuilder[];
}

/**
 * The model → evaluate → plan stages over an inventory, as one call. The core knows no
 * provider: callers pass the builders (see `auditInventory` in functions/providers/audit-inventory.ts).
 */
export function auditWithBuilders(inventory: Inventory, options: AuditOptions): AuditReport {
  const model = buildModel(inventory, options);
  return auditModel(model, options.policy, options.now);
}

export function buildModel(inventory: Inventory, options: Pick<AuditOptions, 'builders' | 'now'> & Partial<Pick<AuditOptions, 'policy'>>): FleetModel {
  const istio = options.policy?.sources.istio;
  const context: ModelContext = { now: options.now };
  if (istio?.rootNamespace !== undefined) context.istioRootNamespace = istio.rootNamespace;
  if (istio?.enhancedDestinationRuleMerge !== undefined) context.istioDestinationRuleMerge = istio.enhancedDestinationRuleMerge ? 'enhanced' : 'legacy';
  const parts = options.builders.map((build) => build(inventory, context));
  const merged = mergeModels(parts);
  merged.certificates.push(...(inventory.certificates ?? []));
  const model = dedupeCertificates(merged);
  const { suppressions, problems } = readSuppressions(inventory);
  model.problems.unshift(...inventory.problems, ...problems);
  if (suppressions.length > 0) model.suppressions = suppressions;
  locateProblems(model.problems, inventory);
  if (inventory.fieldLine) model.fieldLine = inventory.fieldLine;
  const identity = inventory.fileIdentity;
  if (identity) for (const p of model.problems) p.fileIdentity = identity(p.file);
  if (inventory.partial?.length) model.partial = inventory.partial;
  return model;
}

export function auditModel(model: FleetModel, policy: Policy, now: Date): AuditReport {
  const evaluated = evaluateRules(model, policy, now);
  if (model.fieldLine) locateFindings(evaluated.findings, model.fieldLine);
  const { findings, suppressed } = applySuppressions(evaluated.findings, model.suppressions ?? []);
  // Planned once the findings reported are known: a suppressed finding's edit rides on no other change.
  evaluated.plan(findings, suppressed);
  return buildReport(findings, model.resourceCount, now, suppressed);
}
