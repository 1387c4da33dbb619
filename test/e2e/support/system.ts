/**
 * The whole of meshgov on loopback, started once for the end-to-end stories:
 * - AWS side (the hub): the App Mesh, ACM and CloudWatch emulators, dynalite for the ledger and
 *   the idempotency records, stand-ins for Secrets Manager and the approvals SQS queue, and the
 *   real Lambda handlers (functions/aws/*.ts) wired from the environment exactly as deployed
 *   (wire.ts, wire-slack.ts): every AWS client reaches its server through AWS_ENDPOINT_URL_*.
 *   The agent's findings endpoint is served over HTTP by an API Gateway stand-in.
 * - GCP side (the agent): the real functions-framework server running functions/gcp/index.ts
 *   (istioConfigChanged and executeRemediation) against the Kubernetes emulator.
 * - Slack: the Slack emulator, as workspace of the shared storyline.
 * The handlers' only departure from the deployed wiring: their Slack client retries briefly
 * (the emulator's fast policy) instead of the production 3 retries over about 10 s.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler as agentFindingsHandler } from '../../../functions/aws/agent-findings';
import { createAppMeshEventsHandler } from '../../../functions/aws/app-mesh-events';
import { createApprovalWorkerHandler } from '../../../functions/aws/approval-worker';
import type { HubDeps } from '../../../functions/aws/hub/hub-deps';
import { wireHubDeps } from '../../../functions/aws/hub/wire';
import { createLatencyAlarmHandler } from '../../../functions/aws/latency-alarm';
import { createSlackActionsHandler } from '../../../functions/aws/slack-actions';
import { approvalWorkerDepsFromEnv, slackActionsDepsFromEnv } from '../../../functions/aws/slack/wire-slack';
import { createSlackClient } from '../../../functions/notify/slack/slack-client';
import { SlackNotifier } from '../../../functions/notify/slack/slack-notifier';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { cloudWatchSloSource } from '../../../functions/providers/metrics/cloudwatch/source';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../emulators/appmesh';
import { startCloudWatchEmulator, type CloudWatchEmulator } from '../../emulators/cloudwatch';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { FAST_RETRY_CONFIG, startSlackEmulator, type SlackEmulator } from '../../emulators/slack';
import { agentEnvironment, kubeconfigFile, LINK_SECRET, removeKubeconfigFiles } from '../../integration/gcp/agent-environment';
import { startFunctionsServer, type FunctionsServer } from '../../integration/gcp/functions-server';
import { startFakeAwsJsonService } from '../../integration/slack/support/fake-aws-json-service';
import { DAVE, PAYMENTS_APPROVERS, SIGNING_SECRET, USERS, WORKSPACE } from '../../integration/slack/support/storyline';
import { createIdempotencyTable, dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { startApiGateway, type ApiGateway } from './api-gateway';
import { EDGE_CERT_ARN, fleetSeed, PAYMENTS_CERT_ARN, PCA_ARN } from './app-mesh-fleet';
import { APPROVAL_QUEUE_URL, startApprovalQueue, type ApprovalQueue } from './approval-queue';
import { lambdaContext } from './aws-events';
import { clusterBeforeTheStories } from './istio-cluster';
import { writeRulesDir } from './rules';

export const LEDGER_TABLE = 'meshgov-ledger';
export const IDEMPOTENCY_TABLE = 'meshgov-idempotency';
const SLACK_SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:111122223333:secret:meshgov/slack-Q3vX9k';
const LINK_SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:111122223333:secret:meshgov/link-Hw2pLd';
export const REMEDIATOR_ROLE_ARN = 'arn:aws:iam::111122223333:role/meshgov-remediator';
const GKE_CLUSTER = { project: 'meshgov-demo', location: 'us-central1', cluster: 'prod-gke' };
const DAY_MS = 86_400_000;

/** The hub's Lambda functions, as their event sources invoke them. */
export interface HubFunctions {
  appMeshEvents(event: import('aws-lambda').SQSEvent): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
  slackActions(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2>;
  approvalWorker(event: import('aws-lambda').SQSEvent): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
  latencyAlarm(event: unknown): Promise<unknown>;
}

export interface MeshgovSystem {
  slack: SlackEmulator;
  appmesh: AppMeshEmulator;
  acm: AcmEmulator;
  cloudwatch: CloudWatchEmulator;
  kubernetes: KubernetesEmulator;
  queue: ApprovalQueue;
  gateway: ApiGateway;
  agent: { configChanged: FunctionsServer; executeRemediation: FunctionsServer };
  hub: HubFunctions;
  /** The ledger as the hub writes it (DynamoDB on dynalite). */
  ledger: DynamoDbLedger;
  /** The hub functions' JSON log lines (console), for failure messages. */
  hubLogs: string[];
  /** Runs every approval waiting in the queue through the approval worker, as SQS would. */
  drainApprovals(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSystem(): Promise<MeshgovSystem> {
  const rules = writeRulesDir();
  const stoppers: Array<() => Promise<void> | void> = [() => rules.remove(), () => removeKubeconfigFiles()];
  const savedEnv = { ...process.env };
  stoppers.push(() => {
    process.env = savedEnv;
  });
  const hubLogs: string[] = [];
  const consoleSpies = (['log', 'info', 'warn', 'error'] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      hubLogs.push(args.map(String).join(' '));
    }),
  );
  stoppers.push(() => consoleSpies.forEach((s) => s.mockRestore()));
  const stop = async () => {
    for (const s of stoppers.splice(0).reverse()) await s();
  };

  try {
    const [dynalite, slack, appmesh, acm, cloudwatch, kubernetes, queue] = await Promise.all([
      startDynalite(),
      startSlackEmulator({ workspace: WORKSPACE, users: USERS, usergroups: { [PAYMENTS_APPROVERS]: [DAVE.id] } }),
      startAppMeshEmulator({ seed: fleetSeed() }),
      startAcmEmulator(),
      startCloudWatchEmulator(),
      startKubernetesEmulator(),
      startApprovalQueue(),
    ]);
    stoppers.push(() => dynalite.stop(), () => slack.stop(), () => appmesh.stop(), () => acm.stop(), () => cloudwatch.stop(), () => kubernetes.stop(), () => queue.stop());
    await createTables(dynalite);
    seedCertificates(acm);
    kubernetes.seed(clusterBeforeTheStories());

    const secrets = await startFakeAwsJsonService((call) => {
      if (call.body.SecretId === SLACK_SECRET_ARN) return { body: { ARN: SLACK_SECRET_ARN, Name: 'meshgov/slack', SecretString: JSON.stringify({ token: slack.token, signingSecret: SIGNING_SECRET }) } };
      if (call.body.SecretId === LINK_SECRET_ARN) return { body: { ARN: LINK_SECRET_ARN, Name: 'meshgov/link', SecretString: JSON.stringify({ secret: LINK_SECRET }) } };
      return { status: 400, body: { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." } };
    });
    stoppers.push(() => secrets.stop());

    // The hub's findings endpoint first: the agent needs its URL. The Lambda is resolved per request.
    const gateway = await startApiGateway({ 'POST /agent/findings': (event) => agentFindingsHandler(event) });
    stoppers.push(() => gateway.stop());

    const kubeconfig = kubeconfigFile(kubernetes);
    const agentEnv = agentEnvironment({ kubeconfig, hubUrl: `${gateway.url}/agent/findings`, extra: { MESHGOV_DRY_RUN: 'false', MESHGOV_RULES: rules.dir } });
    const [configChanged, executeRemediation] = await Promise.all([
      startFunctionsServer({ target: 'istioConfigChanged', env: agentEnv }),
      startFunctionsServer({ target: 'executeRemediation', env: agentEnv }),
    ]);
    stoppers.push(() => configChanged.stop(), () => executeRemediation.stop());

    Object.assign(process.env, {
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      AWS_ENDPOINT_URL_APP_MESH: appmesh.url,
      AWS_ENDPOINT_URL_ACM: acm.url,
      AWS_ENDPOINT_URL_ACM_PCA: acm.url,
      AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_ENDPOINT_URL_SQS: queue.url,
      MESHGOV_LEDGER_TABLE: LEDGER_TABLE,
      MESHGOV_IDEMPOTENCY_TABLE: IDEMPOTENCY_TABLE,
      MESHGOV_MESHES: 'prod-mesh,edge-mesh',
      MESHGOV_ACCOUNT_ID: '111122223333',
      MESHGOV_REMEDIATOR_ROLE_ARNS: REMEDIATOR_ROLE_ARN,
      MESHGOV_DRY_RUN: 'false',
      MESHGOV_RULES: rules.dir,
      MESHGOV_SLACK_SECRET_ARN: SLACK_SECRET_ARN,
      MESHGOV_SLACK_API_URL: `${slack.url}/api/`,
      MESHGOV_SLACK_TEAM_ID: WORKSPACE.teamId,
      MESHGOV_SLACK_APP_ID: WORKSPACE.appId,
      MESHGOV_APPROVAL_QUEUE_URL: APPROVAL_QUEUE_URL,
      MESHGOV_LINK_SECRET_ARN: LINK_SECRET_ARN,
      MESHGOV_AGENT_URL: executeRemediation.url,
      MESHGOV_GKE_CLUSTER: `projects/${GKE_CLUSTER.project}/locations/${GKE_CLUSTER.location}/clusters/${GKE_CLUSTER.cluster}`,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    // MESHGOV_LINK_SECRET would short-circuit the Secrets Manager read the deployed hub does.
    delete process.env.MESHGOV_LINK_SECRET;

    const fastSlack = <T extends { notifier?: unknown }>(deps: T): T =>
      deps.notifier
        ? { ...deps, notifier: new SlackNotifier(createSlackClient({ token: slack.token, apiUrl: process.env.MESHGOV_SLACK_API_URL, retryConfig: FAST_RETRY_CONFIG }), { awsRegion: 'us-west-2', gke: GKE_CLUSTER }) }
        : deps;
    const appMeshEvents = createAppMeshEventsHandler(async () => fastSlack(await wireHubDeps(process.env)), { idempotencyTable: IDEMPOTENCY_TABLE });
    const approvalWorker = createApprovalWorkerHandler(async () => fastSlack(await approvalWorkerDepsFromEnv(process.env)));
    const slackActions = createSlackActionsHandler(() => slackActionsDepsFromEnv(process.env));
    const latencyAlarm = createLatencyAlarmHandler(async () => {
      const hub: HubDeps = fastSlack(await wireHubDeps(process.env));
      return { ...hub, cloudwatch: cloudWatchSloSource({ client: new CloudWatchClient({ region: process.env.AWS_REGION }) }) };
    });

    const ledger = new DynamoDbLedger(dynaliteClient(dynalite.endpoint), LEDGER_TABLE);
    const hub: HubFunctions = {
      appMeshEvents: (event) => appMeshEvents(event, lambdaContext('meshgov-app-mesh-events')),
      slackActions,
      approvalWorker,
      latencyAlarm,
    };
    return {
      slack,
      appmesh,
      acm,
      cloudwatch,
      kubernetes,
      queue,
      gateway,
      agent: { configChanged, executeRemediation },
      hub,
      ledger,
      hubLogs,
      async drainApprovals() {
        for (let event = queue.receive(); event; event = queue.receive()) {
          const answer = await approvalWorker(event);
          if (answer.batchItemFailures.length > 0) throw new Error(`the approval worker failed ${answer.batchItemFailures.length} message(s); logs:\n${hubLogs.slice(-20).join('\n')}`);
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function createTables(dynalite: DynaliteServer): Promise<void> {
  const client = dynaliteClient(dynalite.endpoint);
  await createLedgerTable(client, LEDGER_TABLE);
  await createIdempotencyTable(client, IDEMPOTENCY_TABLE);
  client.destroy();
}

/** payments-api's certificate is good for a year; the edge proxy's expires in ten days. */
function seedCertificates(acm: AcmEmulator): void {
  const now = Date.now();
  acm.seedCertificateAuthority({ Arn: PCA_ARN, Type: 'ROOT', NotBefore: new Date('2025-01-01T00:00:00Z'), NotAfter: new Date('2035-01-01T00:00:00Z') });
  acm.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', CertificateAuthorityArn: PCA_ARN, NotBefore: new Date(now - 30 * DAY_MS), NotAfter: new Date(now + 365 * DAY_MS) });
  acm.seedCertificate({ CertificateArn: EDGE_CERT_ARN, DomainName: 'edge-proxy.edge.svc.cluster.local', CertificateAuthorityArn: PCA_ARN, NotBefore: new Date(now - 355 * DAY_MS), NotAfter: new Date(now + 10 * DAY_MS + 3_600_000) });
}
