/**
 * Audit benchmark (issue 2, point 10): how the full audit scales with the fleet, against
 * the floor of merely reading and parsing the same files.
 *
 * For each fleet size it generates a fleet (bench/fleet.ts) into a temporary directory,
 * then measures, each run in a fresh process and repeated (median time, highest peak RSS):
 *   floor    read + parse every file with js-yaml loadAll / JSON.parse, nothing else
 *   kept     the floor holding every parsed document to the end, as a cross-file audit must (context only)
 *   audit    collectFiles → loadPolicy → auditInventory (the engine API)
 *   least    the kept floor plus the least model-and-rules work any audit of the fleet must do
 *            (bench/audit/least-work.ts): a lower bound, context only
 *   js-yaml  / yaml   the two YAML parsers on the same YAML files, parse time only
 * Each run also reports its garbage-collection pauses (and the audit those of each stage), which
 * show what holding the documents and the model alive costs.
 * Runs of one repetition are interleaved, so drift of a noisy machine hits all of them alike,
 * and every target is a ratio within this one run.
 *
 * Environment: BENCH_SIZES (default 1000,5000,10000), BENCH_REPEAT (default 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runMeasurement } from './audit/run-child';
import type { Measurement } from './audit/measurement';
import { generateFleet, type FleetSummary } from './fleet';
import { median } from './lib/statistics';
import { fixed, formatTable } from './lib/table';

const SIZES = (process.env.BENCH_SIZES ?? '1000,5000,10000').split(',').map((s) => Number(s.trim()));
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);

/** Targets of the issue. */
const MAX_AUDIT_TO_FLOOR = 1.5;
const MAX_LINEARITY = 1.3;
const MAX_PEAK_RSS_MB = 256;

type Run = 'floor' | 'kept' | 'audit' | 'least' | 'js-yaml' | 'yaml';
const RUNS: Record<Run, { script: string; args: (dir: string) => string[] }> = {
  floor: { script: 'measure-floor.ts', args: (dir) => [dir] },
  kept: { script: 'measure-floor.ts', args: (dir) => [dir, '--keep'] },
  audit: { script: 'measure-audit.ts', args: (dir) => [dir] },
  least: { script: 'measure-least-work.ts', args: (dir) => [dir] },
  'js-yaml': { script: 'measure-yaml-parser.ts', args: (dir) => ['js-yaml', dir] },
  yaml: { script: 'measure-yaml-parser.ts', args: (dir) => ['yaml', dir] },
};

interface SizeResult {
  fleet: FleetSummary;
  ms: Record<Run, number>;
  peakRssMb: Record<Run, number>;
  detail: Record<Run, Record<string, number>>;
  /** Medians of the audit's stages: collect (read, parse, detect), model (every provider), evaluate (rules, plans, report). */
  stages: { collectMs: number; modelMs: number; evaluateMs: number };
  /** Median of the least-work run's model part (least-work.ts), after its parse. */
  leastModelMs: number;
  /** Medians of the garbage-collection pauses inside each run and each audit stage. */
  gcMs: { floor: number; kept: number; audit: number; collect: number; model: number; evaluate: number };
  error?: string;
}

function measureSize(size: number): SizeResult {
  const dir = mkdtempSync(path.join(tmpdir(), `meshgov-fleet-${size}-`));
  try {
    const fleet = generateFleet(dir, size);
    process.stderr.write(`audit bench: ${size} workloads, ${fleet.files} files, ${fixed(fleet.bytes / 2 ** 20, 1)} MiB\n`);
    const samples = Object.fromEntries(Object.keys(RUNS).map((r) => [r, [] as Measurement[]])) as Record<Run, Measurement[]>;
    for (let i = 0; i < REPEAT; i++) {
      for (const run of Object.keys(RUNS) as Run[]) {
        samples[run].push(runMeasurement(RUNS[run].script, RUNS[run].args(dir)));
      }
      process.stderr.write(`  repetition ${i + 1}/${REPEAT}: audit ${fixed(samples.audit[i].ms)} ms, floor ${fixed(samples.floor[i].ms)} ms\n`);
    }
    const pick = <T>(f: (m: Measurement[]) => T) =>
      Object.fromEntries((Object.keys(RUNS) as Run[]).map((r) => [r, f(samples[r])])) as Record<Run, T>;
    return {
      fleet,
      ms: pick((m) => median(m.map((x) => x.ms))),
      peakRssMb: pick((m) => Math.max(...m.map((x) => x.maxRssMb))),
      detail: pick((m) => m[m.length - 1].detail),
      leastModelMs: median(samples.least.map((m) => m.detail.modelMs)),
      gcMs: {
        floor: median(samples.floor.map((m) => m.detail.gcMs)),
        kept: median(samples.kept.map((m) => m.detail.gcMs)),
        audit: median(samples.audit.map((m) => m.detail.gcMs)),
        collect: median(samples.audit.map((m) => m.detail.collectGcMs)),
        model: median(samples.audit.map((m) => m.detail.modelGcMs)),
        evaluate: median(samples.audit.map((m) => m.detail.evaluateGcMs)),
      },
      stages: {
        collectMs: median(samples.audit.map((m) => m.detail.collectMs)),
        modelMs: median(samples.audit.map((m) => m.detail.modelMs)),
        evaluateMs: median(samples.audit.map((m) => m.detail.evaluateMs)),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first columns of the tables that set a run beside the floor and the kept floor. */
const FLOOR_COLUMNS = ['workloads', 'floor ms', 'kept ms'];

function floorCells(r: SizeResult): string[] {
  return [String(r.fleet.workloads), fixed(r.ms.floor), fixed(r.ms.kept)];
}

function perThousand(result: SizeResult, run: Run): number {
  return result.ms[run] / (result.fleet.workloads / 1000);
}

function main(): void {
  const results: SizeResult[] = [];
  let failed = false;
  for (const size of SIZES) {
    try {
      results.push(measureSize(size));
    } catch (err) {
      process.stderr.write(`audit bench: ${size} workloads failed: ${(err as Error).message}\n`);
      failed = true;
    }
  }
  if (results.length === 0) {
    process.exitCode = 1;
    return;
  }

  console.log(`\nAudit benchmark — median of ${REPEAT} runs, each in a fresh process; peak RSS is the highest of the runs.\n`);
  console.log(
    formatTable(
      ['workloads', 'files', 'MiB', 'documents', 'findings', 'floor ms', 'kept ms', 'audit ms', 'audit/floor', 'audit/kept', 'floor ms/1k', 'audit ms/1k', 'floor RSS MB', 'kept RSS MB', 'audit RSS MB'],
      results.map((r) => [
        String(r.fleet.workloads),
        String(r.fleet.files),
        fixed(r.fleet.bytes / 2 ** 20, 1),
        String(r.detail.floor.documents),
        String(r.detail.audit.findings),
        fixed(r.ms.floor),
        fixed(r.ms.kept),
        fixed(r.ms.audit),
        fixed(r.ms.audit / r.ms.floor, 2),
        fixed(r.ms.audit / r.ms.kept, 2),
        fixed(perThousand(r, 'floor')),
        fixed(perThousand(r, 'audit')),
        fixed(r.peakRssMb.floor),
        fixed(r.peakRssMb.kept),
        fixed(r.peakRssMb.audit),
      ]),
    ),
  );
  console.log('kept: the floor holding every parsed document to the end, as any audit relating resources across files must; context only, the targets are against the floor.');
  console.log("\nWhere the audit's time goes (medians of its stages, beside the floor and kept runs):\n");
  console.log(
    formatTable(
      [...FLOOR_COLUMNS, 'collect ms', 'model ms', 'evaluate ms', 'collect/kept', 'target ms', 'target − collect ms'],
      results.map((r) => [
        ...floorCells(r),
        fixed(r.stages.collectMs),
        fixed(r.stages.modelMs),
        fixed(r.stages.evaluateMs),
        fixed(r.stages.collectMs / r.ms.kept, 2),
        fixed(MAX_AUDIT_TO_FLOOR * r.ms.floor),
        fixed(MAX_AUDIT_TO_FLOOR * r.ms.floor - r.stages.collectMs),
      ]),
    ),
  );
  console.log('collect: read, parse, detect by content, with lines; model: the Istio, App Mesh, Envoy and certificate providers; evaluate: rules, remediation plans and the report.');
  console.log(`target: ${MAX_AUDIT_TO_FLOOR} × floor; target − collect: what the target leaves for the model and evaluate stages once the files are collected.`);
  console.log('\nA lower bound: the kept floor plus the least model-and-rules work (bench/audit/least-work.ts):\n');
  console.log(
    formatTable(
      [...FLOOR_COLUMNS, 'least ms', 'least/floor', 'least model ms', 'audit model + evaluate ms', 'servers least/audit', 'clients least/audit'],
      results.map((r) => [
        ...floorCells(r),
        fixed(r.ms.least),
        fixed(r.ms.least / r.ms.floor, 2),
        fixed(r.leastModelMs),
        fixed(r.stages.modelMs + r.stages.evaluateMs),
        `${r.detail.least.servers}/${r.detail.audit.servers}`,
        `${r.detail.least.clients}/${r.detail.audit.clients}`,
      ]),
    ),
  );
  console.log(
    'least: each server\'s mode, each client\'s sends, clients matched to servers, the non-STRICT servers and non-mTLS clients counted; no validation, precedence corner cases, plans, certificates or report. Context only: it shows what part of the target the parse alone leaves.',
  );
  console.log('\nGarbage-collection pauses inside each run (medians, ms):\n');
  console.log(
    formatTable(
      ['workloads', 'floor', 'kept', 'audit', 'in collect', 'in model', 'in evaluate'],
      results.map((r) => [String(r.fleet.workloads), ...[r.gcMs.floor, r.gcMs.kept, r.gcMs.audit, r.gcMs.collect, r.gcMs.model, r.gcMs.evaluate].map((ms) => fixed(ms))]),
    ),
  );
  console.log("The pauses V8 reports as `gc` performance entries: what holding data alive costs, beside the wall times above (marking done in steps between the pauses is not counted).");
  console.log('\nYAML parsers on the same YAML files (parse time only):\n');
  console.log(
    formatTable(
      ['workloads', 'YAML docs', 'js-yaml loadAll ms', 'yaml parseAllDocuments+toJS ms', 'yaml/js-yaml'],
      results.map((r) => [
        String(r.fleet.workloads),
        String(r.detail['js-yaml'].documents),
        fixed(r.ms['js-yaml']),
        fixed(r.ms.yaml),
        fixed(r.ms.yaml / r.ms['js-yaml'], 2),
      ]),
    ),
  );

  const verdicts: Array<[string, boolean, string]> = [];
  for (const r of results) {
    const ratio = r.ms.audit / r.ms.floor;
    verdicts.push([`audit/floor at ${r.fleet.workloads} workloads ≤ ${MAX_AUDIT_TO_FLOOR}`, ratio <= MAX_AUDIT_TO_FLOOR, fixed(ratio, 2)]);
  }
  const smallest = results[0];
  const largest = results[results.length - 1];
  if (results.length > 1) {
    const linearity = perThousand(largest, 'audit') / perThousand(smallest, 'audit');
    verdicts.push([
      `audit ms/1k at ${largest.fleet.workloads} ÷ at ${smallest.fleet.workloads} ≤ ${MAX_LINEARITY}`,
      linearity <= MAX_LINEARITY,
      fixed(linearity, 2),
    ]);
  }
  verdicts.push([
    `audit peak RSS at ${largest.fleet.workloads} workloads ≤ ${MAX_PEAK_RSS_MB} MB`,
    largest.peakRssMb.audit <= MAX_PEAK_RSS_MB,
    `${fixed(largest.peakRssMb.audit)} MB`,
  ]);
  console.log('\nTargets:\n');
  console.log(formatTable(['target', 'measured', 'verdict'], verdicts.map(([what, ok, measured]) => [what, measured, ok ? 'PASS' : 'FAIL'])));
  if (failed || verdicts.some(([, ok]) => !ok)) process.exitCode = 1;
}

main();
