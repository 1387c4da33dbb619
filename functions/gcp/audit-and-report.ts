import type { AgentReport } from '../core/link';
import type { Inventory } from '../core/model/inventory';
import { auditScope, type ScopedReport } from '../core/pipeline/audit-scope';
import type { InventorySource } from '../core/pipeline/ports';
import type { AuditScope, Trigger } from '../core/pipeline/trigger';
import type { AgentDeps } from './agent-deps';
import { reportAsAgent } from './hub-client';
import type { Logger } from './log';

/**
 * Adds to the report what the audit's own read shows beyond findings (istioConfigChanged: the
 * person's change, for the hub's ledger), from the objects that read returned.
 */
export type ReportAddition = (read: Inventory | undefined, report: AgentReport) => void;

/**
 * collect → model → evaluate → plan for one scope, then the report to the hub. The governance
 * stages (record, notify, approvals) run on the hub; the agent only observes and reports.
 * Throws when the cluster cannot be read or the hub cannot be reached, so Pub/Sub redelivers.
 */
export async function auditAndReport(trigger: Trigger, scope: AuditScope, deps: AgentDeps, log: Logger, addToReport?: ReportAddition): Promise<void> {
  const started = Date.now();
  let read: Inventory | undefined;
  const source: InventorySource = addToReport ? { collect: async (s) => (read = await deps.source.collect(s)) } : deps.source;
  let scopedReport: ScopedReport;
  try {
    scopedReport = await auditScope(trigger, scope, { source, builders: deps.builders, policy: deps.policy, clock: deps.clock });
  } catch (error) {
    log.error('audit failed: the cluster could not be read; the message will be redelivered', { scope, error });
    throw error;
  }
  const { summary } = scopedReport.report;
  log.info('audit done', { scope, findings: summary.findings, bySeverity: summary.bySeverity, resources: summary.resources, auditMs: Date.now() - started });

  const report: AgentReport = { agent: deps.config.identity, scopedReport };
  addToReport?.(read, report);
  try {
    const delivery = await reportAsAgent(report, deps, log);
    log.notice('report delivered to the hub', { scope, findings: summary.findings, hubStatus: delivery.status, attempts: delivery.attempts, bytes: delivery.bytes });
  } catch (error) {
    log.error('report not delivered to the hub; failing so Pub/Sub redelivers the message', { scope, error });
    throw error;
  }
}
