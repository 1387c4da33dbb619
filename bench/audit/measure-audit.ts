/**
 * The full audit through the engine API: collect the files (detection by content), load the
 * built-in policy, build the model and evaluate every rule. Run in a fresh process:
 * `measure-audit.ts <fleet dir>`. The same calls as `auditInventory`, split so that the time of
 * each stage is reported beside the total.
 */
import { loadPolicy } from '../../functions/core/policy/load';
// loadPolicy requires its YAML reader (zod, js-yaml) on first use; loading modules is kept outside
// the clock here, as it is for the floor, whose js-yaml is imported before its clock starts.
import '../../functions/core/policy/read-policy-file';
import { auditModel, buildModel } from '../../functions/core/audit';
import { MODEL_BUILDERS } from '../../functions/providers/model-builders';
import { collectFiles } from '../../functions/providers/files/collect';
import { GcPauses, reportMeasurement, startClock } from './measurement';

/** A fixed clock, so certificate findings are the same on every run. */
const NOW = new Date('2026-11-26T00:00:00Z');

async function main(): Promise<void> {
  const dir = process.argv[2];
  const gc = new GcPauses();
  // GC pauses are timed on performance.now(), the stages on hrtime: each boundary takes both.
  const gcStarted = gc.mark();
  const started = startClock();
  const inventory = await collectFiles([dir]);
  const collected = startClock();
  const gcCollected = gc.mark();
  const model = buildModel(inventory, { builders: MODEL_BUILDERS, now: NOW });
  const modelled = startClock();
  const gcModelled = gc.mark();
  const report = auditModel(model, loadPolicy(), NOW);
  const ended = startClock();
  const gcEnded = gc.mark();
  await gc.settled();
  reportMeasurement(
    started,
    {
      files: inventory.files.length,
      resources: report.summary.resources,
      findings: report.findings.length,
      servers: model.servers.length,
      clients: model.clients.length,
      collectMs: Number(collected - started) / 1e6,
      modelMs: Number(modelled - collected) / 1e6,
      evaluateMs: Number(ended - modelled) / 1e6,
      gcMs: gc.between(gcStarted, gcEnded),
      collectGcMs: gc.between(gcStarted, gcCollected),
      modelGcMs: gc.between(gcCollected, gcModelled),
      evaluateGcMs: gc.between(gcModelled, gcEnded),
    },
    ended,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
