/**
 * Records bigger than DynamoDB's 400 KB item limit (dynalite enforces it too): a change to a
 * large ServiceEntry keeps both specs, a finding on a namespace-wide policy lists every host.
 * MemoryLedger takes them; DynamoDbLedger must too, or the record is lost.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { APPROVAL_ID, approvalRecord, CAROL, changeRecord, findingRecord, istioFinding, NOW, paymentsApiFinding } from './fixtures';

let server: DynaliteServer;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  server = await startDynalite();
  client = dynaliteClient(server.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

async function newLedger(): Promise<{ ledger: DynamoDbLedger; table: string }> {
  const table = `meshgov-ledger-size-${++tables}`;
  await createLedgerTable(client, table);
  return { ledger: new DynamoDbLedger(client, table, { clock: () => NOW }), table };
}

/** A ServiceEntry for an external database fleet: one endpoint per replica, ~250 KB of JSON. */
function serviceEntry(generation: number, replicas: number): Record<string, any> {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'ledger-db-fleet', namespace: 'payments', uid: '5f0c2d1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f', resourceVersion: `88412${generation}`, generation },
    spec: {
      hosts: ['ledger-db.payments.internal'],
      location: 'MESH_EXTERNAL',
      resolution: 'STATIC',
      ports: [{ number: 5432, name: 'tcp-postgres', protocol: 'TCP' }],
      endpoints: Array.from({ length: replicas }, (_, i) => ({
        address: `10.${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
        labels: { replica: `ledger-db-${String(i).padStart(5, '0')}`, zone: ['us-west-2a', 'us-west-2b', 'us-west-2c'][i % 3] },
        locality: `us-west-2/us-west-2${'abc'[i % 3]}`,
      })),
    },
  };
}

function bigChange(): ChangeRecord {
  return changeRecord({
    id: 'chg-gke-audit-7f3a9c2e1b',
    provider: 'istio',
    action: 'istio.serviceentry.update',
    target: { kind: 'ServiceEntry', apiVersion: 'networking.istio.io/v1', namespace: 'payments', name: 'ledger-db-fleet', services: ['istio:payments/ledger-db-fleet'] },
    before: serviceEntry(41, 2400),
    after: serviceEntry(42, 2401),
    findingId: undefined,
    approvalId: undefined,
    approvedBy: undefined,
    outcome: 'applied',
    at: '2026-11-20T15:10:03.000Z',
    service: 'istio:payments/ledger-db-fleet',
  });
}

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('records over the 400 KB item limit', () => {
  it('records a change whose before and after specs together pass 400 KB, and lists it whole', async () => {
    const { ledger } = await newLedger();
    const change = bigChange();
    expect(jsonBytes(change)).toBeGreaterThan(400 * 1024);
    await ledger.recordChange(change);
    expect(await ledger.getChange(change.id)).toEqual(change);
    expect(await ledger.listChanges('2026-11-20T15:00:00.000Z')).toEqual([change]);
    expect(await ledger.listChanges('2026-11-20T15:00:00.000Z', { service: 'istio:payments/ledger-db-fleet' })).toEqual([change]);
  });

  it('keeps a finding whose detail passes 400 KB: created, filtered by namespace, owed, updated on its version', async () => {
    const { ledger } = await newLedger();
    const base = istioFinding('payments', 'payments-api');
    // A namespace-wide PeerAuthentication: the detail names every host it leaves PERMISSIVE.
    const hosts = Array.from({ length: 9000 }, (_, i) => `payments-worker-${String(i).padStart(5, '0')}.payments.svc.cluster.local`);
    const record = findingRecord({ ...base, detail: { ...base.detail, hosts } });
    expect(jsonBytes(record)).toBeGreaterThan(400 * 1024);

    expect(await ledger.createFinding(record)).toEqual(record);
    expect(await ledger.getFinding(record.id)).toEqual(record);
    expect(await ledger.listOpenFindings({ namespace: 'payments' })).toEqual([record]);
    expect(await ledger.listPendingNotifications()).toEqual([record]);
    const notified = { ...record, notificationPending: false, lastNotifiedAt: '2026-11-20T15:02:01.000Z', notifiedSeverity: 'high' as const, version: 2 };
    expect(await ledger.updateFinding(notified)).toEqual(notified);
    expect(await ledger.updateFinding({ ...record, version: 2 })).toBeUndefined();
    expect(await ledger.getFinding(record.id)).toEqual(notified);
  });

  it('takes an approval whose remediation passes 400 KB through its states', async () => {
    const { ledger } = await newLedger();
    const finding = paymentsApiFinding();
    const remediation = { ...finding.remediation!, change: { ...finding.remediation!.change, spec: { ...(finding.remediation!.change as any).spec, backends: serviceEntry(1, 2600).spec.endpoints } } };
    const record = approvalRecord({ remediation, finding: { ...finding, remediation } });
    expect(jsonBytes(record)).toBeGreaterThan(400 * 1024);

    expect(await ledger.createApproval(record)).toEqual(record);
    expect(await ledger.findOpenApproval(finding.id)).toEqual(record);
    const approved = await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z' });
    expect(approved).toEqual({ ...record, state: 'APPROVED', decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z', version: 2 });
    expect(await ledger.getApproval(APPROVAL_ID)).toEqual(approved);
  });

  it('refuses, by name, a record still over the limit compressed, rather than a bare ValidationException', async () => {
    const { ledger } = await newLedger();
    // A detail of random bytes (base64): it does not compress.
    const change = changeRecord({ detail: randomBytes(600 * 1024).toString('base64') });
    await expect(ledger.recordChange(change)).rejects.toMatchObject({ name: 'LedgerItemTooLargeError' });
  });

  it('leaves an item well under the limit as plain attributes', async () => {
    const { ledger, table } = await newLedger();
    const change = changeRecord();
    await ledger.recordChange(change);
    const { Item } = await DynamoDBDocumentClient.from(client).send(new GetCommand({ TableName: table, Key: { pk: `CHANGE#${change.id}`, sk: 'CHANGE' } }));
    expect(Item?.before).toEqual(change.before);
    expect(Object.keys(Item ?? {})).not.toContain('packed');
  });
});
