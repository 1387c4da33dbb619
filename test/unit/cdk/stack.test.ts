import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../../cdk/lib/config';
import { APPMESH_EVENT_NAMES } from '../../../cdk/lib/constructs/app-mesh-auditor';
import { MeshGovernanceStack } from '../../../cdk/lib/mesh-governance-stack';
import { flattenReference } from '../../../cdk/lib/nag/suppressions';

/** Synthesizes the stack once (bundling every function with the local esbuild) for all assertions. */
function synth(context: Record<string, unknown> = {}) {
  const app = new App({
    context: { 'meshgov:meshes': ['prod-mesh'], 'meshgov:regions': ['us-west-2'], 'meshgov:dryRun': true, ...context },
  });
  const stack = new MeshGovernanceStack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } });
  return Template.fromStack(stack);
}

let template: Template;
beforeAll(() => {
  template = synth();
});

function statements(): Array<{ Sid?: string; Action: string | string[]; Resource: unknown }> {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('the hub stack: App Mesh events', () => {
  it('routes App Mesh CloudTrail calls, Config items, ACM expiry and the schedule into the queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.appmesh'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['appmesh.amazonaws.com'], eventName: APPMESH_EVENT_NAMES },
      },
    });
    expect(APPMESH_EVENT_NAMES).toEqual(expect.arrayContaining(['UpdateVirtualNode', 'DeleteVirtualGateway', 'CreateRoute', 'UpdateMesh', 'CreateGatewayRoute']));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.config'], detail: { configurationItem: { resourceType: [{ prefix: 'AWS::AppMesh::' }] } } },
    });
    // Items too large for the event arrive as summaries, under their own message types.
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.config'],
        detail: {
          messageType: ['OversizedConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeDeliveryFailed'],
          configurationItemSummary: { resourceType: [{ prefix: 'AWS::AppMesh::' }] },
        },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.acm'], 'detail-type': ['ACM Certificate Approaching Expiration'] } });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 6 * * ? *)' });
    // Every rule targets the queue, with a dead-letter queue for delivery failures.
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    for (const rule of rules) {
      expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
      expect(rule.Properties.Targets[0].RetryPolicy).toMatchObject({ MaximumRetryAttempts: 8 });
    }
  });

  it('bundles the functions for nodejs22.x on arm64 with source maps', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ MESHGOV_DRY_RUN: 'true', NODE_OPTIONS: '--enable-source-maps', MESHGOV_RULES: '/var/task/rules', MESHGOV_MESHES: 'prod-mesh' }) },
    });
  });

  it('takes events from SQS with partial batch failures, and dead-letters failed ones with an alarm', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 5 }, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('keeps the ledger with point-in-time recovery and TTL, on demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'gsi1' }), Match.objectLike({ IndexName: 'gsi2' })]),
    });
  });

  it('grants App Mesh writes only on the configured meshes, and no wildcard on any write', () => {
    const all = statements();
    const remediate = all.find((s) => s.Sid === 'RemediateAppMesh')!;
    // Updates only (fixes and rollbacks of a person's change), never create or delete.
    expect([...remediate.Action].sort()).toEqual(
      ['appmesh:UpdateGatewayRoute', 'appmesh:UpdateMesh', 'appmesh:UpdateRoute', 'appmesh:UpdateVirtualGateway', 'appmesh:UpdateVirtualNode', 'appmesh:UpdateVirtualRouter', 'appmesh:UpdateVirtualService'],
    );
    for (const part of ['virtualNode', 'virtualGateway', 'virtualRouter', 'virtualService']) expect(JSON.stringify(remediate.Resource)).toContain(`mesh/prod-mesh/${part}/*`);
    expect(JSON.stringify(remediate.Resource)).not.toMatch(/mesh\/\*/);
    const writes = /^(appmesh|acm|acm-pca):(Create|Update|Delete|Put|Tag|Untag|Import|Issue|Revoke)/;
    for (const s of all) {
      const actions = ([] as string[]).concat(s.Action);
      if (actions.some((a) => writes.test(a))) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
    }
    expect(all.find((s) => s.Sid === 'ReadCertificates')!.Action).toBe('acm:DescribeCertificate');
    expect(all.find((s) => s.Sid === 'ReadPrivateCAs')!.Action).toBe('acm-pca:DescribeCertificateAuthority');
  });

  it('reads private CAs of any account (a client policy may trust one shared through AWS RAM), in its own region', () => {
    const cas = statements().filter((s) => s.Sid === 'ReadPrivateCAs');
    expect(cas.length).toBeGreaterThan(0);
    for (const s of cas) expect(flattenReference(s.Resource)).toBe('arn:<AWS::Partition>:acm-pca:us-west-2:*:certificate-authority/*');
  });

  it('grants no App Mesh write at all when no mesh is configured', () => {
    const t = synth({ 'meshgov:meshes': [] });
    const all = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(all.find((s: any) => s.Sid === 'RemediateAppMesh')).toBeUndefined();
  });
});

describe('the hub stack: Slack and the agent', () => {
  it('serves Slack interactivity and the agent reports on one HTTP API', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /slack/actions' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /agent/findings' });
    template.hasOutput('SlackActionsUrl', {});
    template.hasOutput('AgentFindingsUrl', {});
  });

  it('hands approved changes to a worker through a queue with a dead-letter queue and an alarm', () => {
    const worker = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]: [string, any]) => /runs approved changes/.test(r.Properties.Description));
    expect(worker).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], FunctionName: { Ref: worker![0] } });
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the Slack token, the signing secret and the hub-agent key in Secrets Manager', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MESHGOV_SLACK_SECRET_ARN: Match.anyValue(), MESHGOV_LINK_SECRET_ARN: Match.anyValue(), MESHGOV_APPROVAL_QUEUE_URL: Match.anyValue() }) },
    });
  });
});

/** The statements of the policies attached to a function's role, and its environment, by the function's description. */
function functionAccess(description: RegExp): { statements: Array<{ Action: string | string[]; Resource: unknown }>; variables: Record<string, unknown> } {
  const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]: [string, any]) => description.test(r.Properties.Description))! as [string, any];
  const role = fn.Properties.Role['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
  return {
    statements: policies.filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role)).flatMap((p) => p.Properties.PolicyDocument.Statement),
    variables: fn.Properties.Environment.Variables,
  };
}

describe('the hub stack: who may read the hub-agent link secret', () => {
  const linkSecret = () => {
    const ids = Object.keys(template.findResources('AWS::SecretsManager::Secret')).filter((id) => id.includes('LinkSecret'));
    expect(ids).toHaveLength(1);
    return ids[0]!;
  };
  const mentions = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

  it('gives the public Slack actions function neither the link secret ARN nor any access to it', () => {
    const id = linkSecret();
    const slack = functionAccess(/Slack interactivity/);
    expect(slack.statements.length).toBeGreaterThan(0);
    expect(slack.statements.filter((s) => mentions(s.Resource, id))).toEqual([]);
    expect(slack.variables).not.toHaveProperty('MESHGOV_LINK_SECRET_ARN');
    // It still reads the Slack secret, which it does use.
    expect(slack.variables).toHaveProperty('MESHGOV_SLACK_SECRET_ARN');
  });

  it('grants it to the functions that read it: the agent findings (verify) and the approval worker (sign Istio changes)', () => {
    const id = linkSecret();
    for (const description of [/signed findings reports/, /runs approved changes/]) {
      const f = functionAccess(description);
      expect(f.variables.MESHGOV_LINK_SECRET_ARN).toEqual({ Ref: id });
      expect(f.statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['secretsmanager:GetSecretValue']), Resource: { Ref: id } }));
    }
  });
});

describe('the hub stack: outputs', () => {
  it('names the Slack secret and the link secret by ARN (SlackSecretArn, LinkSecretArn), the secrets README tells users to fill and copy', () => {
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    const slack = secrets.find((id) => id.includes('SlackSecret'))!;
    const link = secrets.find((id) => id.includes('LinkSecret'))!;
    template.hasOutput('SlackSecretArn', { Value: { Ref: slack } });
    template.hasOutput('LinkSecretArn', { Value: { Ref: link } });
  });
});

describe('cdk.json context', () => {
  it.each([
    [{ 'meshgov:regions': [] }, /meshgov:regions.*at least one region/],
    [{ 'meshgov:regions': ['moon-base-1'] }, /"moon-base-1" is not an AWS region/],
    [{ 'meshgov:meshes': ['prod mesh'] }, /"prod mesh" is not an App Mesh mesh name/],
    [{ 'meshgov:dryRun': 'maybe' }, /meshgov:dryRun.*true or false/],
    [{ 'meshgov:slackChannel': 'payments' }, /meshgov:slackChannel/],
    [{ 'meshgov:agentUrl': 'http://agent.example.com' }, /meshgov:agentUrl.*https/],
  ])('refuses %j with a clear error', (context, message) => {
    expect(() => synth(context)).toThrow(ConfigError);
    expect(() => synth(context)).toThrow(message);
  });
});

describe('the hub stack: meshgov:regions', () => {
  const warningsOf = (region?: string) => {
    const app = new App({ context: { 'meshgov:meshes': ['prod-mesh'], 'meshgov:regions': ['us-west-2', 'us-east-1'], 'meshgov:dryRun': true } });
    const stack = new MeshGovernanceStack(app, 'MeshGovernance', region ? { env: { account: '111122223333', region } } : {});
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('meshgov:regions'));
  };

  it('warns at synth when the stack deploys to a region the context does not list, naming both', () => {
    const [warning] = warningsOf('eu-west-1');
    expect(String(warning?.entry.data)).toMatch(/deploys to eu-west-1, which cdk\.json context "meshgov:regions" does not list \(us-west-2, us-east-1\)/);
  });

  it('says nothing for a listed region, or when the synth is environment-agnostic', () => {
    expect(warningsOf('us-east-1')).toEqual([]);
    expect(warningsOf()).toEqual([]);
  });
});
