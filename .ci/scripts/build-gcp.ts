/**
 * Builds the GCP agent's Cloud Functions source at dist/gcp (CONTRACT.md, last paragraph):
 * functions/gcp/index.ts bundled by esbuild into one CommonJS file, the rules next to it, and a
 * package.json whose `main` registers every function, ready for
 * `gcloud functions deploy --source dist/gcp` and `npx functions-framework --source dist/gcp`.
 *
 * Only functions-framework stays a dependency: Cloud Functions' Node.js buildpack installs it,
 * and the runtime's own invoker must share its function registry with our `main`.
 * Run: npx tsx .ci/scripts/build-gcp.ts [outDir]
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../..');
const FRAMEWORK = '@google-cloud/functions-framework';
/** Optional native helpers that their packages require inside try/catch (ws, node-fetch); absent, they fall back. */
const OPTIONAL_PEERS = new Set(['bufferutil', 'utf-8-validate', 'encoding']);

export interface GcpBuild {
  outDir: string;
  /** Bundle size in bytes. */
  bytes: number;
  /** Every package the bundle leaves to `require` at run time, Node built-ins and optional peers aside: functions-framework. */
  external: string[];
}

export async function buildGcp(outDir = path.join(REPO_ROOT, 'dist/gcp')): Promise<GcpBuild> {
  const root = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
    license: string;
    engines?: Record<string, string>;
    dependencies: Record<string, string>;
  };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const result = await build({
    entryPoints: [path.join(REPO_ROOT, 'functions/gcp/index.ts')],
    outfile: path.join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: [FRAMEWORK],
    // @kubernetes/client-node's generated models are most of the bundle (15 MB as written);
    // minified, cold starts parse a third of it. keepNames keeps error class names in logs, and
    // the source map (NODE_OPTIONS=--enable-source-maps, set by deploy-agent.sh) keeps stack traces readable.
    minify: true,
    keepNames: true,
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
    legalComments: 'linked',
  });

  const rulesDir = path.join(outDir, 'rules');
  mkdirSync(rulesDir);
  for (const name of readdirSync(path.join(REPO_ROOT, 'rules')).filter((n) => /\.ya?ml$/.test(n))) {
    copyFileSync(path.join(REPO_ROOT, 'rules', name), path.join(rulesDir, name));
  }

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
  const builtins = new Set(builtinModules);
  const external = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))]
    .filter((p) => !p.startsWith('node:') && !builtins.has(p) && !OPTIONAL_PEERS.has(p))
    .sort();
  const unexpected = external.filter((p) => p !== FRAMEWORK);
  if (unexpected.length > 0) throw new Error(`dist/gcp would require packages it does not ship: ${unexpected.join(', ')}`);
  return { outDir, bytes: output.bytes, external };
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
