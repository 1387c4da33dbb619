/**
 * Builds the GCP agent's Cloud Functions source at dist/gcp (CONTRACT.md, last paragraph):
 * functions/gcp/index.ts bundled by esbuild into one CommonJS file, the rules next to it (with
 * their snapshot, validated here), the lazily loaded vendor/ bundles, and a package.json whose `main` registers every function, ready for
 * `gcloud functions deploy --source dist/gcp` and `npx functions-framework --source dist/gcp`.
 *
 * Only functions-framework stays a dependency: Cloud Functions' Node.js buildpack installs it,
 * and the runtime's own invoker must share its function registry with our `main`.
 *
 * The Kubernetes client and google-auth-library are bundled on their own, into vendor/, and
 * required from there on first use (the live Istio provider already requires them lazily):
 * they are 4.2 MB of the 4.85 MB a single file would be, and a cold start that parses only
 * index.js initialises in well under 150 ms. The Kubernetes client is ESM-only: installed by
 * the buildpack and required from node_modules it loads about twice as slowly as bundled. Figures and the reasoning: bench/cold-start.bench.ts and the README's cold-start section.
 * Run: npx tsx .ci/scripts/build-gcp.ts [outDir]
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { readRulesFiles } from '../../functions/core/policy/rules-files';
import { SNAPSHOT_ONLY_DEFINE } from '../../functions/core/policy/snapshot';
import { writePolicySnapshot } from '../../functions/core/policy/write-snapshot';

const REPO_ROOT = path.resolve(__dirname, '../..');
const FRAMEWORK = '@google-cloud/functions-framework';
/** Optional native helpers that their packages require inside try/catch (ws, node-fetch); absent, they fall back. */
const OPTIONAL_PEERS = new Set(['bufferutil', 'utf-8-validate', 'encoding']);
/** Packages our code requires only on first use: each becomes vendor/<file>, loaded then. */
export const LAZY_VENDOR: Readonly<Record<string, string>> = {
  '@kubernetes/client-node': 'kubernetes-client.js',
  'google-auth-library': 'google-auth-library.js',
};

/** esbuild options every GCP output shares. */
const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // keepNames keeps error class names in logs, and the source map
  // (NODE_OPTIONS=--enable-source-maps, set by deploy-agent.sh) keeps stack traces readable.
  minify: true,
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
  legalComments: 'linked',
} as const;

/** Points the lazy packages' requires at their vendor bundles, relative to index.js. */
const requireFromVendor: Plugin = {
  name: 'meshgov-lazy-vendor',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(LAZY_VENDOR).map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: `./vendor/${LAZY_VENDOR[args.path]}`, external: true }));
  },
};

export interface GcpBuild {
  outDir: string;
  /** Bundle size in bytes. */
  bytes: number;
  /** Every package the bundle leaves to `require` at run time, Node built-ins and optional peers aside: functions-framework. */
  external: string[];
  /** What index.js is made of (for bench/cold-start). */
  metafile: Metafile;
  /** The lazily required vendor bundles (LAZY_VENDOR), with their sizes in bytes. */
  vendor: Array<{ module: string; file: string; bytes: number }>;
}

/**
 * @param splitVendor false puts the lazy packages inside index.js, as before the split: only
 *   bench/cold-start uses it, to keep the figures of both layouts side by side.
 */
/** The rules the agent ships: MESHGOV_RULES when set (as for `cdk deploy`), else the repository's rules/. */
export function sourceRulesDir(): string {
  return process.env.MESHGOV_RULES ? path.resolve(process.env.MESHGOV_RULES) : path.join(REPO_ROOT, 'rules');
}

/**
 * Copies the rules files into `<outDir>/rules` and validates them there, so a broken file fails the build (with file, line and field), not a cold start.
 * The files are the ones the policy loader reads (readRulesFiles: `b.YAML` too, never `.#a.yaml`), so the snapshot names exactly the files shipped beside it.
 */
export function shipRules(from: string, outDir: string): void {
  const rulesDir = path.join(outDir, 'rules');
  mkdirSync(rulesDir);
  for (const file of readRulesFiles(from).files) copyFileSync(file.file, path.join(rulesDir, file.name));
  writePolicySnapshot(from, rulesDir);
}

export async function buildGcp(outDir = path.join(REPO_ROOT, 'dist/gcp'), { splitVendor = true } = {}): Promise<GcpBuild> {
  const root = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
    license: string;
    engines?: Record<string, string>;
    dependencies: Record<string, string>;
  };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const result = await build({
    ...COMMON,
    entryPoints: [path.join(REPO_ROOT, 'functions/gcp/index.ts')],
    outfile: path.join(outDir, 'index.js'),
    external: [FRAMEWORK],
    // As the Lambda bundles: the policy is read from the snapshot written below, without zod or yaml.
    define: { ...SNAPSHOT_ONLY_DEFINE },
    plugins: splitVendor ? [requireFromVendor] : [],
  });
  const vendor: GcpBuild['vendor'] = [];
  for (const [module, file] of splitVendor ? Object.entries(LAZY_VENDOR) : []) {
    const outfile = path.join(outDir, 'vendor', file);
    const built = await build({ ...COMMON, stdin: { contents: `module.exports = require(${JSON.stringify(module)});`, resolveDir: REPO_ROOT, loader: 'js' }, outfile });
    const left = packagesLeftExternal(Object.values(built.metafile.outputs).find((o) => o.entryPoint)!.imports);
    if (left.length > 0) throw new Error(`dist/gcp/vendor/${file} would require packages it does not ship: ${left.join(', ')}`);
    vendor.push({ module, file: outfile, bytes: statSync(outfile).size });
  }

  shipRules(sourceRulesDir(), outDir);

  const pkg = {
    name: 'meshgov-gcp-agent',
    version: root.version,
    description: 'meshgov GCP agent: Cloud Functions istioConfigChanged, istioScheduledAudit and executeRemediation',
    license: root.license,
    private: true,
    main: 'index.js',
    engines: { node: '>=20.19' },
    dependencies: { [FRAMEWORK]: root.dependencies[FRAMEWORK] },
  };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // Source maps are for stack traces (NODE_OPTIONS=--enable-source-maps), not for upload size worries; tests are not shipped.
  writeFileSync(path.join(outDir, '.gcloudignore'), 'node_modules/\n');

  const output = result.metafile!.outputs[path.relative(process.cwd(), path.join(outDir, 'index.js'))] ?? Object.values(result.metafile!.outputs).find((o) => o.entryPoint)!;
  const external = packagesLeftExternal(output.imports).filter((p) => !p.startsWith('./vendor/'));
  const unexpected = external.filter((p) => p !== FRAMEWORK);
  if (unexpected.length > 0) throw new Error(`dist/gcp would require packages it does not ship: ${unexpected.join(', ')}`);
  return { outDir, bytes: output.bytes, external, metafile: result.metafile!, vendor };
}

/** The packages an output requires at run time, Node built-ins and optional peers aside. */
function packagesLeftExternal(imports: ReadonlyArray<{ path: string; external?: boolean }>): string[] {
  const builtins = new Set(builtinModules);
  return [...new Set(imports.filter((i) => i.external).map((i) => i.path))].filter((p) => !p.startsWith('node:') && !builtins.has(p) && !OPTIONAL_PEERS.has(p)).sort();
}

if (require.main === module) {
  buildGcp(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (r) => console.log(`dist/gcp: ${(r.bytes / 1024).toFixed(0)} KiB bundle, external: ${r.external.join(', ') || 'none'} -> ${r.outDir}`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
