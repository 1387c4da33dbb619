import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GOVERNING_SERVICES } from './app-mesh-auditor';
import { grantLedgerData, IDEMPOTENCY_DATA_ACTIONS } from './ledger-tables';
import { MeshGovFunction } from './meshgov-function';
import { SQS_SOURCE_MAX_RECEIVE_COUNT } from './queues';

/** Concurrent approval-worker invocations (SQS event source maximum concurrency: 2 to 1000). */
export const APPROVAL_WORKER_MAX_CONCURRENCY = 2;

/**
 * Requests per second the HTTP API accepts (steady, burst) before answering 429, far above what
 * people clicking in Slack and one agent send, so a flood of forged requests cannot run up
 * Lambda invocations (each still fails the signature check, but only after it is billed).
 */
export const API_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

export interface EndpointsProps {
  ledger: dynamodb.Table;
  /** Powertools' idempotency records: the agent's report for one trigger is governed once. */
  idempotency: dynamodb.ITable;
  /** Environment the hub functions share (tables, meshes, dry-run, agent URL, secrets). */
  hubEnvironment: Record<string, string>;
  /** Grants the App Mesh reads and writes of the auditor to the approval worker. */
  grantAppMesh: (role: iam.IRole) => void;
  /** The Slack workspace and app ids (cdk.json context); without them every click is refused until they are set. */
  slackApp?: { teamId?: string; appId?: string };
}

/**
 * The hub's HTTP API: Slack's interactivity requests (POST /slack/actions) and the GCP
 * agent's signed reports (POST /agent/findings). A click is acknowledged at once and handed
 * to the approval worker through a queue; the Slack token and signing secret and the
 * hub–agent key live in Secrets Manager.
 */
export class SlackAndAgentEndpoints extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly slackSecret: secrets.Secret;
  readonly linkSecret: secrets.Secret;
  readonly approvals: sqs.Queue;
  readonly approvalDeadLetters: sqs.Queue;
  readonly approvalDeadLetterAlarm: cloudwatch.Alarm;
  readonly slackActions: MeshGovFunction;
  readonly approvalWorker: MeshGovFunction;
  readonly agentFindings: MeshGovFunction;

  constructor(scope: Construct, id: string, props: EndpointsProps) {
    super(scope, id);
    this.slackSecret = new secrets.Secret(this, 'SlackSecret', {
      description: 'meshgov Slack app: JSON {"token": "xoxb-…", "signingSecret": "…"}; set it after deploying',
    });
    this.linkSecret = new secrets.Secret(this, 'LinkSecret', {
      description: 'meshgov hub–agent signing key (HMAC); copy the same value into GCP Secret Manager',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });

    this.approvalDeadLetters = new sqs.Queue(this, 'ApprovalDeadLetters', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.approvals = new sqs.Queue(this, 'Approvals', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.minutes(30),
      deadLetterQueue: { queue: this.approvalDeadLetters, maxReceiveCount: SQS_SOURCE_MAX_RECEIVE_COUNT },
    });
    this.approvalDeadLetterAlarm = new cloudwatch.Alarm(this, 'ApprovalDeadLetterAlarm', {
      alarmDescription: 'meshgov: an approved change could not be run and is in the dead-letter queue',
      metric: this.approvalDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const env = {
      ...props.hubEnvironment,
      MESHGOV_SLACK_SECRET_ARN: this.slackSecret.secretArn,
      MESHGOV_APPROVAL_QUEUE_URL: this.approvals.queueUrl,
    };
    // The hub–agent key only where the code reads it (functions/aws/hub/link-secret.ts): the agent
    // findings function verifies reports with it, and the worker signs approved Istio changes
    // (wire.ts). The public Slack endpoint never does, so it gets neither the ARN nor the grant.
    const linkEnv = { MESHGOV_LINK_SECRET_ARN: this.linkSecret.secretArn };
    this.slackActions = new MeshGovFunction(this, 'SlackActions', {
      entry: 'slack-actions.ts',
      description: 'meshgov: Slack interactivity (Approve, Reject, Undo), verified and acknowledged within 3 s',
      timeout: Duration.seconds(10),
      memorySize: 512,
      environment: {
        ...env,
        ...(props.slackApp?.teamId ? { MESHGOV_SLACK_TEAM_ID: props.slackApp.teamId } : {}),
        ...(props.slackApp?.appId ? { MESHGOV_SLACK_APP_ID: props.slackApp.appId } : {}),
        POWERTOOLS_SERVICE_NAME: 'meshgov-slack-actions',
      },
    });
    this.approvalWorker = new MeshGovFunction(this, 'ApprovalWorker', {
      entry: 'approval-worker.ts',
      description: 'meshgov: runs approved changes after re-checking them on fresh state',
      timeout: Duration.minutes(5),
      environment: { ...env, ...linkEnv, POWERTOOLS_SERVICE_NAME: 'meshgov-approval-worker' },
    });
    // At most two approved changes at once (the least SQS allows): the blast-radius check counts
    // the ledger's changes of the last hour before writing, so every parallel worker could pass it.
    this.approvalWorker.fn.addEventSource(new SqsEventSource(this.approvals, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: APPROVAL_WORKER_MAX_CONCURRENCY }));
    this.agentFindings = new MeshGovFunction(this, 'AgentFindings', {
      entry: 'agent-findings.ts',
      description: 'meshgov: signed findings reports from the GCP agent',
      timeout: Duration.seconds(60),
      environment: { ...env, ...linkEnv, POWERTOOLS_SERVICE_NAME: GOVERNING_SERVICES.agentFindings },
    });

    for (const f of [this.slackActions, this.approvalWorker, this.agentFindings]) {
      grantLedgerData(props.ledger, f.fn);
      this.slackSecret.grantRead(f.fn);
    }
    for (const f of [this.approvalWorker, this.agentFindings]) this.linkSecret.grantRead(f.fn);
    props.idempotency.grant(this.agentFindings.fn, ...IDEMPOTENCY_DATA_ACTIONS);
    this.agentFindings.fn.addEnvironment('MESHGOV_IDEMPOTENCY_TABLE', props.idempotency.tableName);
    this.approvals.grantSendMessages(this.slackActions.fn);
    this.approvals.grantSendMessages(this.approvalWorker.fn);
    props.grantAppMesh(this.approvalWorker.fn.role!);
    this.approvalWorker.fn.addEnvironment('MESHGOV_REMEDIATOR_ROLE_ARNS', this.approvalWorker.fn.role!.roleArn);

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.api = new apigwv2.HttpApi(this, 'Api', { description: 'meshgov hub: Slack interactivity and the GCP agent' });
    const stage = this.api.defaultStage?.node.defaultChild as apigwv2.CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', route: '$context.routeKey', status: '$context.status', latency: '$context.responseLatency' }),
    };
    stage.defaultRouteSettings = { throttlingRateLimit: API_THROTTLE.rateLimit, throttlingBurstLimit: API_THROTTLE.burstLimit };
    this.api.addRoutes({ path: '/slack/actions', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('SlackActions', this.slackActions.fn) });
    this.api.addRoutes({ path: '/agent/findings', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('AgentFindings', this.agentFindings.fn) });

    const stack = Stack.of(this);
    new CfnOutput(stack, 'SlackActionsUrl', { value: `${this.api.apiEndpoint}/slack/actions`, description: 'Paste into the Slack app manifest as the interactivity request URL' });
    new CfnOutput(stack, 'AgentFindingsUrl', { value: `${this.api.apiEndpoint}/agent/findings`, description: 'MESHGOV_HUB_URL for the GCP agent' });
    // ARNs, not values: where to put the Slack app's token and signing secret, and where to read the link key from.
    new CfnOutput(stack, 'SlackSecretArn', { value: this.slackSecret.secretArn, description: 'Put {"token": "xoxb-…", "signingSecret": "…"} into this secret (aws secretsmanager put-secret-value --secret-id <this ARN>)' });
    new CfnOutput(stack, 'LinkSecretArn', { value: this.linkSecret.secretArn, description: 'The hub–agent signing key: copy its value into link.key for the GCP agent (aws secretsmanager get-secret-value --secret-id <this ARN>)' });
  }
}
