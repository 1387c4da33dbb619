/**
 * The full audit through the Kubernetes API, run in a fresh process:
 * `measure-live.ts <kubeconfig file>`. Reads the cluster with the live Istio reader (every
 * kind, paged), then audits the inventory with every provider, as the file run does.
 */
import { loadPolicy } from '../../functions/core/policy/load';
import { auditInventory } from '../../functions/providers/audit-inventory';
import { istioSource, kubeConfigFromFile, requireKubernetesClient } from '../../functions/providers/istio/live';
import { reportMeasurement, startClock } from '../audit/measurement';
import { cpuMsSince, findingCounts } from './finding-counts';

/** A fixed clock, so certificate findings are the same on every run. */
const NOW = new Date('2026-11-26T00:00:00Z');

async function main(): Promise<void> {
  // Loaded before the clock starts, as the file run's modules are.
  const k8s = requireKubernetesClient();
  const policy = loadPolicy();
  const started = startClock();
  const cpuAtStart = process.cpuUsage();
  const kubeConfig = kubeConfigFromFile(undefined, { path: process.argv[2]!, client: k8s });
  const source = istioSource({ kubeConfig, client: k8s, pageSize: Number(process.env['BENCH_PAGE_SIZE'] ?? 500) });
  const inventory = await source.collect({ kind: 'all', providers: ['istio', 'x509'] });
  const collectMs = Number(process.hrtime.bigint() - started) / 1e6;
  const report = auditInventory(inventory, { policy, now: NOW });
  const read = source.lastRead();
  reportMeasurement(started, { collectMs, cpuMs: cpuMsSince(cpuAtStart), objects: read.objects, requests: read.requests, retries: read.retries, resources: report.summary.resources, ...findingCounts(report.findings) });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
