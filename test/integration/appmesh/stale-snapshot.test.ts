
/**
 * A hub container's warm App Mesh snapshot is never what a scoped audit decides `auto` from:
 * the reader revalidates it against App Mesh first (List pages of every kind, a Describe of
 * what moved), so it sees what other containers of the auditor, the approval worker and the
 * SLO rollback changed, whose events this container never saw.
 *
 * Real parts: the hub's event Lambda handler wired from the environment as deployed
 * (wireHubDeps), several instances of it standing for several Lambda containers (the CDK lets
 * the SQS source run up to 5), the approval worker's executeApproval with its own hub deps,
 * the App Mesh emulator through the real SDK, dynalite for the ledger and idempotency.
 */
import { randomUUID } from 'node:crypto';
import { createAppMeshEventsHandler } from '../../../functions/aws/app-mesh-events';
import { wireHubDeps } from '../../../functions/aws/hub/wire';
import { executeApproval } from '../../../functions/core/approvals/execute-approval';
import type { FindingRecord } from '../../../functions/core/ledger/types';
import { pendingApproval } from '../../../functions/core/pipeline/approval-request';
import { routeFor } from '../../../functions/core/pipeline/route';
import { undoActionOf } from '../../../functions/core/remediation/undo-action';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { startAppMeshEmulator, type AppMeshEmulator, type AppMeshSeed } from '../../emulators/appmesh';
import { createIdempotencyTable, dynaliteClient, startDynalite } from '../../support/dynalite';
import { hubLambdaContext, sqsBatch } from '../../support/hub-lambda';
import { sharedEvent } from '../../support/shared-events';
import { cloudTrailEventFor } from './support/cloudtrail-events';
import { audit, nonZeroCalls, stateInventory } from './support/harness';
import { hubEnvironment } from '../../support/hub-environment';

const MESH = 'prod-mesh';
const PAYMENTS_SERVICE = 'payments-api.payments.svc.cluster.local';
const CA = '/etc/appmesh/certs/prod-mesh-ca-chain.pem';
const cert = (n: string) => ({ file: { certificateChain: `/etc/appmesh/certs/${n}.pem`, privateKey: `/etc/appmesh/certs/${n}.key` } });
const listener = (n: string, mode: 'STRICT' | 'PERMISSIVE') => ({ portMapping: { port: 8080, protocol: 'http' as const }, tls: { mode, certificate: cert(n), validation: { trust: { file: { certificateChain: CA } } } } });
const mtlsTo = (client: string, enforce: boolean) => ({ tls: { enforce, certificate: cert(client), validation: { trust: { file: { certificateChain: CA } } } } });

/** payments-api STRICT, checkout-web calling it with mTLS: nothing for meshgov to do. */
function mtlsSeed(): AppMeshSeed {
  return {
    meshes: [{ meshName: MESH }],
    virtualServices: [{ meshName: MESH, virtualServiceName: PAYMENTS_SERVICE, spec: { provider: { virtualNode: { virtualNodeName: 'payments-api' } } } }],
    virtualNodes: [
      { meshName: MESH, virtualNodeName: 'payments-api', spec: { listeners: [listener('payments-api', 'STRICT')], serviceDiscovery: { dns: { hostname: PAYMENTS_SERVICE } } } },
      {
        meshName: MESH,
        virtualNodeName: 'checkout-web',
        spec: {
          backends: [{ virtualService: { virtualServiceName: PAYMENTS_SERVICE, clientPolicy: mtlsTo('checkout-web', true) } }],
          listeners: [listener('checkout-web', 'STRICT')],
          serviceDiscovery: { dns: { hostname: 'checkout-web.orders.svc.cluster.local' } },
        },
      },
    ],
  };
}

/** payments-api PERMISSIVE, checkout-web calling it in plaintext (its client policy not enforced). */
function permissiveSeed(): AppMeshSeed {
  return {
    meshes: [{ meshName: MESH }],
    virtualServices: [{ meshName: MESH, virtualServiceName: PAYMENTS_SERVICE, spec: { provider: { virtualNode: { virtualNodeName: 'payments-api' } } } }],
    virtualNodes: [
      { meshName: MESH, virtualNodeName: 'payments-api', spec: { listeners: [listener('payments-api', 'PERMISSIVE')], serviceDiscovery: { dns: { hostname: PAYMENTS_SERVICE } } } },
      {
        meshName: MESH,
        virtualNodeName: 'checkout-web',
        spec: {
          backends: [{ virtualService: { virtualServiceName: PAYMENTS_SERVICE } }],
          backendDefaults: { clientPolicy: mtlsTo('checkout-web', false) },
          serviceDiscovery: { dns: { hostname: 'checkout-web.orders.svc.cluster.local' } },
        },
      },
    ],
  };
}

/**
 * What the App Mesh reader calls to revalidate this two-node mesh: DescribeMesh, one page of
 * each mesh-level List (no router or gateway, so no ListRoutes or ListGatewayRoutes), and a
 * Describe of each resource whose listed version or creation time moved from the held copy.
 */
const REVALIDATION = { DescribeMesh: 1, ListVirtualGateways: 1, ListVirtualNodes: 1, ListVirtualRouters: 1, ListVirtualServices: 1 };

let dynalite: { endpoint: string; stop(): Promise<void> };
let appmesh: AppMeshEmulator;
let acm: AcmEmulator;
let saved: NodeJS.ProcessEnv;
let ledger: DynamoDbLedger;
let tables = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
});

afterAll(async () => {
  await dynalite.stop();
});

/** An emulator holding `seed`, and a ledger and idempotency table of this test's own. */
async function start(seed: AppMeshSeed): Promise<void> {
  const names = { ledger: `meshgov-ledger-${++tables}`, idempotency: `meshgov-idempotency-${tables}` };
  const c = dynaliteClient(dynalite.endpoint);
  await createLedgerTable(c, names.ledger);
  await createIdempotencyTable(c, names.idempotency);
  c.destroy();
  appmesh = await startAppMeshEmulator({ seed });
  acm = await startAcmEmulator();
  saved = { ...process.env };
  Object.assign(process.env, hubEnvironment({ appmesh: appmesh.url, acm: acm.url, dynamodb: dynalite.endpoint, ledgerTable: names.ledger, idempotencyTable: names.idempotency, mesh: MESH, account: '111122223333', dryRun: false }));
  ledger = new DynamoDbLedger(dynaliteClient(dynalite.endpoint), names.ledger);
}

afterEach(async () => {
  process.env = saved;
  await appmesh.stop();
  await acm.stop();
});

/** One Lambda container of the auditor: its own hub deps, so its own snapshot cache. */
const container = () => createAppMeshEventsHandler(() => wireHubDeps(process.env), { idempotencyTable: process.env.MESHGOV_IDEMPOTENCY_TABLE! });

async function handled(handler: ReturnType<typeof container>, event: unknown): Promise<void> {
  expect(await handler(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] });
}

/** The 06:00 scheduled full audit, with an event id of its own (idempotency would skip a repeat). */
const scheduled = () => ({ ...sharedEvent('aws/scheduled-event.json'), id: randomUUID(), time: new Date().toISOString() });

/** The CloudTrail event of a change a person made, as it reaches the auditor. */
function personsEvent(verb: 'Create' | 'Update', data: Record<string, any>) {
  const event = cloudTrailEventFor(verb, 'virtualNode', data, { withResponse: true });
  event.time = new Date().toISOString();
  return event;
}

/** alice sets payments-api's listener PERMISSIVE. */
function aliceSetsPermissive(): Record<string, any> {
  return appmesh.touch(MESH, 'virtualNode', 'payments-api', { changeSpec: (spec: any) => ({ ...spec, listeners: [{ ...spec.listeners[0], tls: { ...spec.listeners[0].tls, mode: 'PERMISSIVE' } }] }) });
}

const listenerMode = (name = 'payments-api') => (appmesh.state.describe('virtualNode', MESH, name) as any).spec.listeners[0].tls.mode;

async function paymentsApiFinding(): Promise<FindingRecord> {
  const open = await ledger.listOpenFindings({ provider: 'appmesh' });
  const record = open.find((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api');
  expect(record).toBeDefined();
  return record!;
}

/** What a full read of the mesh, as App Mesh holds it now, plans for payments-api's listener. */
function fullReadPlan() {
  return audit(stateInventory(appmesh, MESH)).findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api')!.remediation;
}

describe("a warm snapshot is revalidated before a scoped audit plans from it", () => {
  it('sees the plaintext client another container created: set-strict waits for approval, naming it', async () => {
    await start(mtlsSeed());
    const since = new Date(Date.now() - 1000).toISOString();
    const A = container();
    const B = container();
    await handled(A, scheduled()); // A's snapshot of prod-mesh is warm

    // bob creates legacy-reporting, calling payments-api with no client policy; container B takes the event.
    appmesh.seed({
      virtualNodes: [{ meshName: MESH, virtualNodeName: 'legacy-reporting', spec: { backends: [{ virtualService: { virtualServiceName: PAYMENTS_SERVICE } }], serviceDiscovery: { dns: { hostname: 'legacy-reporting.reports.svc.cluster.local' } } } }],
    });
    await handled(B, personsEvent('Create', appmesh.state.describe('virtualNode', MESH, 'legacy-reporting')!));

    // alice's change lands on A.
    const permissive = aliceSetsPermissive();
    expect(fullReadPlan()).toMatchObject({ mode: 'approval', reason: expect.stringContaining('legacy-reporting') });
    appmesh.resetCalls();
    const from = appmesh.requests().length;
    await handled(A, personsEvent('Update', permissive));

    expect((await ledger.listChanges(since)).filter((c) => c.action === 'appmesh.listener.set-strict')).toEqual([]);
    expect(listenerMode()).toBe('PERMISSIVE');
    const finding = await paymentsApiFinding();
    expect(finding.finding.remediation).toMatchObject({ action: 'appmesh.listener.set-strict', mode: 'approval', reason: expect.stringContaining('VirtualNode prod-mesh/legacy-reporting sends plaintext') });
    expect(await ledger.findOpenApproval(finding.id)).toMatchObject({ state: 'PENDING' });
    // The lists showed legacy-reporting, which A had never held: described. payments-api's
    // copy came with the event and matched its listed version: not described.
    expect(nonZeroCalls(appmesh)).toEqual({ ...REVALIDATION, DescribeVirtualNode: 1 });
    expect(appmesh.requests().slice(from).filter((r) => r.operation === 'DescribeVirtualNode').map((r) => r.path)).toEqual([`/v20190125/meshes/${MESH}/virtualNodes/legacy-reporting`]);
  });

  it("sees the approval worker's Undo, whose event every auditor ignores as meshgov's own: set-strict waits, naming checkout-web", async () => {
    await start(permissiveSeed());
    const since = new Date(Date.now() - 1000).toISOString();
    const A = container();

    // A's scheduled run enforces checkout-web's mTLS (auto) and asks approval for payments-api STRICT.
    await handled(A, scheduled());
    const enforce = (await ledger.listChanges(since)).find((c) => c.action === 'appmesh.client-policy.enforce')!;
    expect(enforce).toMatchObject({ outcome: 'verified' });

    // A person approves the Undo of that enforcement; the approval worker (its own hub deps and cache) reverts it.
    const record = (await ledger.getFinding(enforce.findingId!))!;
    const undoId = `undo-${enforce.id}`;
    const worker = await wireHubDeps(process.env);
    await ledger.createApproval(
      pendingApproval(undoId, record.finding, { action: undoActionOf(enforce.action), mode: 'approval', reason: `undo of automatic change ${enforce.id}`, change: { changeId: enforce.id } }, routeFor(record.finding, worker.policy), worker.policy, new Date(), { undoOf: enforce.id }),
    );
    await ledger.transitionApproval(undoId, ['PENDING'], 'APPROVED', { decidedBy: 'U0DAVE', decidedAt: new Date().toISOString() });
    const undone = await executeApproval(undoId, {
      ledger: worker.ledger,
      executors: worker.executors,
      policy: worker.policy,
      dryRun: worker.dryRun,
      clock: worker.clock,
      newId: worker.newId,
      freshState: { providers: ['appmesh'], source: worker.source, builders: worker.builders },
    });
    expect(undone).toMatchObject({ status: 'finished', state: 'SUCCEEDED' });
    const undoneNode = appmesh.state.describe('virtualNode', MESH, 'checkout-web')! as any;
    expect(undoneNode.spec.backendDefaults.clientPolicy.tls.enforce).toBe(false);

    // The worker's UpdateVirtualNode, in the remediator role's session, reaches A and is ignored there.
    const workerEvent = personsEvent('Update', undoneNode);
    workerEvent.detail.userIdentity = sharedEvent('aws/cloudtrail-appmesh-update-by-meshgov-role.json').detail.userIdentity;
    appmesh.resetCalls();
    await handled(A, workerEvent);
    expect(nonZeroCalls(appmesh)).toEqual({});

    // alice tweaks payments-api's logging (still PERMISSIVE); A audits her change.
    const tweaked = appmesh.touch(MESH, 'virtualNode', 'payments-api', { changeSpec: (spec: any) => ({ ...spec, logging: { accessLog: { file: { path: '/dev/stdout' } } } }) });
    expect(fullReadPlan()).toMatchObject({ mode: 'approval', reason: expect.stringContaining('checkout-web') });
    const before = new Date().toISOString();
    appmesh.resetCalls();
    const from = appmesh.requests().length;
    await handled(A, personsEvent('Update', tweaked));

    expect((await ledger.listChanges(before)).filter((c) => c.action === 'appmesh.listener.set-strict')).toEqual([]);
    expect(listenerMode()).toBe('PERMISSIVE');
    const finding = await paymentsApiFinding();
    expect(finding.finding.remediation).toMatchObject({ action: 'appmesh.listener.set-strict', mode: 'approval', reason: expect.stringContaining('VirtualNode prod-mesh/checkout-web sends plaintext') });
    // The reader's calls come first (the writer's follow the plan): the revalidation described
    // checkout-web only, whose listed version had moved past A's copy; payments-api's came with the event.
    const read = appmesh.requests().slice(from, from + 6).map((r) => (r.operation === 'DescribeVirtualNode' ? `${r.operation} ${r.path.split('/').pop()}` : r.operation));
    expect(read.sort()).toEqual([...Object.keys(REVALIDATION), 'DescribeVirtualNode checkout-web'].sort());
  });

  it('with nothing changed elsewhere, still plans and applies set-strict auto, for the revalidation calls and no Describe', async () => {
    await start(mtlsSeed());
    const A = container();
    await handled(A, scheduled());

    const permissive = aliceSetsPermissive();
    expect(fullReadPlan()).toMatchObject({ mode: 'auto' });
    const before = new Date().toISOString();
    appmesh.resetCalls();
    const from = appmesh.requests().length;
    await handled(A, personsEvent('Update', permissive));

    // The reader: the revalidation only (payments-api's copy came with the event, checkout-web's
    // is unchanged). The writer: Describe before the write, UpdateVirtualNode, Describe after.
    expect(nonZeroCalls(appmesh)).toEqual({ ...REVALIDATION, DescribeVirtualNode: 2, UpdateVirtualNode: 1 });
    const operations = appmesh.requests().slice(from).map((r) => r.operation);
    expect(operations.slice(0, 5).sort()).toEqual(Object.keys(REVALIDATION).sort());
    expect(operations.slice(5)).toEqual(['DescribeVirtualNode', 'UpdateVirtualNode', 'DescribeVirtualNode']);
    const changes = (await ledger.listChanges(before)).filter((c) => c.action === 'appmesh.listener.set-strict');
    expect(changes).toMatchObject([{ outcome: 'verified', reason: expect.stringContaining('preconditions hold') }]);
    expect(changes[0]!.approvalId).toBeUndefined();
    expect(listenerMode()).toBe('STRICT');
  });
});
