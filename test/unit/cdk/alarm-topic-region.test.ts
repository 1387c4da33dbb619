import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { OperationsAlarms } from '../../../cdk/lib/constructs/operations-alarms';

/** One alarm notifying an existing topic, in a stack of the given region (undefined: environment-agnostic). */
function alarmNotifying(topicArn: string, region?: string): Template {
  const stack = new Stack(new App(), 'S', region ? { env: { account: '111122223333', region } } : {});
  const alarms = new OperationsAlarms(stack, 'Ops', { topicArn });
  const alarm = new cloudwatch.Alarm(stack, 'A', {
    metric: new cloudwatch.Metric({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible' }),
    threshold: 0,
    evaluationPeriods: 1,
  });
  alarms.notify(alarm);
  return Template.fromStack(stack);
}

// PutMetricAlarm refuses an SNS action in another region ("Invalid region us-east-1 specified.
// Only us-west-2 is supported."), which would fail `cdk deploy` at the first alarm.
describe('meshgov:alarmTopicArn and the stack region', () => {
  it('refuses at synth a topic in another region than the alarms, naming both', () => {
    expect(() => alarmNotifying('arn:aws:sns:us-east-1:111122223333:platform-oncall', 'us-west-2')).toThrow(
      /arn:aws:sns:us-east-1:111122223333:platform-oncall is in us-east-1.*us-west-2/,
    );
  });

  it('accepts a topic of the same region, of any account, and cannot check an environment-agnostic stack', () => {
    const same = alarmNotifying('arn:aws:sns:us-west-2:444455556666:platform-oncall', 'us-west-2');
    same.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: ['arn:aws:sns:us-west-2:444455556666:platform-oncall'] });
    expect(() => alarmNotifying('arn:aws:sns:us-east-1:111122223333:platform-oncall')).not.toThrow();
  });
});
