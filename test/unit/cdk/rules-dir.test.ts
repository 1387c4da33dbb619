/**
 * One rules directory per deployment: the functions ship it and its App Mesh SLOs get the
 * CloudWatch alarms, so an alarm never watches an SLO the deployed rules do not hold (nor the
 * reverse). The directory is MeshGovernance's `rulesDir`, else MESHGOV_RULES at synth, else rules/.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../cdk/lib/constructs/meshgov-function';
import { MeshGovernance } from '../../../cdk/lib/mesh-governance';
import { POLICY_SNAPSHOT_FILE, type PolicySnapshot } from '../../../functions/core/policy/snapshot';
import { createPolicySnapshot } from '../../../functions/core/policy/write-snapshot';

// Synthesis bundles every function with esbuild: seconds each, more when suites run in parallel.
jest.setTimeout(180_000);

const CONFIG = { meshes: ['prod-mesh'], regions: ['us-west-2'], dryRun: true, schedule: 'cron(0 6 * * ? *)', sloSchedule: 'rate(1 hour)' };

/** The shipped rules with one App Mesh SLO added, in a directory of its own outside the project. */
function customRules(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgov-deployed-rules-'));
  for (const file of fs.readdirSync(path.join(REPO_ROOT, 'rules'))) fs.copyFileSync(path.join(REPO_ROOT, 'rules', file), path.join(dir, file));
  fs.writeFileSync(
    path.join(dir, 'slos.yaml'),
    ['slos:', '  - name: ledger-latency', '    service: ledger', '    mesh: appmesh', '    meshName: prod-mesh', '    objective: 99.5', '    thresholdMs: 300', '    source:', '      cloudwatch:', '        namespace: ContainerInsights/Prometheus', ''].join('\n'),
  );
  return dir;
}

function synth(props: { rulesDir?: string }): { outdir: string; template: Template } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgov-cdk-rules-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } });
  new MeshGovernance(stack, 'MeshGov', { config: CONFIG, ...props });
  app.synth();
  return { outdir, template: Template.fromStack(stack) };
}

/** Every Lambda asset's shipped rules: its slos.yaml and its snapshot. */
function shippedRules(outdir: string): Array<{ slos: string; snapshot: PolicySnapshot }> {
  return fs
    .readdirSync(outdir)
    .filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(outdir, d, 'rules')))
    .map((d) => ({
      slos: fs.readFileSync(path.join(outdir, d, 'rules', 'slos.yaml'), 'utf8'),
      snapshot: JSON.parse(fs.readFileSync(path.join(outdir, d, 'rules', POLICY_SNAPSHOT_FILE), 'utf8')) as PolicySnapshot,
    }));
}

/** Every file under a directory, by relative path, with its contents (base64). */
function fileBytes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[path.relative(dir, path.join(entry.parentPath, entry.name))] = fs.readFileSync(path.join(entry.parentPath, entry.name)).toString('base64');
  }
  return out;
}

const alarmNames = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r: any) => String(r.Properties.AlarmName ?? r.Properties.AlarmDescription ?? ''));

describe('the rules a deployment ships', () => {
  const cleanup: string[] = [];
  const saved = process.env.MESHGOV_RULES;
  afterEach(() => {
    if (saved === undefined) delete process.env.MESHGOV_RULES;
    else process.env.MESHGOV_RULES = saved;
    for (const dir of cleanup.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    ['the construct’s rulesDir', (dir: string) => ({ rulesDir: dir })],
    ['MESHGOV_RULES at synth', (dir: string) => ((process.env.MESHGOV_RULES = dir), {})],
  ])('%s: every function ships that directory, and its App Mesh SLO is the one alarmed', (_label, configure) => {
    const rules = customRules();
    cleanup.push(rules);
    const { outdir, template } = synth(configure(rules));
    cleanup.push(outdir);
    const shipped = shippedRules(outdir);
    expect(shipped.length).toBeGreaterThanOrEqual(4);
    for (const s of shipped) {
      expect(s.slos).toBe(fs.readFileSync(path.join(rules, 'slos.yaml'), 'utf8'));
      expect(s.snapshot).toEqual(createPolicySnapshot(rules));
    }
    // The whole directory, byte for byte, and the snapshot beside it: nothing more, nothing less.
    const assets = fs.readdirSync(outdir).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(outdir, d, 'rules')));
    for (const asset of assets) {
      const shippedFiles = fileBytes(path.join(outdir, asset, 'rules'));
      expect(Object.keys(shippedFiles).sort()).toEqual([...Object.keys(fileBytes(rules)), POLICY_SNAPSHOT_FILE].sort());
      for (const [name, bytes] of Object.entries(fileBytes(rules))) expect(shippedFiles[name]).toEqual(bytes);
    }
    expect(alarmNames(template).some((name) => name.includes('ledger-latency'))).toBe(true);
  });

  test('without either, the repository’s rules/', () => {
    delete process.env.MESHGOV_RULES;
    const { outdir, template } = synth({});
    cleanup.push(outdir);
    for (const s of shippedRules(outdir)) expect(s.snapshot).toEqual(createPolicySnapshot(path.join(REPO_ROOT, 'rules')));
    expect(alarmNames(template).some((name) => name.includes('ledger-latency'))).toBe(false);
  });
});
