/**
 * Cold-start benchmark (issue 7, point 4): for every Lambda handler and the GCP agent, the
 * minified bundle size and the module initialisation time (a fresh `node` requiring the
 * bundle, median of 9, every bundle timed round-robin), built as deployed: the CDK app's NodejsFunction settings and
 * .ci/scripts/build-gcp.ts, both with the validated policy snapshot instead of zod and yaml.
 * Targets: at most 500 KB minified per function, at most 150 ms to initialise.
 *
 * Beside the deployed variant it builds the alternatives the decisions are taken from: the AWS
 * SDK v3 clients bundled instead of taken from the nodejs22.x runtime, Powertools from its
 * Lambda layer instead of bundled, and the GCP agent in one file instead of with its lazily
 * required vendor bundles. Prints the table, what each deployed bundle is made of (esbuild
 * metafile), and the decisions with their figures.
 *
 * Exits 1 when a deployed function misses a target, or when a choice in
 * cdk/lib/constructs/meshgov-function.ts is not the one the numbers favour. Init times are
 * absolute milliseconds on whatever machine runs this: compare rows of one run (the `node`
 * row is the floor every require pays), not runs on different days.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fixed, formatTable } from './lib/table';
import { heaviestInputs, interleavedInitTimes, OUT_ROOT, prepare, REPO_ROOT, type BundleTarget, type ColdStartFigures, type InitJob, type Variant } from './cold-start/measure';
import { preferredPowertoolsChoice, preferredSdkChoice, SIZE_TARGET_BYTES, INIT_TARGET_MS } from './cold-start/decision';
import { CDK_POWERTOOLS_CHOICE, CDK_SDK_CHOICE } from '../cdk/lib/constructs/meshgov-function';
import { buildGcp } from '../.ci/scripts/build-gcp';

const HUB_ENV: Record<string, string> = {
  AWS_REGION: 'us-west-2',
  AWS_DEFAULT_REGION: 'us-west-2',
  AWS_LAMBDA_FUNCTION_NAME: 'meshgov-bench',
  MESHGOV_DRY_RUN: 'true',
  MESHGOV_LEDGER_TABLE: 'meshgov-ledger',
  MESHGOV_IDEMPOTENCY_TABLE: 'meshgov-idempotency',
  MESHGOV_MESHES: 'prod-mesh',
  MESHGOV_ACCOUNT_ID: '111122223333',
  MESHGOV_SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-west-2:111122223333:secret:meshgov-slack-AbCdEf',
  MESHGOV_LINK_SECRET_ARN: 'arn:aws:secretsmanager:us-west-2:111122223333:secret:meshgov-link-AbCdEf',
  MESHGOV_APPROVAL_QUEUE_URL: 'https://sqs.us-west-2.amazonaws.com/111122223333/meshgov-approvals',
  POWERTOOLS_METRICS_NAMESPACE: 'meshgov',
  POWERTOOLS_SERVICE_NAME: 'meshgov-bench',
};
const GCP_ENV: Record<string, string> = {
  MESHGOV_DRY_RUN: 'true',
  MESHGOV_HUB_URL: 'https://abc123.execute-api.us-west-2.amazonaws.com/agent/findings',
  MESHGOV_LINK_SECRET: 'bench-link-secret-0123456789abcdef0123456789abcdef',
  MESHGOV_GCP_PROJECT: 'meshgov-prod',
  MESHGOV_GKE_CLUSTER: 'prod-cluster',
  MESHGOV_GKE_LOCATION: 'us-central1',
  MESHGOV_AGENT_SA: 'meshgov-agent@meshgov-prod.iam.gserviceaccount.com',
};
/** On Cloud Functions the invoker has loaded functions-framework before it requires our `main`. */
const FRAMEWORK = '@google-cloud/functions-framework';

const LAMBDA_HANDLERS = ['app-mesh-events', 'slack-actions', 'approval-worker', 'agent-findings', 'latency-alarm'];
/** Handlers that import Powertools: the only ones where the layer is a choice. */
const USES_POWERTOOLS = new Set(['app-mesh-events']);

interface Row {
  name: string;
  variant: string;
  deployed: boolean;
  bytes: number;
  init: InitJob;
  /** Requiring only the packages outside the bundle (the runtime's SDK, a layer). */
  externalsInit?: InitJob;
  /** A lazily required file: loaded on first use, not at init; no target applies to it alone. */
  lazy?: boolean;
  /** For the SDK and Powertools decisions. */
  figures?: Omit<ColdStartFigures, 'initMs'>;
}

type Timed = Row & { initMs: number; externalMs?: number };

const kb = (bytes: number) => fixed(bytes / 1024, 1);
const meets = (r: Pick<Timed, 'bytes' | 'initMs'>) => r.bytes <= SIZE_TARGET_BYTES && r.initMs <= INIT_TARGET_MS;

function lambdaTargets(): BundleTarget[] {
  return LAMBDA_HANDLERS.filter((h) => existsSync(path.join(REPO_ROOT, `functions/aws/${h}.ts`))).map((h) => ({
    name: h,
    entry: `functions/aws/${h}.ts`,
    alwaysExternal: [],
    env: HUB_ENV,
  }));
}

async function main(): Promise<void> {
  rmSync(OUT_ROOT, { recursive: true, force: true });
  const rows: Row[] = [];
  const composition: string[] = [];

  // The floor: what requiring an empty module costs in a fresh node on this machine now.
  mkdirSync(OUT_ROOT, { recursive: true });
  const empty = path.join(OUT_ROOT, 'empty.js');
  writeFileSync(empty, '');
  rows.push({ name: '(node, empty module)', variant: '', deployed: false, bytes: 0, init: { file: empty, env: {} } });

  for (const target of lambdaTargets()) {
    // The deployed variant first, then each alternative with one choice flipped.
    const variants: Variant[] = [
      { sdk: CDK_SDK_CHOICE, powertools: CDK_POWERTOOLS_CHOICE },
      { sdk: CDK_SDK_CHOICE === 'runtime' ? 'bundled' : 'runtime', powertools: CDK_POWERTOOLS_CHOICE },
      ...(USES_POWERTOOLS.has(target.name) ? [{ sdk: CDK_SDK_CHOICE, powertools: CDK_POWERTOOLS_CHOICE === 'bundled' ? ('layer' as const) : ('bundled' as const) }] : []),
    ];
    for (const [i, variant] of variants.entries()) {
      const b = await prepare(target, variant);
      rows.push({
        name: target.name,
        variant: `sdk ${variant.sdk}, powertools ${variant.powertools}`,
        deployed: i === 0,
        bytes: b.bytes,
        init: b.init,
        ...(b.externalsInit ? { externalsInit: b.externalsInit } : {}),
        figures: { target: target.name, ...variant, bytes: b.bytes, heaviest: b.heaviest },
      });
      if (i === 0) composition.push(`${target.name}: ${b.heaviest.map((h) => `${h.input} ${kb(h.bytes)}`).join(', ')}`);
    }
  }

  // The GCP agent, built by the real build script; timed with the framework already loaded.
  for (const splitVendor of [true, false]) {
    const out = path.join(OUT_ROOT, splitVendor ? 'gcp' : 'gcp-one-file');
    const built = await buildGcp(out, { splitVendor });
    const env = { ...GCP_ENV, MESHGOV_RULES: path.join(out, 'rules') };
    const variant = splitVendor ? 'index.js, vendor/ lazy' : 'one file';
    rows.push({ name: 'gcp-agent', variant, deployed: splitVendor, bytes: built.bytes, init: { file: path.join(out, 'index.js'), env, preload: [FRAMEWORK] } });
    if (splitVendor) {
      composition.push(`gcp-agent index.js: ${heaviestInputs(built.metafile, 6).map((h) => `${h.input} ${kb(h.bytes)}`).join(', ')}`);
      for (const v of built.vendor) {
        rows.push({ name: `  first use: ${v.module}`, variant: `vendor/${path.basename(v.file)}`, deployed: false, lazy: true, bytes: v.bytes, init: { file: v.file, env: {} } });
      }
    }
  }

  // Every bundle (and every externals-only module) timed round-robin, so load drift hits all alike.
  const jobs: InitJob[] = [];
  const index = (job: InitJob) => jobs.push(job) - 1;
  const slots = rows.map((r) => ({ init: index(r.init), externals: r.externalsInit ? index(r.externalsInit) : undefined }));
  const medians = interleavedInitTimes(jobs);
  const timed: Timed[] = rows.map((r, i) => ({ ...r, initMs: medians[slots[i]!.init]!, ...(slots[i]!.externals !== undefined ? { externalMs: medians[slots[i]!.externals!]! } : {}) }));

  const table = timed.map((r) => [
    r.name,
    r.variant,
    r.bytes === 0 ? '' : kb(r.bytes),
    fixed(r.initMs, 1),
    r.externalMs !== undefined ? fixed(r.externalMs, 1) : '',
    r.deployed ? 'deployed' : r.lazy ? 'lazy' : '',
    r.deployed || (!r.lazy && r.bytes > 0) ? (meets(r) ? 'PASS' : 'FAIL') : '',
  ]);
  process.stdout.write(`${formatTable(['function', 'variant', 'KB min', 'init ms', 'externals alone', '', `≤${SIZE_TARGET_BYTES / 1024} KB, ≤${INIT_TARGET_MS} ms`], table)}\n\n`);
  process.stdout.write('init ms: median of 9 fresh `node` processes, all rows timed round-robin; externals alone: requiring only the packages the bundle leaves outside (the runtime\'s SDK, the layer), timed the same way.\n\n');
  process.stdout.write(`Biggest inputs of the deployed bundles (KB in the minified output):\n${composition.map((c) => `  ${c}`).join('\n')}\n\n`);

  let failed = false;
  for (const r of timed.filter((x) => x.deployed && !meets(x))) {
    process.stdout.write(`FAIL ${r.name} (${r.variant}): ${kb(r.bytes)} KB, ${fixed(r.initMs, 1)} ms init\n`);
    failed = true;
  }

  const lambdaFigures: ColdStartFigures[] = timed.filter((r) => r.figures).map((r) => ({ ...r.figures!, initMs: r.initMs }));
  const sdk = preferredSdkChoice(lambdaFigures.filter((f) => f.powertools === CDK_POWERTOOLS_CHOICE));
  process.stdout.write(`SDK decision: ${sdk.choice} (${sdk.why}); the CDK app uses: ${CDK_SDK_CHOICE}\n`);
  const powertools = preferredPowertoolsChoice(lambdaFigures.filter((f) => f.sdk === CDK_SDK_CHOICE && USES_POWERTOOLS.has(f.target)));
  process.stdout.write(`Powertools decision: ${powertools.choice} (${powertools.why}); the CDK app uses: ${CDK_POWERTOOLS_CHOICE}\n`);
  if (sdk.choice !== CDK_SDK_CHOICE || powertools.choice !== CDK_POWERTOOLS_CHOICE) {
    process.stdout.write('the CDK app should change its bundling in cdk/lib/constructs/meshgov-function.ts\n');
    failed = true;
  }
  if (failed) process.exitCode = 1;
  rmSync(OUT_ROOT, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
