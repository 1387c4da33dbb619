import { auditModel, buildModel } from '../audit';
import type { ModelBuilder } from '../model/provider';
import type { Inventory } from '../model/inventory';
import type { FleetModel, Provider, ResourceRef } from '../model/types';
import type { Policy } from '../policy/types';
import type { AuditReport } from '../report/report';
import { certificateResource } from '../rules/certificate-finding';
import type { InventorySource } from './ports';
import type { AuditScope, Trigger } from './trigger';

/**
 * A report together with what it covered. The GCP agent sends exactly this to the hub, and
 * the hub's govern stage uses `auditedResources` to tell "fixed" from "not looked at".
 */
export interface ScopedReport {
  trigger: Trigger;
  scope: AuditScope;
  report: AuditReport;
  /** resourceKey() of every resource the model held. */
  auditedResources: string[];
  /**
   * When this audit began reading the fleet (ISO, the auditing process's clock before collect):
   * nothing it saw is older. Optional: agents older than the hub send none (see fleetReadAt).
   */
  readStartedAt?: string;
  /**
   * The SLOs an SLO run measured, by name. Two SLOs may share a service (a p99 and a p90 on one
   * Service), so the service's key alone would let one SLO's run resolve the other's findings:
   * with this, a run resolves only its own SLOs' findings on its audited resources. Optional:
   * agents older than the hub send none, and their runs resolve by resource as before.
   */
  auditedSlos?: string[];
}

/**
 * When a report's audit read the fleet, as epoch ms: its `readStartedAt`, which auditScope
 * stamps from the auditing process's clock before the read (the agent's for its reports, the
 * hub's for its own), else its `report.generatedAt` (after the read: an agent older than the
 * hub, a report made elsewhere). The start, because a long read (a sweep of every namespace)
 * sees its first objects long before it ends: stamped at its end, its view of a namespace read
 * early would outrank a short audit that read that namespace later. Not `trigger.eventTime`:
 * that is when the change or alarm happened, and a redelivered message is audited again, reading
 * the fleet long after it. The reports that decide one finding come from one cloud's clocks (an
 * Istio finding from the agents of its cluster, an App Mesh one from the hub's containers), so
 * they are compared as stamped. Undefined when it cannot be read: such a report's place among
 * the others is unknown.
 */
export function fleetReadAt(scoped: Pick<ScopedReport, 'report' | 'readStartedAt'>): number | undefined {
  return [scoped.readStartedAt, scoped.report?.generatedAt].map((t) => (typeof t === 'string' ? Date.parse(t) : Number.NaN)).find((t) => !Number.isNaN(t));
}

/** provider|kind|namespace|mesh|name: a resource's identity, without port, file or line. */
export function resourceKey(provider: Provider, r: Pick<ResourceRef, 'kind' | 'name' | 'namespace' | 'mesh'>): string {
  return [provider, r.kind, r.namespace ?? '', r.mesh ?? '', r.name].join('|');
}

export interface AuditScopeDeps {
  source: InventorySource;
  builders: ModelBuilder[];
  policy: Policy;
  clock: () => Date;
}

/** trigger → collect → model → evaluate → plan, for one scope. */
export async function auditScope(trigger: Trigger, scope: AuditScope, deps: AuditScopeDeps): Promise<ScopedReport> {
  const readStartedAt = deps.clock().toISOString();
  const inventory = await deps.source.collect(scope);
  const now = deps.clock();
  const model = buildModel(inventory, { builders: deps.builders, now, policy: deps.policy });
  const report = auditModel(model, deps.policy, now);
  return { trigger, scope: scopeAsRead(scope, inventory), report, auditedResources: auditedResourceKeys(model), readStartedAt };
}

/**
 * A whole-fleet scope as the read covered it: less the providers it could not read in full (a
 * refused certificate source), and naming the meshes it could not read. Govern resolves nothing
 * of either: their findings were not all looked at.
 */
function scopeAsRead(scope: AuditScope, inventory: Inventory): AuditScope {
  if (scope.kind !== 'all') return scope;
  const unreadProviders = inventory.unreadProviders ?? [];
  const unreadMeshes = inventory.unreadMeshes ?? [];
  return {
    ...scope,
    ...(unreadProviders.length > 0 ? { providers: scope.providers.filter((p) => !unreadProviders.includes(p)) } : {}),
    ...(unreadMeshes.length > 0 ? { unreadMeshes } : {}),
  };
}

export function auditedResourceKeys(model: FleetModel): string[] {
  const keys = new Set<string>();
  for (const s of model.servers) keys.add(resourceKey(s.provider, s.resource));
  for (const c of model.clients) keys.add(resourceKey(c.provider, c.resource));
  for (const m of model.membership) keys.add(resourceKey(m.provider, m.resource));
  for (const c of model.certificates) keys.add(resourceKey(c.provider, certificateResource(c)));
  for (const s of model.slos) keys.add(resourceKey(s.provider, s.resource));
  return [...keys];
}
