import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MeshGovernanceStack } from '../../../cdk/lib/mesh-governance-stack';

const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * Replaces what differs between machines and builds: asset hashes (the S3 keys of the bundled
 * functions are `<sha256>.zip`, and esbuild output differs with paths and versions) and the
 * bootstrap bucket (`cdk-hnb659fds-assets-<account>-<region>`).
 */
export function maskAssetHashes(template: unknown): unknown {
  const text = JSON.stringify(template)
    .replace(/cdk-hnb659fds-assets-[^"\\]+/g, 'cdk-hnb659fds-assets-<masked>')
    .replace(/\b[0-9a-f]{64}\b/g, '<hash>');
  return JSON.parse(text);
}

describe('the synthesized template', () => {
  it('matches the snapshot, asset hashes masked', () => {
    const app = new App({ context: { 'meshgov:meshes': ['prod-mesh'], 'meshgov:regions': ['us-west-2'], 'meshgov:dryRun': true } });
    const stack = new MeshGovernanceStack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } });
    const masked = maskAssetHashes(Template.fromStack(stack).toJSON());
    // The masking really happened: no hash survives, and each function's code points at a masked key.
    expect(JSON.stringify(masked)).not.toMatch(/[0-9a-f]{64}/);
    const functions = Object.values((masked as { Resources: Record<string, any> }).Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const f of functions) expect(f.Properties.Code).toEqual({ S3Bucket: 'cdk-hnb659fds-assets-<masked>', S3Key: '<hash>.zip' });
    expect(masked).toMatchSnapshot();
  });

  it('masks hashes and the bootstrap bucket but nothing else', () => {
    const hash = 'a'.repeat(40) + '0123456789abcdef01234567';
    expect(maskAssetHashes({ S3Bucket: 'cdk-hnb659fds-assets-111122223333-us-west-2', S3Key: `${hash}.zip`, Other: 'deadbeef' })).toEqual({
      S3Bucket: 'cdk-hnb659fds-assets-<masked>',
      S3Key: '<hash>.zip',
      Other: 'deadbeef',
    });
  });
});

describe('cdk synth', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgov-cdk-out-'));
  });
  afterAll(() => {
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  it('runs offline from the repo root with cdk.json and passes cdk-nag (exit 0, template written)', () => {
    // A private output folder rather than ./cdk.out, so parallel runs do not clobber each other;
    // no credentials and no account: the CLI must not need the network to synthesize.
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', AWS_EC2_METADATA_DISABLED: 'true', CI: 'true' };
    for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION']) delete env[k];
    const run = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--no-notices', '--output', outdir], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect({ status: run.status, signal: run.signal, stderr: run.status === 0 ? '' : run.stderr.slice(-3000) }).toEqual({ status: 0, signal: null, stderr: '' });
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'MeshGovernance.template.json'), 'utf8'));
    expect(Object.values(template.Resources).some((r: any) => r.Type === 'AWS::Lambda::Function')).toBe(true);
  }, 180_000);
});
