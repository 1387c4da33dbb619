/**
 * Live Istio benchmark (issue 4, point 7): a full audit through the Kubernetes API of 500
 * namespaces with 20 workloads each, against the file-based audit of the same fleet.
 *
 * The fleet (bench/istio-live/cluster-fleet.ts) is seeded into the Kubernetes emulator, which
 * runs in a process of its own, and written as one multi-document YAML file per namespace.
 * Every measurement runs in a fresh process (peak RSS from process.resourceUsage().maxRSS):
 *   live · emulator  kubeconfig → istioSource.collect (paged lists, 500 per page) → auditInventory,
 *                    against the emulator, which counts the API calls
 *   live · replay    the same, against a server replaying the emulator's recorded answers at once
 *   files            collectFiles → auditInventory
 * The emulator deep-copies the whole collection for every list page, so at this size its own
 * serving time (its event loop's busy time, reported) is nearly all of the first run's wall
 * time; the replay shows the reader against an API server that answers at once, as one
 * serving from its watch cache roughly does. Both audits must report the same findings, rule
 * by rule: the reader's only job is to hand the model what the files hold.
 *
 * Environment: BENCH_NAMESPACES (default 500), BENCH_REPEAT (replay and file runs, default 3),
 * BENCH_PAGE_SIZE (default 500).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { dump } from 'js-yaml';
import type { Measurement } from './audit/measurement';
import { runMeasurement } from './audit/run-child';
import { generateClusterFleet, type ClusterFleet } from './istio-live/cluster-fleet';
import { median } from './lib/statistics';
import { fixed, formatTable } from './lib/table';

const NAMESPACES = Number(process.env['BENCH_NAMESPACES'] ?? 500);
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 3);
const PAGE_SIZE = Number(process.env['BENCH_PAGE_SIZE'] ?? 500);
const TSX_REQUIRE = require.resolve('tsx/cjs');

/** runMeasurement resolves scripts in bench/audit; these live beside this file's folder. */
const LIVE_SCRIPT = '../istio-live/measure-live.ts';
const FILES_SCRIPT = '../istio-live/measure-files.ts';

interface ServerProcess {
  kubeconfigPath: string;
  /** Requests since the last ask, and the server's busy time meanwhile. */
  calls(): Promise<{ calls: Record<string, number>; busyMs: number }>;
  save(file: string): Promise<number>;
  stop(): Promise<void>;
}

/** One multi-document YAML file per namespace, as `kubectl get … -o yaml` per namespace would leave them. */
function writeFleetFiles(fleet: ClusterFleet, dir: string): number {
  let bytes = 0;
  mkdirSync(dir, { recursive: true });
  for (const ns of fleet.namespaces) {
    const text = ns.objects.map((o) => dump(o, { lineWidth: -1, noRefs: true })).join('---\n');
    writeFileSync(path.join(dir, `${ns.name}.yaml`), text);
    bytes += Buffer.byteLength(text);
  }
  return bytes;
}

async function startServer(mode: 'emulator' | 'replay', file: string, work: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--max-old-space-size=4096', '--require', TSX_REQUIRE, path.join(__dirname, 'istio-live', 'serve-api.ts'), mode, file], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the ${mode} server exited with ${code}`));
  });
  const nextLine = () => new Promise<string>((resolve, reject) => void waiting.push({ resolve, reject }));
  const ready = JSON.parse(await nextLine()) as { url: string; kubeconfig: string };
  const kubeconfigPath = path.join(work, `kubeconfig-${mode}.yaml`);
  writeFileSync(kubeconfigPath, ready.kubeconfig);
  const ask = async <T>(command: string): Promise<T> => {
    child.stdin!.write(`${command}\n`);
    return JSON.parse(await nextLine()) as T;
  };
  return {
    kubeconfigPath,
    calls: () => ask('calls'),
    save: async (target) => (await ask<{ saved: number }>(`save ${target}`)).saved,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end('stop\n');
      }),
  };
}

function sum(counts: Record<string, number>, verb?: string): number {
  return Object.entries(counts)
    .filter(([key]) => verb === undefined || key.startsWith(`${verb} `))
    .reduce((total, [, n]) => total + n, 0);
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'meshgov-istio-live-'));
  let server: ServerProcess | undefined;
  try {
    const fleet = generateClusterFleet(NAMESPACES);
    const objects = fleet.namespaces.reduce((n, ns) => n + ns.objects.length, 0);
    const filesDir = path.join(work, 'fleet');
    const bytes = writeFleetFiles(fleet, filesDir);
    const seedFile = path.join(work, 'seed.json');
    writeFileSync(seedFile, JSON.stringify(fleet.namespaces.flatMap((ns) => ns.objects)));
    process.stderr.write(
      `istio-live bench: ${NAMESPACES} namespaces, ${objects} objects (${Object.entries(fleet.counts).map(([k, n]) => `${n} ${k}`).join(', ')}), ${fixed(bytes / 2 ** 20, 1)} MiB of YAML\n`,
    );

    // One run against the emulator: API calls, the emulator's serving time, and a recording.
    server = await startServer('emulator', seedFile, work);
    await server.calls(); // forget the seeding
    const throughEmulator = runMeasurement(LIVE_SCRIPT, [server.kubeconfigPath]);
    const served = await server.calls();
    const recordingFile = path.join(work, 'recording.json');
    const recorded = await server.save(recordingFile);
    await server.stop();
    process.stderr.write(`  live through the emulator: ${fixed(throughEmulator.ms)} ms, ${sum(served.calls)} calls, emulator busy ${fixed(served.busyMs)} ms; ${recorded} answers recorded\n`);

    // The same reads replayed at once, interleaved with the file runs.
    server = await startServer('replay', recordingFile, work);
    const replayed: Measurement[] = [];
    const files: Measurement[] = [];
    const replayBusy: number[] = [];
    let replayCalls = 0;
    for (let i = 0; i < REPEAT; i++) {
      replayed.push(runMeasurement(LIVE_SCRIPT, [server.kubeconfigPath]));
      const answered = await server.calls();
      replayBusy.push(answered.busyMs);
      replayCalls = answered.calls['requests'] ?? 0;
      files.push(runMeasurement(FILES_SCRIPT, [filesDir]));
      process.stderr.write(`  repetition ${i + 1}/${REPEAT}: live (replay) ${fixed(replayed[i]!.ms)} ms, files ${fixed(files[i]!.ms)} ms\n`);
    }
    await server.stop();
    server = undefined;

    const med = (runs: Measurement[], field?: string) => median(runs.map((m) => (field ? m.detail[field]! : m.ms)));
    const rss = (runs: Measurement[]) => Math.max(...runs.map((m) => m.maxRssMb));
    const detail = (runs: Measurement[]) => runs[runs.length - 1]!.detail;
    const row = (label: string, runs: Measurement[], apiCalls: string, serverMs: string) => [
      label,
      String(detail(runs)['objects']),
      apiCalls,
      serverMs,
      String(detail(runs)['findings']),
      fixed(med(runs, 'collectMs')),
      fixed(med(runs) - med(runs, 'collectMs')),
      fixed(med(runs)),
      fixed(med(runs, 'cpuMs')),
      fixed(rss(runs)),
    ];
    const ratio = (a: number, b: number) => fixed(a / b, 2);
    console.log(`\nLive Istio audit vs file audit — ${NAMESPACES} namespaces × 20 workloads. Each run in a fresh process; replay and file rows are medians of ${REPEAT} runs.\n`);
    console.log(
      formatTable(
        ['source', 'objects', 'API calls', 'server busy ms', 'findings', 'read ms', 'audit ms', 'total ms', 'client CPU ms', 'peak RSS MB'],
        [
          row('live · emulator', [throughEmulator], String(sum(served.calls)), fixed(served.busyMs)),
          row('live · replay', replayed, String(replayCalls), fixed(median(replayBusy))),
          row(`files · ${detail(files)['files']} YAML files`, files, '—', '—'),
          ['live · replay ÷ files', '', '', '', '', ratio(med(replayed, 'collectMs'), med(files, 'collectMs')), '', ratio(med(replayed), med(files)), ratio(med(replayed, 'cpuMs'), med(files, 'cpuMs')), ratio(rss(replayed), rss(files))],
        ],
      ),
    );
    console.log('\n"read ms" includes waiting for the API server; "server busy ms" is the server process\'s working time; "client CPU ms" is the measured process\'s own work.');
    console.log('\nAPI calls of one live run:\n');
    console.log(formatTable(['call', 'count'], [...Object.entries(served.calls).sort(([a], [b]) => a.localeCompare(b)), ['total', sum(served.calls)]].map(([k, n]) => [String(k), String(n)])));

    const runs = { emulator: detail([throughEmulator]), replay: detail(replayed), files: detail(files) };
    const rules = [...new Set(Object.values(runs).flatMap((d) => Object.keys(d)).filter((k) => k.startsWith('rule:')))].sort();
    console.log('\nFindings by rule:\n');
    console.log(formatTable(['rule', 'live · emulator', 'live · replay', 'files'], rules.map((r) => [r.slice(5), String(runs.emulator[r] ?? 0), String(runs.replay[r] ?? 0), String(runs.files[r] ?? 0)])));

    const same = rules.every((r) => runs.emulator[r] === runs.files[r] && runs.replay[r] === runs.files[r]);
    const podPages = served.calls['list pods'] ?? 0;
    const verdicts: [string, string, boolean][] = [
      ['the live and file audits report the same findings, rule by rule', same ? 'same' : 'different', same],
      [`lists are paged: pod pages ≥ pods ÷ ${PAGE_SIZE}`, `${podPages} pod pages, ${sum(served.calls, 'list')} list calls`, podPages >= Math.ceil((fleet.counts['Pod'] ?? 0) / PAGE_SIZE)],
      ['no request was retried', String(runs.emulator['retries']), runs.emulator['retries'] === 0],
    ];
    console.log('\nChecks:\n');
    console.log(formatTable(['check', 'measured', 'verdict'], verdicts.map(([what, measured, ok]) => [what, measured, ok ? 'PASS' : 'FAIL'])));
    if (verdicts.some(([, , ok]) => !ok)) process.exitCode = 1;
  } finally {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`istio-live bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
