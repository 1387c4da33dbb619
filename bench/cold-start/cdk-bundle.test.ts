/**
 * What the CDK app really ships for a function (the synthesized asset, bundled by the local
 * esbuild): the bench measures bundles built its own way, so this checks that the construct's
 * bundling has the same two properties the figures depend on.
 */
import { App, Stack } from 'aws-cdk-lib';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MeshGovFunction, REPO_ROOT } from '../../cdk/lib/constructs/meshgov-function';
import { POLICY_SNAPSHOT_FILE, type PolicySnapshot } from '../../functions/core/policy/snapshot';
import { createPolicySnapshot } from '../../functions/core/policy/write-snapshot';

let outdir: string;
let asset: string;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'meshgov-cdk-bundle-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'BundleCheck', { env: { account: '111122223333', region: 'us-west-2' } });
  new MeshGovFunction(stack, 'SlackActions', { entry: 'slack-actions.ts', description: 'bundle check', environment: { MESHGOV_LEDGER_TABLE: 'meshgov-ledger' } });
  app.synth();
  const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.') && statSync(path.join(outdir, d)).isDirectory());
  expect(assets).toHaveLength(1);
  asset = path.join(outdir, assets[0]!);
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

it('ships rules/ with the snapshot validated at synth, made from exactly those files', () => {
  const shipped = JSON.parse(readFileSync(path.join(asset, 'rules', POLICY_SNAPSHOT_FILE), 'utf8')) as PolicySnapshot;
  expect(shipped).toEqual(createPolicySnapshot(path.join(REPO_ROOT, 'rules')));
  const yamlFiles = readdirSync(path.join(asset, 'rules')).filter((n) => n.endsWith('.yaml')).sort();
  expect(shipped.files.map((f) => f.name)).toEqual(yamlFiles);
});

it('leaves zod and the yaml parser out of a function that needs neither, and the SDK to the runtime', () => {
  const code = readFileSync(path.join(asset, 'index.js'), 'utf8');
  // An error message of the `yaml` parser, and zod's class names: present in any bundle holding them.
  expect(code).not.toContain('Implicit keys need to be on a single line');
  expect(code).not.toContain('ZodType');
  expect(code).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
  expect(Buffer.byteLength(code)).toBeLessThan(500 * 1024);
});
