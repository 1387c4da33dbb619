/**
 * Bundles one function the way the CDK app does and measures what a cold start pays before the
 * handler runs: the minified bundle size and the time a fresh `node` takes to `require` it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { SNAPSHOT_ONLY_DEFINE } from '../../functions/core/policy/snapshot';
import { writePolicySnapshot } from '../../functions/core/policy/write-snapshot';
import { median } from '../lib/statistics';

export const REPO_ROOT = path.resolve(__dirname, '../..');
/** Inside the repository, so that an external `@aws-sdk/*` resolves from its node_modules as the runtime's copy would. */
export const OUT_ROOT = path.join(REPO_ROOT, '.bench-out/cold-start');

/** How the AWS SDK v3 clients reach the function. */
export type SdkChoice = 'bundled' | 'runtime';

/** How Powertools reaches the function: in the bundle, or from its Lambda layer (/opt/nodejs/node_modules). */
export type PowertoolsChoice = 'bundled' | 'layer';

export interface Variant {
  sdk: SdkChoice;
  powertools: PowertoolsChoice;
}

export interface BundleTarget {
  name: string;
  entry: string;
  /** Packages the deployment provides beside the bundle (functions-framework on GCP). */
  alwaysExternal: readonly string[];
  /** The environment the function gets when deployed, enough for its module scope to load. */
  env: Record<string, string>;
}

export interface ColdStartFigures {
  target: string;
  sdk: SdkChoice;
  powertools: PowertoolsChoice;
  bytes: number;
  initMs: number;
  /** The inputs that weigh most in the minified output, largest first. */
  heaviest: Array<{ input: string; bytes: number }>;
}

/**
 * esbuild with the NodejsFunction settings of cdk/lib/constructs/meshgov-function.ts: bundle,
 * minify, source map, target node22, platform node, CommonJS, the snapshot-only policy define,
 * and rules/ with its validated snapshot beside the bundle (the afterBundling hook).
 * NodejsFunction marks `@aws-sdk/*` external for node18+ runtimes unless `externalModules`
 * says otherwise. Externals resolve from the repository's node_modules, as the runtime's
 * (/var/runtime/node_modules) or a layer's (/opt/nodejs/node_modules) copy would.
 */
export async function bundle(target: BundleTarget, variant: Variant): Promise<{ file: string; bytes: number; metafile: Metafile; rulesDir: string }> {
  const outdir = path.join(OUT_ROOT, `${target.name}-sdk-${variant.sdk}-powertools-${variant.powertools}`);
  mkdirSync(outdir, { recursive: true });
  const rulesDir = path.join(outdir, 'rules');
  cpSync(path.join(REPO_ROOT, 'rules'), rulesDir, { recursive: true });
  writePolicySnapshot(path.join(REPO_ROOT, 'rules'), rulesDir);
  const file = path.join(outdir, 'index.js');
  const result = await build({
    entryPoints: [path.join(REPO_ROOT, target.entry)],
    outfile: file,
    bundle: true,
    minify: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    format: 'cjs',
    external: [...target.alwaysExternal, ...(variant.sdk === 'runtime' ? ['@aws-sdk/*'] : []), ...(variant.powertools === 'layer' ? ['@aws-lambda-powertools/*'] : [])],
    define: { ...SNAPSHOT_ONLY_DEFINE },
    metafile: true,
    logLevel: 'error',
  });
  return { file, bytes: statSync(file).size, metafile: result.metafile, rulesDir };
}

/** The inputs contributing most bytes to the output, grouped by package (or by file for our own code). */
export function heaviestInputs(metafile: Metafile, count = 5): Array<{ input: string; bytes: number }> {
  const byInput = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1]! : input;
      byInput.set(key, (byInput.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...byInput].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, count);
}

/** One thing to time: a fresh `node` requiring `file`, after `preload` (already loaded by the platform). */
export interface InitJob {
  file: string;
  env: Record<string, string>;
  preload?: readonly string[];
}

/**
 * Module initialisation of one fresh `node` (with --enable-source-maps, as deployed: the CDK
 * app sets NODE_OPTIONS so): the time around the `require` of the file, in ms. `preload` is
 * required before the clock starts: what the platform has loaded already (on GCP, the
 * functions-framework invoker that then requires our `main`).
 */
export function timeOnce(job: InitJob): number {
  const before = (job.preload ?? []).map((m) => `require(${JSON.stringify(m)});`).join('');
  const script = `${before}const t=process.hrtime.bigint();require(${JSON.stringify(job.file)});const d=process.hrtime.bigint()-t;process.stdout.write(String(Number(d)/1e6));process.exit(0)`;
  const run = spawnSync(process.execPath, ['--enable-source-maps', '-e', script], {
    cwd: path.dirname(job.file),
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(REPO_ROOT, 'node_modules'), ...job.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`requiring ${job.file} failed (${run.status ?? run.signal}): ${run.stderr.slice(-2000)}`);
  return Number(run.stdout);
}

/**
 * The median init time of every job over `rounds` rounds, each round timing every job once in
 * turn: on a shared machine the load drifts over a run, and round-robin spreads that drift
 * over all jobs alike, so their ratios hold even when the absolute figures wander.
 */
export function interleavedInitTimes(jobs: readonly InitJob[], rounds = 9): number[] {
  const times: number[][] = jobs.map(() => []);
  for (let r = 0; r < rounds; r++) jobs.forEach((job, i) => times[i]!.push(timeOnce(job)));
  return times.map((t) => median(t));
}

/** A bundle built as deployed, with what it is made of and the jobs that time it. */
export interface PreparedBundle {
  target: string;
  variant: Variant;
  bytes: number;
  heaviest: Array<{ input: string; bytes: number }>;
  /** The packages the bundle requires from outside (the runtime's SDK, a layer). */
  externalPackages: string[];
  /** Requiring the bundle. */
  init: InitJob;
  /** Requiring only its external packages, when it has any: the share of init the bundle does not control. */
  externalsInit?: InitJob;
}

export async function prepare(target: BundleTarget, variant: Variant): Promise<PreparedBundle> {
  const { file, bytes, metafile, rulesDir } = await bundle(target, variant);
  const env = { ...target.env, MESHGOV_RULES: rulesDir };
  const packages = externalPackages(metafile).filter((p) => !target.alwaysExternal.includes(p));
  return {
    target: target.name,
    variant,
    bytes,
    heaviest: heaviestInputs(metafile),
    externalPackages: packages,
    init: { file, env },
    ...(packages.length > 0 ? { externalsInit: { file: requireAll(path.dirname(file), packages), env } } : {}),
  };
}

/** The packages (not Node built-ins) an esbuild output leaves to `require` at run time. */
export function externalPackages(metafile: Metafile): string[] {
  const imports = Object.values(metafile.outputs).flatMap((o) => o.imports);
  return [...new Set(imports.filter((i) => i.external && !i.path.startsWith('node:') && !builtinModules.includes(i.path)).map((i) => i.path))].sort();
}

/** A module that only requires `packages`, to time them apart from the bundle. */
function requireAll(dir: string, packages: readonly string[]): string {
  const file = path.join(dir, 'externals-only.js');
  writeFileSync(file, packages.map((p) => `require(${JSON.stringify(p)});`).join('\n'));
  return file;
}
