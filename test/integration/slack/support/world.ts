import { createHash, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, SQSEvent } from 'aws-lambda';
import type { ExecutionOutcome } from '../../../../functions/core/approvals/execute-approval';
import type { GovernResult } from '../../../../functions/core/pipeline/govern';
import { govern } from '../../../../functions/core/pipeline/govern';
import { auditScope } from '../../../../functions/core/pipeline/audit-scope';
import type { RemediationExecutor } from '../../../../functions/core/pipeline/ports';
import type { Trigger } from '../../../../functions/core/pipeline/trigger';
import type { Policy } from '../../../../functions/core/policy/types';
import { createSlackActionsHandler } from '../../../../functions/aws/slack-actions';
import { DynamoDbNonceStore } from '../../../../functions/aws/slack/dynamodb-nonce-store';
import type { ExecutionHandOff, ExecutionRequestMessage } from '../../../../functions/aws/slack/hand-off';
import type { SlackActionsDeps } from '../../../../functions/aws/slack/handle-slack-action';
import { runApprovalBatch, type ApprovalWorkerDeps } from '../../../../functions/aws/slack/run-approval-batch';
import { SlackApproverDirectory } from '../../../../functions/notify/slack/approver-directory';
import { SlackNotifier } from '../../../../functions/notify/slack/slack-notifier';
import { buildAppMeshModel } from '../../../../functions/providers/appmesh';
import { appMeshExecutor, appMeshSource, MeshSnapshotCache, type AppMeshSource } from '../../../../functions/providers/appmesh/live';
import { createLedgerTable, DynamoDbLedger } from '../../../../functions/providers/ledger';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../../emulators/appmesh';
import { appMeshClientFor } from '../../../emulators/appmesh/appMeshTestFixtures';
import { slackClientFor, startSlackEmulator, type SlackEmulator } from '../../../emulators/slack';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../../support/dynalite';
import { sharedEvent } from '../../../support/shared-events';
import { clickEvent, type ClickOptions } from './signed-click';
import { APP_ID, DAVE, PAYMENTS_APPROVERS, paymentsPolicy, SIGNING_SECRET, TEAM_ID, USERS, WORKSPACE } from './storyline';
import { storylineMesh } from './fleet';

/**
 * The hub in one process, with real servers behind every port: the ledger on dynalite
 * (DynamoDbLedger), Slack on the Slack emulator through @slack/web-api, App Mesh on the App
 * Mesh emulator through the live reader and writer. The interactivity endpoint is the real
 * Lambda handler; its SQS hand-off is an in-process queue that `drain()` feeds to the real
 * worker batch function, with SQS-shaped events.
 */
export interface World {
  slack: SlackEmulator;
  appmesh: AppMeshEmulator;
  ledger: DynamoDbLedger;
  policy: Policy;
  notifier: SlackNotifier;
  source: AppMeshSource;
  queue: InProcessQueue;
  now(): Date;
  advance(ms: number): void;
  /** One governance run (collect → … → notify) over prod-mesh. */
  govern(trigger: Trigger, options?: { autoFix?: boolean; dryRun?: boolean }): Promise<GovernResult>;
  /** A signed click through the real interactivity handler, signed at the world's clock. */
  click(options: ClickOptions): Promise<APIGatewayProxyStructuredResultV2>;
  /** Runs the worker over every queued message whose delay has passed; returns what it did. */
  drain(): Promise<ExecutionOutcome[]>;
  actionsDeps: SlackActionsDeps;
  workerDeps: ApprovalWorkerDeps;
  logs: Array<{ message: string; fields?: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** The SQS queue between the endpoint and the worker, in memory, with DelaySeconds. */
export class InProcessQueue implements ExecutionHandOff {
  readonly sent: Array<{ message: ExecutionRequestMessage; delaySeconds: number }> = [];
  private pending: Array<{ body: string; visibleAt: number; receiveCount: number; messageId: string }> = [];
  constructor(private readonly now: () => Date) {}

  async send(message: ExecutionRequestMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    const delaySeconds = options.delaySeconds ?? 0;
    this.sent.push({ message, delaySeconds });
    this.pending.push({ body: JSON.stringify(message), visibleAt: this.now().getTime() + delaySeconds * 1000, receiveCount: 0, messageId: randomUUID() });
  }

  get size(): number {
    return this.pending.length;
  }

  /** The visible messages as one SQS event (the shared SQS event's record shape), removed from the queue. */
  receive(): SQSEvent | undefined {
    const now = this.now().getTime();
    const visible = this.pending.filter((m) => m.visibleAt <= now);
    if (visible.length === 0) return undefined;
    this.pending = this.pending.filter((m) => m.visibleAt > now);
    const template = sharedEvent<SQSEvent>('aws/sqs-event-with-eventbridge-record.json').Records[0];
    return {
      Records: visible.map((m) => ({
        ...template,
        messageId: m.messageId,
        body: m.body,
        md5OfBody: createHash('md5').update(m.body).digest('hex'),
        attributes: { ...template.attributes, ApproximateReceiveCount: String(m.receiveCount + 1), SentTimestamp: String(now) },
        eventSourceARN: 'arn:aws:sqs:us-west-2:111122223333:meshgov-approvals',
      })),
    };
  }
}

export interface WorldOptions {
  dynalite: DynaliteServer;
  policy?: Policy;
  /** The worker's MESHGOV_DRY_RUN; false: approved changes are applied. */
  workerDryRun?: boolean;
  executors?: (world: { client: ReturnType<typeof appMeshClientFor>; cache: MeshSnapshotCache }) => RemediationExecutor[];
}

let tables = 0;

export async function startWorld(options: WorldOptions): Promise<World> {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const logs: World['logs'] = [];
  const log = (message: string, fields?: Record<string, unknown>) => logs.push({ message, ...(fields ? { fields } : {}) });

  const slack = await startSlackEmulator({ workspace: WORKSPACE, users: USERS, usergroups: { [PAYMENTS_APPROVERS]: [DAVE.id] } });
  const appmesh = await startAppMeshEmulator({ seed: storylineMesh() });
  const dynamo: DynamoDBClient = dynaliteClient(options.dynalite.endpoint);
  const table = `meshgov-slack-${process.pid}-${++tables}`;
  await createLedgerTable(dynamo, table);
  const ledger = new DynamoDbLedger(dynamo, table, { clock: now });

  const policy = options.policy ?? paymentsPolicy();
  const notifier = new SlackNotifier(slackClientFor(slack), { awsRegion: 'us-west-2' });
  const client = appMeshClientFor(appmesh);
  const cache = new MeshSnapshotCache();
  const source = appMeshSource({ client, cache });
  const executors = options.executors?.({ client, cache }) ?? [appMeshExecutor({ client, cache, accountId: '111122223333' })];
  const queue = new InProcessQueue(now);
  let ids = 0;
  const newId = (prefix: string) => `${prefix}-${String(++ids).padStart(4, '0')}`;

  const actionsDeps: SlackActionsDeps = {
    signingSecret: SIGNING_SECRET,
    teamId: TEAM_ID,
    appId: APP_ID,
    ledger,
    policy,
    directory: new SlackApproverDirectory(slackClientFor(slack)),
    refusals: notifier,
    handOff: queue,
    nonceStore: new DynamoDbNonceStore(dynamo, table, now),
    clock: now,
    log: (level, message, fields) => log(`${level}: ${message}`, fields),
  };
  const workerDeps: ApprovalWorkerDeps = {
    ledger,
    notifier,
    executors,
    policy,
    dryRun: options.workerDryRun ?? false,
    clock: now,
    newId,
    freshState: { providers: ['appmesh'], source, builders: [buildAppMeshModel] },
    handOff: queue,
    log,
  };
  const handler = createSlackActionsHandler(async () => actionsDeps);

  return {
    slack,
    appmesh,
    ledger,
    policy,
    notifier,
    source,
    queue,
    now,
    advance: (ms) => {
      offsetMs += ms;
    },
    async govern(trigger, governOptions = {}) {
      const scoped = await auditScope(trigger, { kind: 'all', providers: ['appmesh'], meshes: ['prod-mesh'] }, { source, builders: [buildAppMeshModel], policy, clock: now });
      return govern(scoped, {
        ledger,
        policy,
        notifier,
        executors: governOptions.autoFix ? executors : [],
        clock: now,
        dryRun: governOptions.dryRun ?? false,
        newId,
        log,
      });
    },
    click: (clickOptions) => handler(clickEvent({ timestamp: Math.floor(now().getTime() / 1000), ...clickOptions })),
    async drain() {
      const outcomes: ExecutionOutcome[] = [];
      for (let event = queue.receive(); event; event = queue.receive()) outcomes.push(...(await runApprovalBatch(event, workerDeps)).outcomes);
      return outcomes;
    },
    actionsDeps,
    workerDeps,
    logs,
    async stop() {
      client.destroy();
      dynamo.destroy();
      await Promise.all([slack.stop(), appmesh.stop()]);
    },
  };
}

/**
 * Registers the hooks a Slack story file needs: one dynalite for the file, and a world per test,
 * stopped after it. Call at the top level of the file; the returned function starts the test's world.
 */
export function worldPerTest(): (options?: Omit<WorldOptions, 'dynalite'>) => Promise<World> {
  let dynalite: DynaliteServer | undefined;
  let world: World | undefined;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(async () => {
    await dynalite?.stop();
  });
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });
  return async (options = {}) => {
    if (!dynalite) throw new Error('worldPerTest: dynalite has not started (call worldPerTest at the top level of the test file)');
    world = await startWorld({ ...options, dynalite });
    return world;
  };
}
