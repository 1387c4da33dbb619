/**
 * Bundles one function the way the CDK app does and measures what a cold start pays before the
 * handler runs: the minified bundle size and the time a fresh `node` takes to `require` it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { median } from '../lib/statistics';

export const REPO_ROOT = path.resolve(__dirname, '../..');
/** Inside the repository, so that an external `@aws-sdk/*` resolves from its node_modules as the runtime's copy would. */
export const OUT_ROOT = path.join(REPO_ROOT, '.bench-out/cold-start');

/** How the AWS SDK v3 clients reach the function. */
export type SdkChoice = 'bundled' | 'runtime';

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
  bytes: number;
  initMs: number;
  /** The inputs that weigh most in the minified output, largest first. */
  heaviest: Array<{ input: string; bytes: number }>;
}

/**
 * esbuild with the NodejsFunction settings of cdk/lib/constructs/meshgov-function.ts: bundle,
 * minify, source map, target node22, platform node, CommonJS. NodejsFunction marks
 * `@aws-sdk/*` external for node18+ runtimes unless `externalModules` says otherwise.
 */
export async function bundle(target: BundleTarget, sdk: SdkChoice): Promise<{ file: string; bytes: number; metafile: Metafile }> {
  const outdir = path.join(OUT_ROOT, `${target.name}-${sdk}`);
  mkdirSync(outdir, { recursive: true });
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
    external: [...target.alwaysExternal, ...(sdk === 'runtime' ? ['@aws-sdk/*'] : [])],
    metafile: true,
    logLevel: 'error',
  });
  return { file, bytes: statSync(file).size, metafile: result.metafile };
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

/**
 * Module initialisation: a fresh `node` (with NODE_OPTIONS=--enable-source-maps, as deployed)
 * that only `require`s the bundle, timed with process.hrtime around the require; median of `runs`.
 */
export function initTime(file: string, env: Record<string, string>, runs = 5): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});const d=process.hrtime.bigint()-t;process.stdout.write(String(Number(d)/1e6));process.exit(0)`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(process.execPath, ['--enable-source-maps', '-e', script], {
      cwd: path.dirname(file),
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0) throw new Error(`requiring ${file} failed (${run.status ?? run.signal}): ${run.stderr.slice(-2000)}`);
    times.push(Number(run.stdout));
  }
  return median(times);
}

export async function measure(target: BundleTarget, sdk: SdkChoice): Promise<ColdStartFigures> {
  const { file, bytes, metafile } = await bundle(target, sdk);
  return { target: target.name, sdk, bytes, initMs: initTime(file, target.env), heaviest: heaviestInputs(metafile) };
}
