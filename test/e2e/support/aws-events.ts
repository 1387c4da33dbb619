/**
 * The hub's incoming events, built from the shared samples (shared/events/aws) and varied per
 * story: the CloudTrail record of a call a person really made on the App Mesh emulator (its
 * response elements are the emulator's answer), the SQS delivery of an EventBridge event, the
 * nightly schedule, and a CloudWatch alarm state change.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';
import type { AppMeshApiType } from '../../../functions/core/model/inventory';
import { cloudTrailEventFor } from '../../integration/appmesh/support/cloudtrail-events';
import { sharedEvent } from '../../support/shared-events';

/** A CloudTrail `userIdentity` of someone who changes the mesh. */
export type Identity = Record<string, any>;

/** alice, platform admin through IAM Identity Center (the shared storyline's actor). */
export function alice(): Identity {
  return sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail.userIdentity;
}

/** erin, a payments developer through IAM Identity Center, shifting canary traffic. */
export function erin(): Identity {
  const role = 'AWSReservedSSO_PaymentsDeveloper_7b3e1f9a2c5d8e40';
  return {
    type: 'AssumedRole',
    principalId: 'AROARZ5EXAMPLE3ERIN0:erin@example.com',
    arn: `arn:aws:sts::111122223333:assumed-role/${role}/erin@example.com`,
    accountId: '111122223333',
    accessKeyId: 'ASIARZ5EXAMPLE8N4VQW',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROARZ5EXAMPLE3ERIN0', arn: `arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/us-west-2/${role}`, accountId: '111122223333', userName: role },
      attributes: { creationDate: new Date(Date.now() - 20 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
    },
  };
}

/** meshgov's remediator role (the shared event of its own UpdateVirtualNode). */
export function meshgovRemediator(): Identity {
  return sharedEvent('aws/cloudtrail-appmesh-update-by-meshgov-role.json').detail.userIdentity;
}

function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The EventBridge event of `Update<Kind>` on the resource whose `*Data` the emulator answered
 * with (`data`), made by `who` at `at`: ids fresh, every other field as CloudTrail writes it.
 */
export function cloudTrailUpdate(type: AppMeshApiType, data: Record<string, any>, who: Identity, at: Date): any {
  const event = cloudTrailEventFor('Update', type, data, { withResponse: true });
  event.time = isoSeconds(at);
  event.detail.eventTime = isoSeconds(at);
  event.detail.userIdentity = who;
  event.detail.recipientAccountId = who.accountId;
  event.account = who.accountId;
  if (who.arn.includes('meshgov-remediator')) {
    event.detail.userAgent = 'aws-sdk-js/3.1048.0 ua/2.1 os/linux#5.10.240-238.959.amzn2.aarch64 lang/js md/nodejs#22.21.1 exec-env/AWS_Lambda_nodejs22.x api/app-mesh#3.1048.0 m/E';
    event.detail.sourceIPAddress = '198.51.100.77';
  }
  return event;
}

let deliveries = 0;

/** An SQS batch from the queue the EventBridge rules target (shared SQS sample's record shape). */
export function sqsDelivery(...events: unknown[]): SQSEvent {
  const template = sharedEvent<SQSEvent>('aws/sqs-event-with-eventbridge-record.json').Records[0]!;
  return {
    Records: events.map((e) => {
      const body = JSON.stringify(e);
      const now = Date.now();
      return {
        ...template,
        messageId: randomUUID(),
        receiptHandle: `AQEB${createHash('sha256').update(`${body}${++deliveries}`).digest('base64')}`,
        body,
        md5OfBody: createHash('md5').update(body).digest('hex'),
        attributes: { ...template.attributes, SentTimestamp: String(now), ApproximateFirstReceiveTimestamp: String(now + 15) },
      };
    }),
  };
}

/** The scheduled audit's EventBridge event, fired at `at`. */
export function scheduledEvent(at: Date): any {
  const event = sharedEvent('aws/scheduled-event.json');
  event.id = randomUUID();
  event.time = isoSeconds(at);
  return event;
}

/**
 * The composite alarm meshgov deploys for an SLO's page pair (`meshgov-slo-<slo>-page-1h-5m`,
 * ALARM when both window alarms are) going OK → ALARM at `at`: the shared alarm event's
 * envelope with a composite alarm's detail (CloudWatch User Guide, "Alarm events and
 * EventBridge": composite alarms carry `alarmRule` and `triggeringAlarms`, no metrics).
 */
export function sloPageAlarm(sloName: string, at: Date): any {
  const event = sharedEvent('aws/cloudwatch-alarm-state-change-latency.json');
  const name = `meshgov-slo-${sloName}-page-1h-5m`;
  const arn = (alarm: string) => `arn:aws:cloudwatch:us-west-2:111122223333:alarm:${alarm}`;
  const stamp = at.toISOString().replace('Z', '+0000');
  const before = new Date(at.getTime() - 3_600_000).toISOString().replace('Z', '+0000');
  event.id = randomUUID();
  event.time = isoSeconds(at);
  event.resources = [arn(name)];
  event.detail = {
    alarmName: name,
    state: {
      value: 'ALARM',
      reason: `${arn(`${name}-long`)} transitioned to ALARM at ${at.toUTCString()}`,
      reasonData: JSON.stringify({ triggeringAlarms: [`${name}-long`, `${name}-short`].map((a) => ({ arn: arn(a), state: { value: 'ALARM', timestamp: stamp } })) }),
      timestamp: stamp,
    },
    previousState: { value: 'OK', reason: 'No alarm in the rule is in ALARM', reasonData: JSON.stringify({ triggeringAlarms: [] }), timestamp: before },
    configuration: {
      alarmRule: `ALARM("${name}-long") AND ALARM("${name}-short")`,
      actionsSuppressor: '',
      actionsSuppressorWaitPeriod: 0,
      actionsSuppressorExtensionPeriod: 0,
      description: `meshgov SLO ${sloName}: burning the error budget at 14.4x or more over 1h and 5m (page)`,
    },
  };
  return event;
}

/** The Lambda context the runtime passes `functionName`. */
export function lambdaContext(functionName: string): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-west-2:111122223333:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${requestId.replace(/-/g, '').slice(0, 32)}`,
    getRemainingTimeInMillis: () => 240_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
