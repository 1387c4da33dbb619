import { auditWithBuilders } from '../core/audit';
import type { Inventory } from '../core/model/inventory';
import type { Policy } from '../core/policy/types';
import type { AuditReport } from '../core/report/report';
import { MODEL_BUILDERS } from './model-builders';

/**
 * Audits an inventory with every provider: the one call the CLI, the Lambda handlers, the
 * Cloud Functions and the benchmarks share.
 *
 * @example
 *   const report = auditInventory(await collectFiles(['examples/']), { policy: loadPolicy(), now: new Date() });
 */
export function auditInventory(inventory: Inventory, options: { policy: Policy; now: Date }): AuditReport {
  return auditWithBuilders(inventory, { ...options, builders: MODEL_BUILDERS });
}
