/**
 * App Mesh live reader benchmark (issue 3, point 7), against the App Mesh emulator throttled
 * like an account quota (40 requests/s, burst 5), through the real SDK client paced at the
 * same 40 requests/s:
 *
 *   full scan    a cold reader reads a mesh of 1,000 virtual nodes: API calls (at most one List
 *                page per 100 resources plus one Describe per resource) and wall time against
 *                the rate-limit floor (calls ÷ 40 rps; target ≤ 1.2×), with no call throttled
 *   rescan       the same reader again: List pages only, Describes of what changed
 *   scoped       audits from CloudTrail events on the warm reader: ≤ 2 calls without the spec
 *                in the event, 0 with it; each checked against a full audit of the mesh
 *
 * Environment: BENCH_APPMESH_NODES (default 1000), BENCH_APPMESH_REPEAT (default 1; full scans
 * are repeated, each on a fresh emulator, and the median taken).
 */
import { isDeepStrictEqual } from 'node:util';
import { audit, sortedFindings, stateInventory } from '../test/integration/appmesh/support/harness';
import { FLEET_MESH, maxFullScanCalls } from '../test/integration/appmesh/support/mesh-fleet';
import { storyMesh } from '../test/integration/appmesh/support/story-mesh';
import type { AppMeshSource } from '../functions/providers/appmesh/live';
import { failedSince, startScanEnvironment, type ScanEnvironment } from './appmesh/scan-environment';
import { SCOPED_CASES } from './appmesh/scoped-cases';
import { median } from './lib/statistics';
import { fixed, formatTable } from './lib/table';

const NODES = Number(process.env.BENCH_APPMESH_NODES ?? 1000);
const REPEAT = Number(process.env.BENCH_APPMESH_REPEAT ?? 1);
const QUOTA = { rps: 40, burst: 5 };
const MAX_WALL_TO_FLOOR = 1.2;

interface ScanRun {
  source: AppMeshSource;
  ms: number;
  calls: number;
  byOperation: Record<string, number>;
  failed: number;
  resources: number;
}

interface ScopedRun {
  name: string;
  carriesSpec: boolean;
  calls: number;
  maxCalls: number;
  ms: number;
  failed: number;
  sameAsFullAudit: boolean;
  snapshot: string;
}

function sumWhere(byOperation: Record<string, number>, prefix: string): number {
  return Object.entries(byOperation).reduce((n, [op, count]) => (op.startsWith(prefix) ? n + count : n), 0);
}

async function fullScan(env: ScanEnvironment, source = env.coldSource()): Promise<ScanRun> {
  const from = env.emulator.requests().length;
  const started = performance.now();
  const inventory = await source.collect({ kind: 'all', providers: ['appmesh'] });
  const ms = performance.now() - started;
  const stats = source.lastCollect!;
  return { source, ms, calls: stats.totalCalls, byOperation: stats.calls, failed: failedSince(env.emulator, from), resources: inventory.appmeshApi.length };
}

/** Deep equality that ignores key order: the SDK orders a spec's keys by its schema, the emulator as seeded. */
function sameFindings(a: ReturnType<typeof sortedFindings>, b: ReturnType<typeof sortedFindings>): boolean {
  return isDeepStrictEqual(a, b);
}

async function main(): Promise<void> {
  const fleet = storyMesh(NODES - 4); // the storyline adds payments-api, ledger, checkout-web, orders-api-legacy
  const allowed = maxFullScanCalls(fleet.counts);
  process.stderr.write(`appmesh bench: ${fleet.counts.virtualNodes} virtual nodes, throttle ${QUOTA.rps} rps / burst ${QUOTA.burst}\n`);

  const scans: ScanRun[] = [];
  let env: ScanEnvironment | undefined;
  for (let i = 0; i < REPEAT; i++) {
    await env?.close();
    env = await startScanEnvironment(fleet, QUOTA);
    scans.push(await fullScan(env));
    process.stderr.write(`  full scan ${i + 1}/${REPEAT}: ${scans[i].calls} calls in ${fixed(scans[i].ms / 1000, 1)} s\n`);
  }
  const live = env!;
  const source = scans[scans.length - 1].source; // warm now: it holds the mesh it read
  const rescan = await fullScan(live, source);

  const scoped: ScopedRun[] = [];
  for (const c of SCOPED_CASES) {
    const scope = await c.prepare({ emulator: live.emulator, client: live.client });
    const from = live.emulator.requests().length;
    const started = performance.now();
    const inventory = await source.collect(scope);
    const ms = performance.now() - started;
    const stats = source.lastCollect!;
    scoped.push({
      name: c.name,
      carriesSpec: c.carriesSpec,
      calls: stats.totalCalls,
      maxCalls: c.maxCalls,
      ms,
      failed: failedSince(live.emulator, from),
      sameAsFullAudit: sameFindings(sortedFindings(audit(inventory)), sortedFindings(audit(stateInventory(live.emulator, FLEET_MESH)))),
      snapshot: stats.snapshot,
    });
  }
  // A cold container: the scoped audit reads the mesh first (no target; shown for what it costs).
  const cold = live.coldSource();
  const coldStarted = performance.now();
  await cold.collect(await SCOPED_CASES[1].prepare({ emulator: live.emulator, client: live.client }));
  const coldScoped = { ms: performance.now() - coldStarted, calls: cold.lastCollect!.totalCalls };
  await live.close();

  const ms = median(scans.map((s) => s.ms));
  const calls = Math.max(...scans.map((s) => s.calls));
  const failed = scans.reduce((n, s) => n + s.failed, 0) + rescan.failed + scoped.reduce((n, s) => n + s.failed, 0);
  const floorMs = (calls / QUOTA.rps) * 1000;
  const last = scans[scans.length - 1];

  console.log(`\nApp Mesh live reader — ${fleet.counts.virtualNodes} virtual nodes, emulator throttle ${QUOTA.rps} rps / burst ${QUOTA.burst}, client paced at ${QUOTA.rps} rps, concurrency 8.\n`);
  console.log(
    formatTable(
      ['scan', 'resources', 'List calls', 'Describe calls', 'calls', 'allowed', 'throttled/failed', 'wall s', 'floor s', 'wall/floor'],
      [
        ['full (cold reader)', String(last.resources), String(sumWhere(last.byOperation, 'List')), String(sumWhere(last.byOperation, 'Describe')), String(calls), String(allowed), String(scans.reduce((n, s) => n + s.failed, 0)), fixed(ms / 1000, 2), fixed(floorMs / 1000, 2), fixed(ms / floorMs, 3)],
        ['rescan (warm reader)', String(rescan.resources), String(sumWhere(rescan.byOperation, 'List')), String(sumWhere(rescan.byOperation, 'Describe')), String(rescan.calls), String(allowed), String(rescan.failed), fixed(rescan.ms / 1000, 2), fixed(rescan.calls / QUOTA.rps, 2), fixed(rescan.ms / ((rescan.calls / QUOTA.rps) * 1000), 3)],
      ],
    ),
  );
  console.log('\nScoped audits from CloudTrail events (warm reader):\n');
  console.log(
    formatTable(
      ['event', 'spec in event', 'calls', 'allowed', 'snapshot', 'findings = full audit', 'ms'],
      [
        ...scoped.map((s) => [s.name, s.carriesSpec ? 'yes' : 'no', String(s.calls), String(s.maxCalls), s.snapshot, s.sameAsFullAudit ? 'yes' : 'NO', fixed(s.ms, 1)]),
        ['(cold reader) UpdateVirtualNode, responseElements null', 'no', String(coldScoped.calls), '-', 'read', '-', fixed(coldScoped.ms, 0)],
      ],
    ),
  );

  const verdicts: Array<[string, boolean, string]> = [
    [`full scan calls ≤ one List page per 100 resources + one Describe per resource (${allowed})`, calls <= allowed, String(calls)],
    ['no call throttled or failed (reads paced under the quota)', failed === 0, String(failed)],
    [`full scan wall time ≤ ${MAX_WALL_TO_FLOOR}× the rate-limit floor (calls ÷ ${QUOTA.rps} rps)`, ms / floorMs <= MAX_WALL_TO_FLOOR, `${fixed(ms / 1000, 2)} s / ${fixed(floorMs / 1000, 2)} s = ${fixed(ms / floorMs, 3)}`],
    ['rescan describes only what changed (0 here)', sumWhere(rescan.byOperation, 'Describe') === 0, String(sumWhere(rescan.byOperation, 'Describe'))],
    ...scoped.map((s): [string, boolean, string] => [`scoped, ${s.name}: ≤ ${s.maxCalls} calls`, s.calls <= s.maxCalls, String(s.calls)]),
    ['every scoped audit finds what a full audit of the mesh finds', scoped.every((s) => s.sameAsFullAudit), `${scoped.filter((s) => s.sameAsFullAudit).length}/${scoped.length}`],
  ];
  console.log('\nTargets:\n');
  console.log(formatTable(['target', 'measured', 'verdict'], verdicts.map(([what, ok, measured]) => [what, measured, ok ? 'PASS' : 'FAIL'])));
  if (verdicts.some(([, ok]) => !ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`appmesh bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
