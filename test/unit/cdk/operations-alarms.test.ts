import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError, readConfig } from '../../../cdk/lib/config';
import { MeshGovernance } from '../../../cdk/lib/mesh-governance';
import { MeshGovernanceStack } from '../../../cdk/lib/mesh-governance-stack';

// Synthesis bundles every function with esbuild: seconds each, more when suites run in parallel.
jest.setTimeout(180_000);

const BASE = { 'meshgov:meshes': ['prod-mesh'], 'meshgov:regions': ['us-west-2'], 'meshgov:dryRun': true };
const TEAM_TOPIC = 'arn:aws:sns:us-west-2:111122223333:platform-oncall';
const REPO_RULES = path.resolve(__dirname, '../../../rules');

function synth(context: Record<string, unknown> = {}): Template {
  const app = new App({ context: { ...BASE, ...context } });
  const stack = new MeshGovernanceStack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } });
  return Template.fromStack(stack);
}

/** The alarms on a dead-letter queue (SQS ApproximateNumberOfMessagesVisible). */
function deadLetterAlarms(template: Template): any[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a: any) => a.Properties.Namespace === 'AWS/SQS');
}

/** The shipped rules and one App Mesh SLO, so that the stack has its SLO alarm function. */
function rulesWithAppMeshSlo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgov-ops-rules-'));
  for (const file of fs.readdirSync(REPO_RULES)) fs.copyFileSync(path.join(REPO_RULES, file), path.join(dir, file));
  const slo = ['slos:', '  - name: payments-api-latency', '    service: payments-api', '    mesh: appmesh', '    meshName: prod-mesh', '    objective: 99', '    thresholdMs: 250', '    source:', '      cloudwatch:', '        namespace: ContainerInsights/Prometheus', ''];
  fs.writeFileSync(path.join(dir, 'slos.yaml'), slo.join('\n'));
  return dir;
}

/** The alarms over ExpiryRedrawsAbandoned (a metric math alarm lists its metrics under Metrics). */
function expiryRedrawAlarms(template: Template): any[] {
  const watches = (a: any) => a.Properties.MetricName === 'ExpiryRedrawsAbandoned' || (a.Properties.Metrics ?? []).some((m: any) => m.MetricStat?.Metric.MetricName === 'ExpiryRedrawsAbandoned');
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(watches);
}

describe('operational alarms: every dead-letter queue alarm notifies someone', () => {
  let template: Template;
  beforeAll(() => {
    template = synth({ 'meshgov:alarmEmail': 'platform-oncall@example.com' });
  });

  it('sends ALARM and OK of every dead-letter queue alarm to the one topic', () => {
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const alarms = deadLetterAlarms(template);
    expect(alarms.length).toBeGreaterThanOrEqual(2);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topics[0] }]);
    }
  });

  it('alarms the topic when any governing function gives up redrawing an expired approval: one alarm over the sum of their metrics', () => {
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    const alarms = expiryRedrawAlarms(template);
    expect(alarms).toHaveLength(1);
    const { Properties: alarm } = alarms[0];
    expect(alarm).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topics[0] }],
      OKActions: [{ Ref: topics[0] }],
      AlarmDescription: expect.stringMatching(/logs of the hub, agent-findings and slo functions/),
    });
    const metrics = alarm.Metrics.filter((m: any) => m.MetricStat);
    expect(metrics.map((m: any) => m.MetricStat.Metric.Dimensions)).toEqual([
      [{ Name: 'service', Value: 'meshgov-hub' }],
      [{ Name: 'service', Value: 'meshgov-agent-findings' }],
      [{ Name: 'service', Value: 'meshgov-slo' }],
    ]);
    for (const m of metrics) expect(m).toMatchObject({ MetricStat: { Metric: { Namespace: 'meshgov', MetricName: 'ExpiryRedrawsAbandoned' }, Stat: 'Sum', Period: 300 }, ReturnData: false });
    // The one series the alarm reads adds every function's count, a function that published nothing as 0.
    const [expression] = alarm.Metrics.filter((m: any) => m.Expression);
    expect(expression.ReturnData ?? true).toBe(true);
    expect(expression.Expression.replace(/\s/g, '')).toBe(`SUM([${metrics.map((m: any) => `FILL(${m.Id},0)`).join(',')}])`);
  });

  it('encrypts the topic with a rotated key that CloudWatch may use, and refuses publishing without TLS', () => {
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111122223333' } }),
          }),
        ]),
      },
    });
  });

  it('subscribes the meshgov:alarmEmail address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform-oncall@example.com' });
  });
});

describe('operational alarms: the expiry redraw alarm with every governing function deployed', () => {
  let rulesDir: string;
  afterAll(() => fs.rmSync(rulesDir, { recursive: true, force: true }));

  it('watches the service name each function that governs publishes its metrics under (the SLO function comes with an App Mesh SLO)', () => {
    rulesDir = rulesWithAppMeshSlo();
    const app = new App();
    const stack = new Stack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } });
    new MeshGovernance(stack, 'MeshGov', { config: { meshes: ['prod-mesh'], regions: ['us-west-2'], dryRun: true, schedule: 'cron(0 6 * * ? *)', sloSchedule: 'rate(1 hour)' }, rulesDir });
    const template = Template.fromStack(stack);
    const [alarm] = expiryRedrawAlarms(template);
    const watched = alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions[0].Value);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    const serviceOf = (description: RegExp) => functions.find((f) => description.test(f.Properties.Description))?.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME;
    // The hub, the GCP agent's reports, and the SLO alarms and sweep.
    expect([/audits App Mesh changes/, /GCP agent/, /confirms an SLO alarm/].map(serviceOf)).toEqual(watched);
  });
});

describe('operational alarms: an existing topic', () => {
  it('notifies meshgov:alarmTopicArn instead, and creates no topic, key or subscription', () => {
    const template = synth({ 'meshgov:alarmTopicArn': TEAM_TOPIC });
    expect(Object.keys(template.findResources('AWS::SNS::Topic'))).toHaveLength(0);
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toHaveLength(0);
    expect(Object.keys(template.findResources('AWS::SNS::Subscription'))).toHaveLength(0);
    const alarms = deadLetterAlarms(template);
    expect(alarms.length).toBeGreaterThanOrEqual(2);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([TEAM_TOPIC]);
      expect(alarm.Properties.OKActions).toEqual([TEAM_TOPIC]);
    }
  });
});

describe('operational alarm context keys', () => {
  const configOf = (context: Record<string, unknown>) => readConfig(new App({ context: { ...BASE, ...context } }).node);

  it('reads both, each optional', () => {
    expect(configOf({})).not.toHaveProperty('alarmEmail');
    expect(configOf({ 'meshgov:alarmEmail': 'ops@example.com' })).toMatchObject({ alarmEmail: 'ops@example.com' });
    expect(configOf({ 'meshgov:alarmTopicArn': TEAM_TOPIC })).toMatchObject({ alarmTopicArn: TEAM_TOPIC });
  });

  it('refuses a bad address, a bad ARN, and both at once, naming the key', () => {
    expect(() => configOf({ 'meshgov:alarmEmail': 'ops' })).toThrow(new ConfigError('meshgov:alarmEmail', '"ops" is not an email address'));
    expect(() => configOf({ 'meshgov:alarmTopicArn': 'arn:aws:sqs:us-west-2:111122223333:q' })).toThrow(/meshgov:alarmTopicArn/);
    expect(() => configOf({ 'meshgov:alarmEmail': 'ops@example.com', 'meshgov:alarmTopicArn': TEAM_TOPIC })).toThrow(/not both/);
  });
});

describe('idempotency for the agent findings function', () => {
  it('grants it the idempotency table and names the table in its environment', () => {
    const template = synth();
    const tables = template.findResources('AWS::DynamoDB::Table');
    const idempotency = Object.keys(tables).find((id) => id.includes('Idempotency'))!;
    const [fnId, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, f]: [string, any]) => /GCP agent/.test(f.Properties.Description))! as [string, any];
    expect(fn.Properties.Environment.Variables.MESHGOV_IDEMPOTENCY_TABLE).toEqual({ Ref: idempotency });
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role)) as any[];
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: expect.arrayContaining([{ 'Fn::GetAtt': [idempotency, 'Arn'] }]) }),
    );
    expect(fnId).toBeDefined();
  });
});
