/**
 * The hub's own App Mesh audits, governed out of order: two Lambda containers of the event
 * function (the SQS source runs several at once) each audit one of alice's two updates of
 * payments-api, and the one that read the mesh first records its report last. Real parts: the
 * event function's handler with its Powertools idempotency, hub deps wired from the environment
 * as deployed (wireHubDeps), the App Mesh and ACM emulators through the real SDK clients, and
 * the DynamoDB ledger on dynalite. Each container's clock is set by the test; the one that must
 * be slow waits at its first ledger read of a finding, that is after its audit, in govern.
 */
import { AppMeshClient, DescribeVirtualNodeCommand, UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { createAppMeshEventsHandler } from '../../../functions/aws/app-mesh-events';
import type { HubDeps } from '../../../functions/aws/hub/hub-deps';
import { wireHubDeps } from '../../../functions/aws/hub/wire';
import type { Ledger } from '../../../functions/core/ledger/types';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../emulators/appmesh';
import { createIdempotencyTable, dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { hubEnvironment } from '../../support/hub-environment';
import { hubLambdaContext, sqsBatch } from '../../support/hub-lambda';
import { RecordingNotifier } from '../../support/recording-notifier';
import { sharedEvent } from '../../support/shared-events';
import { cloudTrailEventFor } from '../appmesh/support/cloudtrail-events';

const LEDGER = 'meshgov-ledger';
const IDEMPOTENCY = 'meshgov-idempotency';
const CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48';
const PCA_ARN = 'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';

let dynalite: DynaliteServer;
let appmesh: AppMeshEmulator;
let acm: AcmEmulator;
let savedEnv: NodeJS.ProcessEnv;

/** payments-api as alice's shared UpdateVirtualNode left it, with its listener in `mode`. */
function paymentsApiSpec(mode: 'PERMISSIVE' | 'STRICT') {
  const spec = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode.spec;
  spec.listeners[0].tls.mode = mode;
  // Mutual only with a trust for client certificates (App Mesh: STRICT without validation is one-way TLS).
  if (mode === 'STRICT') spec.listeners[0].tls.validation = { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } };
  return spec;
}

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = dynaliteClient(dynalite.endpoint);
  await createLedgerTable(client, LEDGER);
  await createIdempotencyTable(client, IDEMPOTENCY);
  client.destroy();
});

afterAll(async () => {
  await dynalite.stop();
});

beforeEach(async () => {
  appmesh = await startAppMeshEmulator({ seed: { meshes: [{ meshName: 'prod-mesh' }], virtualNodes: [{ meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: paymentsApiSpec('STRICT') }] } });
  acm = await startAcmEmulator();
  acm.seedCertificate({ CertificateArn: CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', CertificateAuthorityArn: PCA_ARN, NotBefore: new Date('2026-01-10T00:00:00Z'), NotAfter: new Date('2027-01-10T00:00:00Z') });
  acm.seedCertificateAuthority({ Arn: PCA_ARN, Type: 'ROOT', NotBefore: new Date('2025-01-01T00:00:00Z'), NotAfter: new Date('2035-01-01T00:00:00Z') });
  savedEnv = { ...process.env };
  Object.assign(process.env, hubEnvironment({ appmesh: appmesh.url, acm: acm.url, dynamodb: dynalite.endpoint, ledgerTable: LEDGER, idempotencyTable: IDEMPOTENCY, mesh: 'prod-mesh', account: '111122223333', dryRun: true }));
});

afterEach(async () => {
  process.env = savedEnv;
  await appmesh.stop();
  await acm.stop();
});

/**
 * Holds a container at govern: `hold(ledger)` is a ledger whose finding reads wait until
 * `release()`; `reached` resolves at the first of them, once the container's audit is done.
 */
function heldAtGovern() {
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const hold = (ledger: Ledger): Ledger => new Proxy(ledger, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop !== 'getFinding' && prop !== 'listOpenFindings') return value.bind(target);
      return async (...args: unknown[]) => {
        reach();
        await gate;
        return value.apply(target, args);
      };
    },
  });
  return { hold, reached, release };
}

/** One container of the event function: the deployed wiring, its clock at `at`, a recording notifier, and what `adapt` changes. */
function container(at: Date, notifier: RecordingNotifier, adapt: (deps: HubDeps) => HubDeps = (deps) => deps) {
  const handler = createAppMeshEventsHandler(async () => adapt({ ...(await wireHubDeps(process.env)), clock: () => at, notifier, log: () => undefined }), { idempotencyTable: IDEMPOTENCY });
  return (event: unknown) => handler(sqsBatch(event), hubLambdaContext());
}

/** alice's UpdateVirtualNode of payments-api, made on the emulator at `at`, and the CloudTrail event it sends (with its response). */
async function aliceUpdates(mode: 'PERMISSIVE' | 'STRICT', at: string): Promise<unknown> {
  const client = new AppMeshClient({ region: 'us-west-2', endpoint: appmesh.url });
  try {
    await client.send(new UpdateVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: paymentsApiSpec(mode) as never }));
    const { virtualNode } = await client.send(new DescribeVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api' }));
    const event = cloudTrailEventFor('Update', 'virtualNode', JSON.parse(JSON.stringify(virtualNode)), { withResponse: true });
    event.time = at.replace(/\.\d+Z$/, 'Z');
    event.detail.eventTime = event.time;
    return event;
  } finally {
    client.destroy();
  }
}

describe('App Mesh events governed out of order', () => {
  it("an audit that read payments-api before alice made it PERMISSIVE, governed after the audit that saw it, does not resolve its finding", async () => {
    const notifier = new RecordingNotifier();
    // 15:00:30 alice updates payments-api, leaving it STRICT; container A reads it at 15:00:31 and is slow to govern.
    const first = await aliceUpdates('STRICT', '2026-11-20T15:00:30.000Z');
    const held = heldAtGovern();
    const slow = container(new Date('2026-11-20T15:00:31Z'), notifier, (deps) => ({ ...deps, ledger: held.hold(deps.ledger) }))(first);
    await held.reached;

    // 15:00:49 alice sets the listener PERMISSIVE; container B reads it at 15:00:52 and governs at once.
    const second = await aliceUpdates('PERMISSIVE', '2026-11-20T15:00:49.000Z');
    expect(await container(new Date('2026-11-20T15:00:52Z'), notifier)(second)).toEqual({ batchItemFailures: [] });
    const ledger = new DynamoDbLedger(dynaliteClient(dynalite.endpoint), LEDGER);
    const open = await ledger.listOpenFindings({ provider: 'appmesh' });
    const seen = open.find((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api');
    expect(seen?.finding.detail).toMatchObject({ mode: 'PERMISSIVE' });

    // Container A now records its report of the 15:00:31 read.
    held.release();
    expect(await slow).toEqual({ batchItemFailures: [] });
    expect((await ledger.getFinding(seen!.id))?.status).toBe('open');
    expect(notifier.sent.filter((s) => s.type === 'finding' && s.id === seen!.id).map((s) => s.kind)).toEqual(['new']);
    // The record keeps when the audit that decided it read the mesh: container B, at 15:00:52.
    expect((await ledger.getFinding(seen!.id))?.auditReadAt).toBe('2026-11-20T15:00:52.000Z');
  });
});
