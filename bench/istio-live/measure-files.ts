/**
 * The file-based audit of the same fleet, run in a fresh process: `measure-files.ts <dir>`.
 * collectFiles (detection by content) then auditInventory, the engine API the CLI uses.
 */
import { loadPolicy } from '../../functions/core/policy/load';
import { auditInventory } from '../../functions/providers/audit-inventory';
import { collectFiles } from '../../functions/providers/files/collect';
import { reportMeasurement, startClock } from '../audit/measurement';
import { cpuMsSince, findingCounts } from './finding-counts';

const NOW = new Date('2026-11-26T00:00:00Z');

async function main(): Promise<void> {
  const policy = loadPolicy();
  const started = startClock();
  const cpuAtStart = process.cpuUsage();
  const inventory = await collectFiles([process.argv[2]!]);
  const collectMs = Number(process.hrtime.bigint() - started) / 1e6;
  const report = auditInventory(inventory, { policy, now: NOW });
  reportMeasurement(started, { collectMs, cpuMs: cpuMsSince(cpuAtStart), objects: inventory.kubernetes.length, files: inventory.files.length, resources: report.summary.resources, ...findingCounts(report.findings) });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
