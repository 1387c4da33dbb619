import { AppMeshClient, DescribeVirtualNodeCommand, UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createAppMeshEventsHandler } from '../../../functions/aws/app-mesh-events';
import type { HubDeps } from '../../../functions/aws/hub/hub-deps';
import { wireHubDeps } from '../../../functions/aws/hub/wire';
import { DynamoDbLedger, createLedgerTable } from '../../../functions/providers/ledger';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../emulators/appmesh';
import { startFakeAwsJsonService } from '../slack/support/fake-aws-json-service';
import { createIdempotencyTable, dynaliteClient, startDynalite } from '../../support/dynalite';
import { hubEnvironment } from '../../support/hub-environment';
import { hubLambdaContext, sqsBatch } from '../../support/hub-lambda';
import { sharedEvent } from '../../support/shared-events';

/**
 * The hub's event intake against late, foreign and ungoverned events, end to end: the real
 * handler (wireHubDeps) over the App Mesh and ACM emulators and dynalite, each test with a
 * ledger table of its own so that no finding of one test stands in another.
 */

const IDEMPOTENCY = 'meshgov-idempotency';
const ACCOUNT = '111122223333';
/** An account that owns a same-named `prod-mesh` and shares it (App Mesh resource ARNs carry the mesh owner). */
const OTHER_ACCOUNT = '444455556666';
const OTHER_NODE_ARN = `arn:aws:appmesh:us-west-2:${OTHER_ACCOUNT}:mesh/prod-mesh/virtualNode/payments-api`;
const SECRET_ARN = `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:meshgov/slack-AbCdEf`;

let appmesh: AppMeshEmulator;
let acm: AcmEmulator;
let dynalite: { endpoint: string; stop(): Promise<void> };
let savedEnv: NodeJS.ProcessEnv;
let ledgerTable: string;
let tables = 0;

function paymentsApiNode(mode: 'PERMISSIVE' | 'STRICT', meshName = 'prod-mesh') {
  const node = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode;
  node.spec.listeners[0].tls.mode = mode;
  // Mutual only with a trust for client certificates (App Mesh: STRICT without validation is one-way TLS).
  if (mode === 'STRICT') node.spec.listeners[0].tls.validation = { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } };
  return { meshName, virtualNodeName: 'payments-api', spec: node.spec };
}

/** A shared event with an id of its own (EventBridge ids are what idempotency keys on). */
function withNewId<T extends { id: string }>(event: T, suffix: string): T {
  return { ...event, id: `${event.id.slice(0, 24)}${`7${suffix}`.padStart(12, '0')}` };
}

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = dynaliteClient(dynalite.endpoint);
  await createIdempotencyTable(client, IDEMPOTENCY);
  client.destroy();
});

afterAll(async () => {
  await dynalite.stop();
});

beforeEach(async () => {
  appmesh = await startAppMeshEmulator({ seed: { meshes: [{ meshName: 'prod-mesh' }], virtualNodes: [paymentsApiNode('PERMISSIVE')] } });
  acm = await startAcmEmulator();
  ledgerTable = `meshgov-ledger-intake-${++tables}`;
  const client = dynaliteClient(dynalite.endpoint);
  await createLedgerTable(client, ledgerTable);
  client.destroy();
  savedEnv = { ...process.env };
  Object.assign(process.env, hubEnvironment({ appmesh: appmesh.url, acm: acm.url, dynamodb: dynalite.endpoint, ledgerTable, idempotencyTable: IDEMPOTENCY, mesh: 'prod-mesh', account: ACCOUNT, dryRun: true }));
});

afterEach(async () => {
  process.env = savedEnv;
  await appmesh.stop();
  await acm.stop();
});

/** One Lambda container: its dependencies (and App Mesh snapshots) last as long as this handler. */
function container(factory: () => Promise<HubDeps> = () => wireHubDeps(process.env)) {
  return createAppMeshEventsHandler(factory, { idempotencyTable: IDEMPOTENCY });
}

function ledger() {
  return new DynamoDbLedger(dynaliteClient(dynalite.endpoint), ledgerTable);
}

async function openMtlsFindings(mesh = 'prod-mesh') {
  return (await ledger().listOpenFindings({ provider: 'appmesh' })).filter((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api' && r.finding.resource.mesh === mesh);
}

function jsonOrText(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}

function appMeshClient() {
  return new AppMeshClient({ region: 'us-west-2', endpoint: appmesh.url, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } });
}

describe('a late AWS Config item (no App Mesh version) after a newer change', () => {
  /** alice's PERMISSIVE (versions 2, 3), then bob's revert to STRICT (version 4), before Config's item for alice's change arrives. */
  async function revertedToStrict(): Promise<void> {
    const client = appMeshClient();
    for (const mode of ['PERMISSIVE', 'PERMISSIVE', 'STRICT'] as const) await client.send(new UpdateVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: paymentsApiNode(mode).spec as any }));
    const live = await client.send(new DescribeVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api' }));
    client.destroy();
    expect(live.virtualNode?.metadata).toMatchObject({ version: 4 });
  }

  it('does not overwrite the STRICT version 4 a warm container holds from the scheduled audit: the node is read live, no finding opens', async () => {
    await revertedToStrict();
    const h = container();
    expect(await h(sqsBatch(withNewId(sharedEvent('aws/scheduled-event.json'), '101')), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await openMtlsFindings()).toHaveLength(0);
    // AWS Config's item for alice's change (PERMISSIVE, captured 2026-11-20T15:01:20Z) comes after it.
    const config = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), '102');
    expect(config.detail.configurationItem.configuration.Spec.Listeners[0].Tls.Mode).toBe('PERMISSIVE');
    appmesh.resetCalls();
    expect(await h(sqsBatch(config), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await openMtlsFindings()).map((r) => r.finding.detail)).toEqual([]);
    expect(appmesh.calls().DescribeVirtualNode).toBe(1);
  });

  it('a cold container (no snapshot) audits the node as App Mesh has it now, not as the item recorded it', async () => {
    await revertedToStrict();
    const config = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), '103');
    expect(await container()(sqsBatch(config), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await openMtlsFindings()).toHaveLength(0);
  });

  it('still reports the PERMISSIVE node the item names when App Mesh has it so', async () => {
    const config = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), '104');
    expect(await container()(sqsBatch(config), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await openMtlsFindings()).map((r) => r.finding.detail)).toEqual([expect.objectContaining({ mode: 'PERMISSIVE' })]);
  });
});

describe("AWS Config deletions in another account's shared mesh of the same name", () => {
  async function openThisAccountsFinding(suffix: string): Promise<string> {
    const update = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), suffix);
    expect(await container()(sqsBatch(update), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    const [open] = await openMtlsFindings();
    expect(open).toBeDefined();
    return open!.id;
  }

  it('ResourceDeletedNotRecorded (no configuration, no diff): the ARN names the owner, and this account\'s finding stays open', async () => {
    const id = await openThisAccountsFinding('111');
    const deleted = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), '112');
    Object.assign(deleted.detail.configurationItem, { configuration: null, supplementaryConfiguration: {}, configurationItemStatus: 'ResourceDeletedNotRecorded', ARN: OTHER_NODE_ARN, resourceId: OTHER_NODE_ARN });
    deleted.detail.configurationItemDiff = null;
    expect(await container()(sqsBatch(deleted), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await ledger().getFinding(id))?.status).toBe('open');
  });

  it('an oversized notification of the deletion (summary, changeType DELETE) leaves it open too', async () => {
    const id = await openThisAccountsFinding('113');
    const event = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), '114');
    const item = event.detail.configurationItem;
    event.detail = {
      configurationItemSummary: {
        changeType: 'DELETE',
        configurationItemVersion: item.configurationItemVersion,
        configurationItemCaptureTime: '2026-11-20T15:20:02.118Z',
        configurationStateId: 1795188002118,
        awsAccountId: ACCOUNT,
        configurationItemStatus: 'ResourceDeleted',
        resourceType: item.resourceType,
        resourceId: OTHER_NODE_ARN,
        resourceName: 'payments-api',
        ARN: OTHER_NODE_ARN,
        awsRegion: 'us-west-2',
        availabilityZone: 'Regional',
        configurationStateMd5Hash: '',
        resourceCreationTime: item.resourceCreationTime,
      },
      s3DeliverySummary: { s3BucketLocation: `config-bucket-${ACCOUNT}/AWSLogs/${ACCOUNT}/Config/us-west-2/2026/11/20/OversizedChangeNotification/payments-api_0.json.gz`, errorCode: null, errorMessage: null },
      notificationCreationTime: '2026-11-20T15:20:04.551Z',
      messageType: 'OversizedConfigurationItemChangeNotification',
      recordVersion: '1.0',
    };
    expect(await container()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await ledger().getFinding(id))?.status).toBe('open');
  });
});

describe('meshes restricted in rules/ (sources.appmesh.meshes), MESHGOV_MESHES unset', () => {
  let rulesDir: string;
  beforeEach(() => {
    rulesDir = mkdtempSync(path.join(tmpdir(), 'meshgov-rules-'));
    cpSync(path.resolve(__dirname, '../../../rules'), rulesDir, { recursive: true });
    writeFileSync(path.join(rulesDir, 'sources.yaml'), 'sources:\n  appmesh:\n    meshes: [prod-mesh]\n');
    process.env.MESHGOV_RULES = rulesDir;
    delete process.env.MESHGOV_MESHES;
  });
  afterEach(() => rmSync(rulesDir, { recursive: true, force: true }));

  it('ignores a CloudTrail change in dev-mesh, which the reader does not read either: no finding opens only to be resolved by the next schedule', async () => {
    appmesh.seed({ meshes: [{ meshName: 'dev-mesh' }], virtualNodes: [paymentsApiNode('PERMISSIVE', 'dev-mesh')] } as any);
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '121');
    event.detail.requestParameters.meshName = 'dev-mesh';
    event.detail.responseElements.virtualNode.meshName = 'dev-mesh';
    event.detail.responseElements.virtualNode.metadata.arn = `arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/dev-mesh/virtualNode/payments-api`;
    const h = container();
    appmesh.resetCalls();
    expect(await h(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await openMtlsFindings('dev-mesh')).toHaveLength(0);
    expect(Object.values(appmesh.calls()).reduce((a, b) => a + (b ?? 0), 0)).toBe(0);
    // The same change in prod-mesh, which the rules name, is audited.
    expect(await h(sqsBatch(withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '122')), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await openMtlsFindings('prod-mesh')).toHaveLength(1);
  });
});

describe('the Slack secret at cold start', () => {
  let secrets: Awaited<ReturnType<typeof startFakeAwsJsonService>>;
  let answers: Array<{ status?: number; body: Record<string, unknown> }>;
  const slackSecret = { status: 200, body: { ARN: SECRET_ARN, Name: 'meshgov/slack', SecretString: JSON.stringify({ token: 'xoxb-2026-meshgov-test', signingSecret: '8f14e45fceea167a5a36dedd4bea2543' }) } };

  beforeEach(async () => {
    answers = [];
    secrets = await startFakeAwsJsonService(() => answers.shift() ?? slackSecret);
    Object.assign(process.env, { MESHGOV_SLACK_SECRET_ARN: SECRET_ARN, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url, AWS_MAX_ATTEMPTS: '1' });
  });
  afterEach(() => secrets.stop());

  /** A container whose dependency builds are kept for the test to look at. */
  function watchedContainer() {
    const built: HubDeps[] = [];
    const h = container(async () => {
      const deps = await wireHubDeps(process.env);
      built.push(deps);
      return deps;
    });
    return { h, built };
  }

  /** A Config item of a type meshgov does not audit: ignored, so nothing is sent to Slack, but the dependencies are built for it. */
  function ignoredEvent(suffix: string) {
    const event = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), suffix);
    Object.assign(event.detail.configurationItem, { resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg-0a1b2c3d4e5f60718', ARN: `arn:aws:ec2:us-west-2:${ACCOUNT}:security-group/sg-0a1b2c3d4e5f60718` });
    return event;
  }

  it('a failed read fails the record, and the next invocation builds again, with Slack', async () => {
    answers.push({ status: 500, body: { __type: 'InternalServiceError', message: 'An error occurred on the server side.' } });
    const { h, built } = watchedContainer();
    const first = sqsBatch(ignoredEvent('131'));
    const failure = await h(first, hubLambdaContext()).then(
      () => undefined,
      (err: Error & { recordErrors?: Error[] }) => err.recordErrors?.[0],
    );
    expect(failure?.message).toMatch(/^MESHGOV_SLACK_SECRET_ARN: the Slack secret could not be read \(InternalServiceError/);
    expect(built).toHaveLength(0);
    // SQS delivers the record again: this time the secret is read, and the container keeps a notifier.
    expect(await h(first, hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect(built).toHaveLength(1);
    expect(built[0]!.notifier).toBeDefined();
    expect(secrets.calls.filter((c) => c.target === 'secretsmanager.GetSecretValue').map((c) => c.body.SecretId)).toEqual([SECRET_ARN, SECRET_ARN]);
  });

  it('a secret that holds no Slack app yet (the random value the stack creates it with) audits without Slack', async () => {
    answers.push({ status: 200, body: { ARN: SECRET_ARN, Name: 'meshgov/slack', SecretString: 'Zq3vN8xK2mP7rT4wY9bC6dF1gH5jL0sA8eU3iO7pQ2zX4vB6' } });
    const { h, built } = watchedContainer();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(await h(sqsBatch(ignoredEvent('132')), hubLambdaContext())).toEqual({ batchItemFailures: [] });
      expect(warn.mock.calls.map((c) => jsonOrText(String(c[0])))).toContainEqual(expect.objectContaining({ level: 'WARN', field: 'SecretString', message: expect.stringContaining('holds no Slack app yet') }));
    } finally {
      warn.mockRestore();
    }
    expect(built).toHaveLength(1);
    expect(built[0]!.notifier).toBeUndefined();
  });

  it('with no Slack secret configured, runs without Slack and never asks Secrets Manager', async () => {
    delete process.env.MESHGOV_SLACK_SECRET_ARN;
    const { h, built } = watchedContainer();
    expect(await h(sqsBatch(ignoredEvent('133')), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect(built[0]!.notifier).toBeUndefined();
    expect(secrets.calls).toHaveLength(0);
  });
});
