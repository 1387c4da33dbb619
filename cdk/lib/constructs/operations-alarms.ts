import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface OperationsAlarmsProps {
  /** Subscribed by email to the topic created here (the address confirms the subscription once). */
  email?: string;
  /** An existing topic to notify instead of creating one; its owner keeps its policy and encryption. */
  topicArn?: string;
}

/**
 * Where meshgov's operational alarms (its dead-letter queues) notify someone: an SNS topic,
 * created here or an existing one. A created topic is encrypted with its own KMS key, because
 * CloudWatch cannot publish to a topic under the AWS managed key `alias/aws/sns`, and refuses
 * publishing without TLS.
 */
export class OperationsAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly key?: kms.Key;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.topicArn) {
      // CloudWatch alarms notify only a topic of their own region: PutMetricAlarm refuses any
      // other ("Invalid region … specified"), which would fail the deploy at the first alarm.
      const topicRegion = Token.isUnresolved(props.topicArn) ? undefined : props.topicArn.split(':')[3];
      if (topicRegion && !Token.isUnresolved(stack.region) && topicRegion !== stack.region) {
        throw new Error(`the operational alarm topic ${props.topicArn} is in ${topicRegion}, but the alarms are in ${stack.region}: CloudWatch alarms notify only a topic of their own region`);
      }
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', props.topicArn);
      return;
    }
    const alarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };
    this.key = new kms.Key(this, 'Key', {
      description: 'meshgov: encrypts the operational alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch encrypts what it publishes to the topic with this key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: alarmsOfThisAccount.StringEquals },
      }),
    );
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'meshgov operational alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one, so CloudWatch's publishing is allowed by name.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: alarmsOfThisAccount,
      }),
    );
    if (props.email) topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.topic = topic;
  }

  /** Notifies the topic when `alarm` fires and when it clears. */
  notify(alarm: cloudwatch.Alarm): void {
    const action = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}
