import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MeshGovernanceStack } from '../../../cdk/lib/mesh-governance-stack';
import { ALLOWED_WILDCARD_RESOURCES, applyMeshGovernanceSuppressions, flattenReference, meshGovernanceSuppressions } from '../../../cdk/lib/nag/suppressions';

const CONTEXT = { 'meshgov:meshes': ['prod-mesh', 'payments-mesh'], 'meshgov:regions': ['us-west-2'], 'meshgov:dryRun': true };

/** The stack as cdk/bin/meshgov.ts builds it, optionally without a concrete account/region. */
function build(env: { account: string; region: string } | undefined, suppress = true) {
  const app = new App({ context: CONTEXT });
  const stack = new MeshGovernanceStack(app, 'MeshGovernance', { env });
  if (suppress) applyMeshGovernanceSuppressions(stack.governance);
  return { app, stack };
}

/** Every unacknowledged AwsSolutions finding, as `rule @ construct path`. */
function findings(app: App, stack: MeshGovernanceStack): string[] {
  const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(stack);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`));
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning for a stack with an account and region', () => {
    const { app, stack } = build({ account: '111122223333', region: 'us-west-2' });
    expect(findings(app, stack)).toEqual([]);
  });

  it('reports none for an environment-agnostic stack either (ARNs hold <AWS::Region> and <AWS::AccountId>)', () => {
    const { app, stack } = build(undefined);
    expect(findings(app, stack)).toEqual([]);
  });

  it('does find the acknowledged issues when the suppressions are left out (the check is live)', () => {
    const { app, stack } = build({ account: '111122223333', region: 'us-west-2' }, false);
    const rules = new Set(findings(app, stack).map((f) => f.split(' @ ')[0]!.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-SMG4']);
  });

  it('gives no function the AWSLambdaBasicExecutionRole managed policy (fixed, not suppressed)', () => {
    const { app, stack } = build({ account: '111122223333', region: 'us-west-2' }, false);
    expect(findings(app, stack).filter((f) => f.startsWith('AwsSolutions-IAM4'))).toEqual([]);
  });

  it('gives every suppression a written reason of at least 20 characters and narrows IAM5 to named wildcards', () => {
    const { stack } = build({ account: '111122223333', region: 'us-west-2' });
    const all = meshGovernanceSuppressions(stack.governance).flatMap((t) => t.suppressions);
    expect(all.length).toBeGreaterThan(0);
    for (const s of all) {
      expect(s.reason.trim().length).toBeGreaterThanOrEqual(20);
      if (s.id === 'AwsSolutions-IAM5') expect(s.appliesTo?.length).toBeGreaterThan(0);
    }
    for (const a of ALLOWED_WILDCARD_RESOURCES) expect(a.reason.length).toBeGreaterThanOrEqual(20);
  });
});

describe('the wildcard allowlist', () => {
  const allowed = (resource: string, actions: string[] = []) =>
    ALLOWED_WILDCARD_RESOURCES.some((a) => a.pattern.test(resource) && (!a.actions || actions.every((x) => a.actions!.includes(x))));

  it('accepts "*" only for actions that have no resource-level permissions', () => {
    expect(allowed('*', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'])).toBe(true);
    expect(allowed('*', ['appmesh:ListMeshes'])).toBe(true);
    expect(allowed('*', ['appmesh:UpdateVirtualNode'])).toBe(false);
    expect(allowed('*', ['dynamodb:PutItem'])).toBe(false);
  });

  it('accepts remediation wildcards only inside a named mesh', () => {
    expect(allowed('arn:<AWS::Partition>:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/*')).toBe(true);
    expect(allowed('arn:<AWS::Partition>:appmesh:<AWS::Region>:<AWS::AccountId>:mesh/prod-mesh/virtualGateway/*')).toBe(true);
    expect(allowed('arn:<AWS::Partition>:appmesh:us-west-2:111122223333:mesh/*/virtualNode/*')).toBe(false);
    expect(allowed('arn:<AWS::Partition>:dynamodb:us-west-2:111122223333:table/*')).toBe(false);
  });
});

describe('flattenReference', () => {
  it('names references the way cdk-nag prints them in findings', () => {
    expect(flattenReference({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['LedgerDB395121', 'Arn'] }, '/index/*']] })).toBe('<LedgerDB395121.Arn>/index/*');
    expect(flattenReference({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':acm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':certificate/*']] })).toBe(
      'arn:<AWS::Partition>:acm:<AWS::Region>:<AWS::AccountId>:certificate/*',
    );
    expect(flattenReference('*')).toBe('*');
  });
});
