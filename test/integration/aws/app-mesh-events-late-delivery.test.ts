/**
 * App Mesh events handled after a newer change: the event's copy of the resource (CloudTrail's
 * responseElements, a Config item's configuration) is what the resource was at the event's time,
 * not now. A cold container (every SQS redelivery is one: the queue's visibility timeout, 30
 * minutes, outlives any snapshot, 15 minutes) must not audit it as the current state, or a
 * PERMISSIVE listener that bob already put back to STRICT is announced as new. Real parts: the
 * event function's handler with its Powertools idempotency, hub deps wired from the environment
 * (wireHubDeps, a new wiring per handler: a new container), the App Mesh and ACM emulators
 * through the real SDK clients, and the DynamoDB ledger on dynalite; the shared events.
 */
import { AppMeshClient, DescribeVirtualNodeCommand, UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { createAppMeshEventsHandler } from '../../../functions/aws/app-mesh-events';
import { wireHubDeps } from '../../../functions/aws/hub/wire';
import { findingId } from '../../../functions/core/rules/finding-id';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../emulators/appmesh';
import { createIdempotencyTable, dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { hubEnvironment } from '../../support/hub-environment';
import { hubLambdaContext, sqsBatch } from '../../support/hub-lambda';
import { RecordingNotifier } from '../../support/recording-notifier';
import { sharedEvent } from '../../support/shared-events';
import { cloudTrailEventFor } from '../appmesh/support/cloudtrail-events';
import { PAYMENTS_API_UID } from '../appmesh/support/story-mesh';

const LEDGER_PREFIX = 'meshgov-ledger-late';
const IDEMPOTENCY = 'meshgov-idempotency-late';
const CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48';
const PCA_ARN = 'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';
const BOB = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/bob@example.com';

let dynalite: DynaliteServer;
let appmesh: AppMeshEmulator;
let acm: AcmEmulator;
let client: AppMeshClient;
let savedEnv: NodeJS.ProcessEnv;
let testNo = 0;
/** This test's own ledger table: the findings' ids are the same in every test. */
let ledgerTable: string;

/** payments-api's spec as alice's shared UpdateVirtualNode carries it, with its listener in `mode`. */
function paymentsApiSpec(mode: 'PERMISSIVE' | 'STRICT') {
  const spec = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode.spec;
  spec.listeners[0].tls.mode = mode;
  // Mutual only with a trust for client certificates (App Mesh: STRICT without validation is one-way TLS).
  if (mode === 'STRICT') spec.listeners[0].tls.validation = { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } };
  return spec;
}

beforeAll(async () => {
  dynalite = await startDynalite();
  const ddb = dynaliteClient(dynalite.endpoint);
  await createIdempotencyTable(ddb, IDEMPOTENCY);
  ddb.destroy();
});

afterAll(async () => {
  await dynalite.stop();
});

beforeEach(async () => {
  testNo++;
  ledgerTable = `${LEDGER_PREFIX}-${testNo}`;
  const ddb = dynaliteClient(dynalite.endpoint);
  await createLedgerTable(ddb, ledgerTable);
  ddb.destroy();
  // Version 2, STRICT: payments-api before alice's change (her event carries version 3).
  const seeded = { meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: paymentsApiSpec('STRICT'), metadata: { version: 2, uid: PAYMENTS_API_UID, createdAt: '2026-06-03T09:14:27Z' } };
  appmesh = await startAppMeshEmulator({ seed: { meshes: [{ meshName: 'prod-mesh' }], virtualNodes: [seeded] } });
  acm = await startAcmEmulator();
  acm.seedCertificate({ CertificateArn: CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', CertificateAuthorityArn: PCA_ARN, NotBefore: new Date('2026-01-10T00:00:00Z'), NotAfter: new Date('2027-01-10T00:00:00Z') });
  acm.seedCertificateAuthority({ Arn: PCA_ARN, Type: 'ROOT', NotBefore: new Date('2025-01-01T00:00:00Z'), NotAfter: new Date('2035-01-01T00:00:00Z') });
  savedEnv = { ...process.env };
  Object.assign(process.env, hubEnvironment({ appmesh: appmesh.url, acm: acm.url, dynamodb: dynalite.endpoint, ledgerTable, idempotencyTable: IDEMPOTENCY, mesh: 'prod-mesh', account: '111122223333', dryRun: true }));
  client = new AppMeshClient({ region: 'us-west-2', endpoint: appmesh.url });
});

afterEach(async () => {
  client.destroy();
  process.env = savedEnv;
  await appmesh.stop();
  await acm.stop();
});

/** A new container of the event function (its own wiring, so its own empty snapshot cache), telling `notifier`. */
function container(notifier: RecordingNotifier) {
  const handler = createAppMeshEventsHandler(async () => ({ ...(await wireHubDeps(process.env)), notifier }), { idempotencyTable: IDEMPOTENCY });
  return (event: unknown) => handler(sqsBatch(event), hubLambdaContext());
}

function ledgerClient() {
  return new DynamoDbLedger(dynaliteClient(dynalite.endpoint), ledgerTable);
}

/** A fresh EventBridge id per test and event, so idempotency records of other tests do not interfere. */
function withNewId<T extends { id: string }>(e: T, suffix: string): T {
  return { ...e, id: `${e.id.slice(0, 24)}${`${testNo}${suffix}`.padStart(12, '0')}` };
}

/** alice's shared UpdateVirtualNode, made on App Mesh: payments-api PERMISSIVE at version 3, as her event says. */
async function aliceMakesItPermissive() {
  const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '1');
  await client.send(new UpdateVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: event.detail.requestParameters.spec }));
  const live = await client.send(new DescribeVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api' }));
  expect(live.virtualNode?.metadata).toMatchObject({ version: 3, uid: PAYMENTS_API_UID });
  expect(event.detail.responseElements.virtualNode.metadata).toMatchObject({ version: 3, uid: PAYMENTS_API_UID });
  return event;
}

/** bob puts payments-api back to STRICT (version 4); the CloudTrail event of his call, with its response. */
async function bobMakesItStrict() {
  await client.send(new UpdateVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: paymentsApiSpec('STRICT') as never }));
  const { virtualNode } = await client.send(new DescribeVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api' }));
  expect(virtualNode?.metadata?.version).toBe(4);
  const event = cloudTrailEventFor('Update', 'virtualNode', JSON.parse(JSON.stringify(virtualNode)), { withResponse: true });
  event.detail.userIdentity.arn = BOB;
  event.detail.userIdentity.principalId = 'AROARZ5EXAMPLE7ALICE:bob@example.com';
  event.time = event.detail.eventTime = '2026-11-20T15:07:12Z';
  return event;
}

async function openPermissive() {
  const open = await ledgerClient().listOpenFindings({ provider: 'appmesh' });
  return open.filter((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api');
}

/** The id of payments-api's `mtls-not-strict` finding (port 8080), recorded or not. */
const PERMISSIVE_ID = findingId('mtls-not-strict', 'appmesh', { kind: 'VirtualNode', mesh: 'prod-mesh', name: 'payments-api', port: 8080, file: '', line: 1 });

/** The "new" Slack messages of payments-api's mtls-not-strict finding. */
const newPermissiveMessages = (notifier: RecordingNotifier) => notifier.sent.filter((s) => s.type === 'finding' && s.kind === 'new' && s.id === PERMISSIVE_ID);

describe('a late App Mesh event in a cold container', () => {
  it("alice's event redelivered after bob made the node STRICT and the scheduled audit saw it reopens nothing", async () => {
    const notifier = new RecordingNotifier();
    const alice = await aliceMakesItPermissive();
    // Its first delivery fails (the ledger table unreachable): the whole batch goes back to SQS.
    process.env.MESHGOV_LEDGER_TABLE = 'no-such-table';
    await expect(container(notifier)(alice)).rejects.toThrow(/All records failed processing/);
    process.env.MESHGOV_LEDGER_TABLE = ledgerTable;

    await bobMakesItStrict();
    expect(await container(notifier)(withNewId(sharedEvent('aws/scheduled-event.json'), '2'))).toEqual({ batchItemFailures: [] });
    expect(await openPermissive()).toEqual([]);

    // 30 minutes later SQS delivers alice's event again, to another container.
    appmesh.resetCalls();
    expect(await container(notifier)(alice)).toEqual({ batchItemFailures: [] });
    expect(await openPermissive()).toEqual([]);
    expect(newPermissiveMessages(notifier)).toEqual([]);
    expect(appmesh.calls().DescribeVirtualNode).toBe(1);
  });

  it("two containers handle bob's and alice's events out of order: alice's, handled last, reports no PERMISSIVE", async () => {
    const notifier = new RecordingNotifier();
    const alice = await aliceMakesItPermissive();
    const bob = await bobMakesItStrict();
    expect(await container(notifier)(bob)).toEqual({ batchItemFailures: [] });
    expect(await container(notifier)(alice)).toEqual({ batchItemFailures: [] });
    expect(await openPermissive()).toEqual([]);
    expect(newPermissiveMessages(notifier)).toEqual([]);
  });

  it("a Config item of alice's change delivered after bob's change reports no PERMISSIVE", async () => {
    const notifier = new RecordingNotifier();
    await aliceMakesItPermissive();
    await bobMakesItStrict();
    const item = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), '3');
    expect(item.detail.configurationItem.configuration.Spec.Listeners[0].Tls.Mode).toBe('PERMISSIVE');
    expect(await container(notifier)(item)).toEqual({ batchItemFailures: [] });
    expect(await openPermissive()).toEqual([]);
    expect(newPermissiveMessages(notifier)).toEqual([]);
  });

  it("in order, alice's event still opens the PERMISSIVE finding and announces it once", async () => {
    const notifier = new RecordingNotifier();
    const alice = await aliceMakesItPermissive();
    expect(await container(notifier)(alice)).toEqual({ batchItemFailures: [] });
    const open = await openPermissive();
    expect(open.map((r) => ({ mode: r.finding.detail?.mode, actor: r.trigger?.actor }))).toEqual([{ mode: 'PERMISSIVE', actor: alice.detail.userIdentity.arn }]);
    expect(open[0].id).toBe(PERMISSIVE_ID);
    expect(newPermissiveMessages(notifier)).toHaveLength(1);
  });
});
