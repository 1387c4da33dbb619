import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError, readConfig } from '../../../cdk/lib/config';
import { MeshGovernanceStack } from '../../../cdk/lib/mesh-governance-stack';

// Synthesis bundles every function with esbuild: seconds each, more when suites run in parallel.
jest.setTimeout(180_000);

const BASE = { 'meshgov:meshes': ['prod-mesh'], 'meshgov:regions': ['us-west-2'], 'meshgov:dryRun': true };
const TEAM_TOPIC = 'arn:aws:sns:us-west-2:111122223333:platform-oncall';

function synth(context: Record<string, unknown> = {}): Template {
  const app = new App({ context: { ...BASE, ...context } });
  const stack = new MeshGovernanceStack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } });
  return Template.fromStack(stack);
}

/** The alarms on a dead-letter queue (SQS ApproximateNumberOfMessagesVisible). */
function deadLetterAlarms(template: Template): any[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a: any) => a.Properties.Namespace === 'AWS/SQS');
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

  it("alarms the topic when the hub gives up redrawing an expired approval's message (the hub's own metric)", () => {
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a: any) => a.Properties.MetricName === 'ExpiryRedrawsAbandoned');
    expect(alarms).toHaveLength(1);
    expect(alarms[0].Properties).toMatchObject({
      Namespace: 'meshgov',
      Dimensions: [{ Name: 'service', Value: 'meshgov-hub' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topics[0] }],
      OKActions: [{ Ref: topics[0] }],
    });
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
