import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MeshGovConfig } from '../config';
import { grantLedgerData, IDEMPOTENCY_DATA_ACTIONS } from './ledger-tables';
import { MeshGovFunction } from './meshgov-function';
import { SQS_SOURCE_MAX_RECEIVE_COUNT } from './queues';

/** Every App Mesh write that can change a finding (CloudTrail event names). */
export const APPMESH_EVENT_NAMES = ['VirtualNode', 'VirtualGateway', 'VirtualService', 'VirtualRouter', 'Route', 'GatewayRoute', 'Mesh'].flatMap((kind) =>
  ['Create', 'Update', 'Delete'].map((verb) => `${verb}${kind}`),
);

/**
 * The Powertools service names (POWERTOOLS_SERVICE_NAME, so the `service` dimension of their
 * metrics) of the functions that govern: the hub's, the GCP agent's findings and the SLO alarms'.
 */
export const GOVERNING_SERVICES = { hub: 'meshgov-hub', agentFindings: 'meshgov-agent-findings', slo: 'meshgov-slo' } as const;

export interface AppMeshAuditorProps {
  config: MeshGovConfig;
  ledger: dynamodb.Table;
  idempotency: dynamodb.Table;
  /** Extra environment (Slack secret, agent URL, link secret) set by the stack. */
  environment?: Record<string, string>;
}

/**
 * The App Mesh side of the hub: EventBridge rules for App Mesh CloudTrail calls, AWS Config
 * items, ACM expiry and the schedule all deliver into one queue; one function audits what
 * each event touched. Failed events go to a dead-letter queue with an alarm on it.
 */
export class AppMeshAuditor extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly function: MeshGovFunction;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** An expired approval whose Slack message a governing function gave up redrawing: its buttons may still show. */
  readonly expiryRedrawsAbandonedAlarm: cloudwatch.Alarm;
  readonly rules: events.Rule[];
  /** Every role that writes App Mesh for meshgov; CloudTrail events made by them are not audited again. */
  private readonly writerRoles: iam.IRole[] = [];

  constructor(scope: Construct, id: string, props: AppMeshAuditorProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    const timeout = Duration.minutes(5);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Events', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS: at least six times the function timeout, so a batch is not redelivered while it runs.
      visibilityTimeout: Duration.minutes(30),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: SQS_SOURCE_MAX_RECEIVE_COUNT },
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'meshgov: an event could not be processed and is in the dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Every function that governs expires approvals, so each publishes the count: one alarm sums them.
    this.expiryRedrawsAbandonedAlarm = new cloudwatch.Alarm(this, 'ExpiryRedrawsAbandonedAlarm', {
      alarmDescription:
        'meshgov: Slack would not show that an approval request expired; its buttons may remain. The approval and the Slack error are in the logs ' +
        `of the hub, agent-findings and slo functions (services ${Object.values(GOVERNING_SERVICES).join(', ')}): "expired approval message given up"`,
      metric: expiryRedrawsAbandoned(Duration.minutes(5)),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.function = new MeshGovFunction(this, 'Auditor', {
      entry: 'app-mesh-events.ts',
      description: 'meshgov hub: audits App Mesh changes, ACM expiry and the schedule; remediates what is safe',
      timeout,
      environment: {
        MESHGOV_DRY_RUN: String(config.dryRun),
        MESHGOV_LEDGER_TABLE: props.ledger.tableName,
        MESHGOV_IDEMPOTENCY_TABLE: props.idempotency.tableName,
        MESHGOV_MESHES: config.meshes.join(','),
        POWERTOOLS_SERVICE_NAME: GOVERNING_SERVICES.hub,
        ...props.environment,
      },
    });
    const fn = this.function.fn;
    // The function's own role makes meshgov's changes; events from it are recognised and ignored.
    this.writerRoles.push(fn.role!);
    fn.addEnvironment('MESHGOV_REMEDIATOR_ROLE_ARNS', Lazy.string({ produce: () => this.writerRoles.map((r) => r.roleArn).join(',') }));
    fn.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }));
    grantLedgerData(props.ledger, fn);
    props.idempotency.grant(fn, ...IDEMPOTENCY_DATA_ACTIONS);
    grantAppMeshAccess(fn.role!, stack, config);

    const target = new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) });
    this.rules = [
      new events.Rule(this, 'AppMeshCalls', {
        description: 'meshgov: App Mesh create, update and delete calls (CloudTrail)',
        eventPattern: {
          source: ['aws.appmesh'],
          detailType: ['AWS API Call via CloudTrail'],
          detail: { eventSource: ['appmesh.amazonaws.com'], eventName: APPMESH_EVENT_NAMES },
        },
        targets: [target],
      }),
      new events.Rule(this, 'AppMeshConfigItems', {
        description: 'meshgov: AWS Config configuration item changes of App Mesh resources',
        eventPattern: {
          source: ['aws.config'],
          detailType: ['Config Configuration Item Change'],
          detail: { messageType: ['ConfigurationItemChangeNotification'], configurationItem: { resourceType: events.Match.prefix('AWS::AppMesh::') } },
        },
        targets: [target],
      }),
      // An item too large for the event comes as a summary (the full item goes to S3): the
      // auditor reads the resource the summary names live.
      new events.Rule(this, 'AppMeshOversizedConfigItems', {
        description: 'meshgov: AWS Config changes of App Mesh resources too large for the event (summaries)',
        eventPattern: {
          source: ['aws.config'],
          detailType: ['Config Configuration Item Change'],
          detail: {
            messageType: ['OversizedConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeDeliveryFailed'],
            configurationItemSummary: { resourceType: events.Match.prefix('AWS::AppMesh::') },
          },
        },
        targets: [target],
      }),
      new events.Rule(this, 'AcmExpiry', {
        description: 'meshgov: ACM certificates approaching expiration',
        eventPattern: { source: ['aws.acm'], detailType: ['ACM Certificate Approaching Expiration'] },
        targets: [target],
      }),
      new events.Rule(this, 'Schedule', {
        description: 'meshgov: scheduled full audit',
        schedule: events.Schedule.expression(config.schedule),
        targets: [target],
      }),
    ];
  }

  /**
   * Names another role that applies meshgov's App Mesh changes (the approval worker, the SLO
   * rollback function), so the CloudTrail events of its writes are ignored like the auditor's
   * own: without it an approved fix or a rollback would start another run (DESIGN.md: no loops).
   */
  addWriterRole(role: iam.IRole): void {
    this.writerRoles.push(role);
  }
}

/**
 * ExpiryRedrawsAbandoned summed over the governing functions (Powertools publishes it in the
 * meshgov namespace with the service as the dimension). Most periods some publish nothing (no
 * agent report, no SLO run, or no SLO function at all): FILL makes those 0, so they never hide
 * another's count.
 */
function expiryRedrawsAbandoned(period: Duration): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(
    Object.values(GOVERNING_SERVICES).map((service, i) => [`m${i + 1}`, new cloudwatch.Metric({ namespace: 'meshgov', metricName: 'ExpiryRedrawsAbandoned', dimensionsMap: { service }, statistic: 'Sum', period })]),
  );
  const filled = Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`);
  return new cloudwatch.MathExpression({ expression: `SUM([${filled.join(', ')}])`, usingMetrics, label: 'ExpiryRedrawsAbandoned', period });
}

/** Every App Mesh read of the live reader (functions/providers/appmesh/live/api-kinds.ts) but ListMeshes, which takes no resource. */
export const APP_MESH_READ_ACTIONS = [
  'appmesh:DescribeMesh',
  'appmesh:ListVirtualNodes',
  'appmesh:DescribeVirtualNode',
  'appmesh:ListVirtualGateways',
  'appmesh:DescribeVirtualGateway',
  'appmesh:ListVirtualServices',
  'appmesh:DescribeVirtualService',
  'appmesh:ListVirtualRouters',
  'appmesh:DescribeVirtualRouter',
  'appmesh:ListRoutes',
  'appmesh:DescribeRoute',
  'appmesh:ListGatewayRoutes',
  'appmesh:DescribeGatewayRoute',
] as const;

/** The only App Mesh writes meshgov makes: whole-spec updates, never a create or a delete. */
export const APP_MESH_UPDATE_ACTIONS = [
  'appmesh:UpdateVirtualNode',
  'appmesh:UpdateVirtualGateway',
  'appmesh:UpdateGatewayRoute',
  'appmesh:UpdateVirtualRouter',
  'appmesh:UpdateRoute',
  'appmesh:UpdateVirtualService',
  'appmesh:UpdateMesh',
] as const;

/** Least privilege: read everything App Mesh and ACM, write only the listed meshes' resources (update, never create or delete). */
export function grantAppMeshAccess(role: iam.IRole, stack: Stack, config: MeshGovConfig): void {
  const meshArn = (mesh: string, rest: string) => stack.formatArn({ service: 'appmesh', resource: 'mesh', resourceName: `${mesh}${rest}` });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadAppMesh',
      actions: ['appmesh:ListMeshes'],
      resources: ['*'],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'DescribeAppMesh',
      actions: [...APP_MESH_READ_ACTIONS],
      // Shared meshes live in their owner's account, so the account is a wildcard for reads.
      resources: [`arn:${stack.partition}:appmesh:${stack.region}:*:mesh/*`],
    }),
  );
  if (config.meshes.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RemediateAppMesh',
        // Nodes and gateways for fixes; routers, routes, services, gateway routes and the mesh for
        // rolling back a person's change after an SLO burn (restore-spec.ts).
        actions: [...APP_MESH_UPDATE_ACTIONS],
        resources: config.meshes.flatMap((m) => [
          meshArn(m, ''),
          meshArn(m, '/virtualNode/*'),
          // Gateway routes are under their gateway, routes under their router.
          meshArn(m, '/virtualGateway/*'),
          meshArn(m, '/virtualRouter/*'),
          meshArn(m, '/virtualService/*'),
        ]),
      }),
    );
  }
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadCertificates',
      actions: ['acm:DescribeCertificate'],
      resources: [stack.formatArn({ service: 'acm', resource: 'certificate', resourceName: '*' })],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadPrivateCAs',
      actions: ['acm-pca:DescribeCertificateAuthority'],
      // A client policy may trust a CA another account shares (AWS RAM), as shared meshes do: any account, read-only.
      resources: [stack.formatArn({ service: 'acm-pca', account: '*', resource: 'certificate-authority', resourceName: '*' })],
    }),
  );
}
