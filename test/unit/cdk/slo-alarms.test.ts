import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError, readConfig } from '../../../cdk/lib/config';
import { checkSloRegions, SloRegionError } from '../../../cdk/lib/constructs/slo-alarms';
import { resolveSlo } from '../../../functions/core/slo/definition';
import { MeshGovernance } from '../../../cdk/lib/mesh-governance';

// Synthesis bundles every function with esbuild: seconds each, more when suites run in parallel.
jest.setTimeout(180_000);

const REPO_RULES = path.resolve(__dirname, '../../../rules');

/** The shipped rules with one App Mesh SLO (the SRE workbook's default pairs) and one Istio SLO, which gets no CloudWatch alarm. */
function rulesWithSlos(appMeshAlerting: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgov-slo-rules-'));
  for (const file of fs.readdirSync(REPO_RULES)) fs.copyFileSync(path.join(REPO_RULES, file), path.join(dir, file));
  fs.writeFileSync(
    path.join(dir, 'slos.yaml'),
    [
      'slos:',
      '  - name: payments-api-latency',
      '    service: payments-api',
      '    mesh: appmesh',
      '    meshName: prod-mesh',
      '    objective: 99',
      '    thresholdMs: 250',
      '    source:',
      '      cloudwatch:',
      '        namespace: ContainerInsights/Prometheus',
      ...appMeshAlerting,
      '  - name: reviews-latency',
      '    service: reviews',
      '    mesh: istio',
      '    namespace: bookinfo',
      '    objective: 99',
      '    thresholdMs: 250',
      '    source:',
      '      prometheus: {}',
      '',
    ].join('\n'),
  );
  return dir;
}

function synth(rulesDir: string): Template {
  const app = new App();
  const stack = new Stack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } });
  new MeshGovernance(stack, 'MeshGov', { config: { meshes: ['prod-mesh'], regions: ['us-west-2'], dryRun: true, schedule: 'cron(0 6 * * ? *)', sloSchedule: 'rate(1 hour)' }, rulesDir });
  return Template.fromStack(stack);
}

let rulesDir: string;
let template: Template;
beforeAll(() => {
  rulesDir = rulesWithSlos();
  template = synth(rulesDir);
});
afterAll(() => fs.rmSync(rulesDir, { recursive: true, force: true }));

describe('CloudWatch alarms for the App Mesh SLOs of rules/', () => {
  it('makes one composite alarm per window pair, ALARM(long) AND ALARM(short), named meshgov-slo-…', () => {
    const composites = template.findResources('AWS::CloudWatch::CompositeAlarm');
    expect(Object.values(composites).map((c: any) => c.Properties.AlarmName).sort()).toEqual([
      'meshgov-slo-payments-api-latency-page-1h-5m',
      'meshgov-slo-payments-api-latency-page-6h-30m',
      'meshgov-slo-payments-api-latency-ticket-3d-6h',
    ]);
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'meshgov-slo-payments-api-latency-page-1h-5m',
      AlarmRule: 'ALARM("meshgov-slo-payments-api-latency-page-1h-5m-long") AND ALARM("meshgov-slo-payments-api-latency-page-1h-5m-short")',
    });
  });

  it('watches each window with one metric-math alarm of a single period: TC(:250) over SampleCount of envoy_appmesh_TargetResponseTime', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a: any) => String(a.Properties.AlarmName ?? '').startsWith('meshgov-slo-')) as any[];
    expect(alarms.map((a) => a.Properties.AlarmName).sort()).toEqual([
      'meshgov-slo-payments-api-latency-page-1h-5m-long',
      'meshgov-slo-payments-api-latency-page-1h-5m-short',
      'meshgov-slo-payments-api-latency-page-6h-30m-long',
      'meshgov-slo-payments-api-latency-page-6h-30m-short',
      'meshgov-slo-payments-api-latency-ticket-3d-6h-long',
      'meshgov-slo-payments-api-latency-ticket-3d-6h-short',
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'meshgov-slo-payments-api-latency-page-1h-5m-long',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Id: 'good_long',
          ReturnData: false,
          MetricStat: {
            Metric: { Namespace: 'ContainerInsights/Prometheus', MetricName: 'envoy_appmesh_TargetResponseTime', Dimensions: Match.arrayWith([{ Name: 'Mesh', Value: 'prod-mesh' }, { Name: 'VirtualNode', Value: 'payments-api' }]) },
            Period: 3600,
            Stat: 'TC(:250)',
          },
        }),
        Match.objectLike({ Id: 'total_long', MetricStat: Match.objectLike({ Period: 3600, Stat: 'SampleCount' }) }),
        Match.objectLike({ Id: 'burn_long', Expression: '(1 - good_long / total_long) / 0.01', ReturnData: false }),
        Match.objectLike({ Id: 'burning', Expression: 'IF(total_long > 0 AND burn_long >= 14.4, 1, 0)', ReturnData: true }),
      ]),
    });
    // One period per alarm: every MetricStat of an alarm has the same Period.
    for (const alarm of alarms) {
      const periods = new Set(alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period));
      expect(periods.size).toBe(1);
      expect(alarm.Properties.Metrics.filter((m: any) => m.ReturnData)).toHaveLength(1);
    }
  });

  it('every generated alarm is within the CloudWatch limits (PutMetricAlarm, metric-math alarms, composite alarms)', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a: any) => String(a.Properties.AlarmName ?? '').startsWith('meshgov-slo-')) as any[];
    expect(alarms).toHaveLength(6);
    const ranges: Record<string, number> = {};
    for (const { Properties: alarm } of alarms) {
      const stats = alarm.Metrics.filter((m: any) => m.MetricStat);
      const expressions = alarm.Metrics.filter((m: any) => m.Expression !== undefined);
      // At most 10 metrics and 10 expressions (20 queries), exactly one returned expression.
      expect(stats.length).toBeLessThanOrEqual(10);
      expect(expressions.length).toBeLessThanOrEqual(10);
      expect(alarm.Metrics.length).toBe(stats.length + expressions.length);
      expect(alarm.Metrics.filter((m: any) => m.ReturnData === true).map((m: any) => m.Expression !== undefined)).toEqual([true]);
      for (const m of alarm.Metrics) expect(m.Id).toMatch(/^[a-z][A-Za-z0-9_]{0,254}$/);
      // A metric-math alarm gives no top-level Period, Statistic or metric.
      expect(alarm).not.toHaveProperty('Period');
      expect(alarm).not.toHaveProperty('MetricName');
      // Period 10, 20, 30 or a multiple of 60, one per alarm; Period × EvaluationPeriods ≤ 1 day under an hour, ≤ 7 days from an hour up.
      const periods = [...new Set(stats.map((m: any) => m.MetricStat.Period as number))] as number[];
      expect(periods).toHaveLength(1);
      const [period] = periods;
      expect(period % 60 === 0 || [10, 20, 30].includes(period)).toBe(true);
      expect(alarm.DatapointsToAlarm).toBeGreaterThanOrEqual(1);
      expect(alarm.DatapointsToAlarm).toBeLessThanOrEqual(alarm.EvaluationPeriods);
      const range = period * alarm.EvaluationPeriods;
      expect(range).toBeLessThanOrEqual(period < 3600 ? 86_400 : 604_800);
      expect(alarm.AlarmName.length).toBeLessThanOrEqual(255);
      ranges[alarm.AlarmName] = range;
    }
    // Each window alarm's evaluation range is its window: the ticket pair watches a full 3 days.
    expect(ranges['meshgov-slo-payments-api-latency-ticket-3d-6h-long']).toBe(3 * 86_400);
    expect(ranges['meshgov-slo-payments-api-latency-ticket-3d-6h-short']).toBe(6 * 3600);
    expect(ranges['meshgov-slo-payments-api-latency-page-1h-5m-short']).toBe(300);
    for (const composite of Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')) as any[]) {
      expect(composite.Properties.AlarmRule.length).toBeLessThanOrEqual(10_240);
      // The rule names only alarms of this stack.
      const named = [...composite.Properties.AlarmRule.matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(named.every((n) => alarms.some((a) => a.Properties.AlarmName === n))).toBe(true);
    }
  });

  it('refuses at synth a window pair CloudWatch cannot watch, naming the SLO and the window', () => {
    const dir = rulesWithSlos(['    window: 28d', '    alerting:', '      ticket:', '        - long: 14d', '          short: 1d', '          factor: 1']);
    try {
      expect(() => synth(dir)).toThrow(/SLO payments-api-latency, ticket pair 14d\/1d, window 14d \(meshgov-slo-payments-api-latency-ticket-14d-1d-long\): EvaluationPeriods: evaluation range 1209600 s/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses at synth an SLO whose CloudWatch region is not the stack\'s, naming the SLO and both regions', () => {
    const dir = rulesWithSlos(['        region: us-east-1']);
    try {
      let error: unknown;
      try {
        synth(dir);
      } catch (err) {
        error = err;
      }
      expect(String(error)).toMatch(/SLO payments-api-latency reads CloudWatch in us-east-1, but this stack deploys to us-west-2/);
      expect(error).toBeInstanceOf(SloRegionError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes an SLO that names the stack\'s own region, and warns when the synth has no region to check against', () => {
    const slo = resolveSlo({ name: 'orders-latency', service: 'orders', mesh: 'appmesh', meshName: 'prod-mesh', objective: 99, thresholdMs: 250, window: '30d', source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus', region: 'us-west-2' } } });
    const app = new App();
    const here = new Stack(app, 'Here', { env: { account: '111122223333', region: 'us-west-2' } });
    expect(() => checkSloRegions(here, [slo])).not.toThrow();
    const there = new Stack(app, 'There', { env: { account: '111122223333', region: 'eu-west-1' } });
    expect(() => checkSloRegions(there, [slo])).toThrow('SLO orders-latency reads CloudWatch in us-west-2, but this stack deploys to eu-west-1');
    // An Istio SLO gets no CloudWatch alarm, so its region (were it given) is not the hub's concern.
    expect(() => checkSloRegions(there, [{ ...slo, mesh: 'istio' }])).not.toThrow();
    const agnostic = new Stack(app, 'Agnostic');
    checkSloRegions(agnostic, [slo]);
    expect(Annotations.fromStack(agnostic).findWarning('*', Match.stringLikeRegexp('SLO orders-latency reads CloudWatch in us-west-2'))).toHaveLength(1);
  });

  it('sends their state changes to the latency function, with a dead-letter queue and retries', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: [{ prefix: 'meshgov-slo-' }] } },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }), RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('SLO alarm'), Runtime: 'nodejs22.x' });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Sid: 'ReadSloMetrics', Action: 'cloudwatch:GetMetricData' }));
  });

  it('starts the latency function on the SLO sweep schedule too, with the same dead-letter queue', () => {
    const sweep = Object.values(template.findResources('AWS::Events::Rule')).filter((r: any) => r.Properties.ScheduleExpression === 'rate(1 hour)') as any[];
    expect(sweep).toHaveLength(1);
    const [target] = sweep[0].Properties.Targets;
    const alarmRule = Object.values(template.findResources('AWS::Events::Rule')).find((r: any) => r.Properties.EventPattern?.source?.[0] === 'aws.cloudwatch') as any;
    expect(target.Arn).toEqual(alarmRule.Properties.Targets[0].Arn);
    expect(target.DeadLetterConfig).toEqual(alarmRule.Properties.Targets[0].DeadLetterConfig);
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 });
  });

  it('creates nothing for rules without App Mesh SLOs', () => {
    const shipped = synth(REPO_RULES);
    expect(Object.keys(shipped.findResources('AWS::CloudWatch::CompositeAlarm'))).toHaveLength(0);
    expect(Object.values(shipped.findResources('AWS::Events::Rule')).some((r: any) => r.Properties.EventPattern?.source?.[0] === 'aws.cloudwatch')).toBe(false);
    expect(Object.values(shipped.findResources('AWS::Events::Rule')).some((r: any) => r.Properties.ScheduleExpression === 'rate(1 hour)')).toBe(false);
  });
});

describe('the latency function and its dead-letter queue', () => {
  it('runs each alarm state change once: the idempotency table is granted and named in its environment', () => {
    const idempotency = Object.keys(template.findResources('AWS::DynamoDB::Table')).find((id) => id.includes('Idempotency'))!;
    const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, f]: [string, any]) => /SLO alarm/.test(f.Properties.Description))! as [string, any];
    expect(fn.Properties.Environment.Variables.MESHGOV_IDEMPOTENCY_TABLE).toEqual({ Ref: idempotency });
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as any[]).filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role)).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:DeleteItem']), Resource: expect.arrayContaining([{ 'Fn::GetAtt': [idempotency, 'Arn'] }]) }));
  });

  it('notifies the operational alarm topic when its dead-letter queue alarm fires and clears', () => {
    const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const alarm = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[]).find((a) => /SLO alarm state change/.test(a.Properties.AlarmDescription));
    expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }] });
  });
});

describe('the SLO sweep schedule from cdk.json context', () => {
  const configOf = (context: Record<string, unknown>) => readConfig(new App({ context: { 'meshgov:meshes': ['prod-mesh'], 'meshgov:regions': ['us-west-2'], ...context } }).node);

  it('is hourly by default, takes any EventBridge schedule expression, and refuses anything else naming the key', () => {
    expect(configOf({}).sloSchedule).toBe('rate(1 hour)');
    expect(configOf({ 'meshgov:sloSchedule': 'rate(15 minutes)' }).sloSchedule).toBe('rate(15 minutes)');
    expect(() => configOf({ 'meshgov:sloSchedule': 'hourly' })).toThrow(new ConfigError('meshgov:sloSchedule', '"hourly" is not a schedule expression such as rate(1 hour)'));
  });
});
