/**
 * MESHGOV_DRY_RUN, which the CDK app sets on every function (meshgov:dryRun, default true), wins
 * over the rules' remediation.dryRun: `dryRun: false` in the rules alone turns nothing off when
 * deployed, and `cdk synth` says so instead of leaving the user to wonder why nothing is fixed.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../cdk/lib/constructs/meshgov-function';
import { MeshGovernance } from '../../../cdk/lib/mesh-governance';

const CONFIG = { meshes: ['prod-mesh'], regions: ['us-west-2'], schedule: 'cron(0 6 * * ? *)', sloSchedule: 'rate(1 hour)' };
const cleanup: string[] = [];
afterAll(() => cleanup.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** The shipped rules with remediation.dryRun set to `dryRun`. */
function rulesWithDryRun(dryRun: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgov-dry-run-rules-'));
  cleanup.push(dir);
  for (const file of fs.readdirSync(path.join(REPO_ROOT, 'rules'))) fs.copyFileSync(path.join(REPO_ROOT, 'rules', file), path.join(dir, file));
  const remediation = path.join(dir, 'remediation.yaml');
  fs.writeFileSync(remediation, fs.readFileSync(remediation, 'utf8').replace(/^  dryRun: true$/m, `  dryRun: ${dryRun}`));
  return dir;
}

function synth(rulesDryRun: boolean, deployDryRun: boolean) {
  // No bundling: only the construct's own decisions are under test.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } });
  new MeshGovernance(stack, 'MeshGov', { config: { ...CONFIG, dryRun: deployDryRun }, rulesDir: rulesWithDryRun(rulesDryRun) });
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('remediation\\.dryRun'));
  const dryRunEnv = new Set(Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map((f: any) => f.Properties.Environment?.Variables?.MESHGOV_DRY_RUN));
  return { warnings: warnings.map((w) => String(w.entry.data)), dryRunEnv };
}

describe('remediation.dryRun in the rules, when deployed with the CDK', () => {
  it('warns at synth when the rules say false and the deployment keeps MESHGOV_DRY_RUN=true, naming the flag that turns it off', () => {
    const { warnings, dryRunEnv } = synth(false, true);
    expect(dryRunEnv).toEqual(new Set(['true']));
    expect(warnings).toEqual([expect.stringMatching(/set remediation\.dryRun: false, but this deployment sets MESHGOV_DRY_RUN=true .*wins.*-c meshgov:dryRun=false/)]);
  });

  it.each([
    [true, true],
    [true, false],
    [false, false],
  ])('says nothing when the rules say %s and the deployment %s: MESHGOV_DRY_RUN is the deployment’s', (rules, deploy) => {
    const { warnings, dryRunEnv } = synth(rules, deploy);
    expect(warnings).toEqual([]);
    expect(dryRunEnv).toEqual(new Set([String(deploy)]));
  });
});
