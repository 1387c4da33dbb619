/**
 * What the contract cannot see: the table DynamoDbLedger needs, the items it writes, that its
 * listings are Queries reading only their own partition (never a Scan), that it pages, and that
 * the governance pipeline runs on it unchanged.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Finding } from '../../../functions/core/findings';
import type { ScopedReport } from '../../../functions/core/pipeline/audit-scope';
import { govern, type GovernDeps } from '../../../functions/core/pipeline/govern';
import { buildReport } from '../../../functions/core/report/report';
import { findingId } from '../../../functions/core/rules/finding-id';
import { createLedgerTable, DynamoDbLedger, ledgerTableDefinition } from '../../../functions/providers/ledger';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { shippedPolicy } from '../../support/model';
import { RecordingNotifier } from '../../support/recording-notifier';
import { APPROVAL_ID, approvalRecord, CAROL, changeRecord, cloudTrailTrigger, DAVE, findingRecord, istioFinding, NOW, paymentsApiFinding } from './fixtures';

let server: DynaliteServer;
let tables = 0;
const clients: DynamoDBClient[] = [];

beforeAll(async () => {
  server = await startDynalite();
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.stop();
});

function newClient(): DynamoDBClient {
  const client = dynaliteClient(server.endpoint);
  clients.push(client);
  return client;
}

async function newTable(client = newClient()): Promise<string> {
  const table = `meshgov-ledger-${++tables}`;
  await createLedgerTable(client, table);
  return table;
}

interface SentCommand {
  command: string;
  input: Record<string, any>;
  scannedCount?: number;
  count?: number;
}

/** Every command a client sends, with what a Query or Scan read (ScannedCount) and returned (Count). */
function recordCommands(client: DynamoDBClient): SentCommand[] {
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const output = result.output as { ScannedCount?: number; Count?: number };
      sent.push({ command: context.commandName ?? '?', input: args.input as Record<string, any>, scannedCount: output.ScannedCount, count: output.Count });
      return result;
    },
    { step: 'initialize', name: 'recordLedgerCommands' },
  );
  return sent;
}

describe('the ledger table', () => {
  it('is created as ledgerTableDefinition describes it: pk/sk, two sparse GSIs projecting whole records, on demand', async () => {
    const client = newClient();
    const table = await newTable(client);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection, IndexStatus: i.IndexStatus }))).toEqual(
      ledgerTableDefinition.GlobalSecondaryIndexes.map((i) => ({ ...i, IndexStatus: 'ACTIVE' })),
    );
    expect(ledgerTableDefinition.TimeToLiveAttribute).toBe('expiresAt');
  });

  it('lets errors other than a lost race through (a missing table is not "someone else was first")', async () => {
    const ledger = new DynamoDbLedger(newClient(), 'meshgov-ledger-missing', { clock: () => NOW });
    await expect(ledger.createFinding(findingRecord(paymentsApiFinding()))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('items', () => {
  let client: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let table: string;
  let ledger: DynamoDbLedger;
  beforeEach(async () => {
    client = newClient();
    doc = DynamoDBDocumentClient.from(client);
    table = await newTable(client);
    ledger = new DynamoDbLedger(client, table, { clock: () => NOW });
  });

  const rawItem = async (pk: string, sk: string) => (await doc.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item;
  const rawIndex = async (index: 'gsi1' | 'gsi2', partition: string) =>
    (
      await doc.send(
        new QueryCommand({ TableName: table, IndexName: index, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': `${index}pk` }, ExpressionAttributeValues: { ':pk': partition } }),
      )
    ).Items ?? [];

  it('stores a finding under FINDING#<id>, in the open and owed indexes only while it is open and owed', async () => {
    const record = findingRecord(paymentsApiFinding());
    await ledger.createFinding(record);
    expect(await rawItem(`FINDING#${record.id}`, 'FINDING')).toEqual({
      ...record,
      pk: `FINDING#${record.id}`,
      sk: 'FINDING',
      gsi1pk: 'OPEN_FINDINGS#appmesh',
      gsi1sk: `MESH#prod-mesh#NS##${record.id}`,
      gsi2pk: 'PENDING_NOTIFICATIONS',
      gsi2sk: record.id,
    });
    expect((await rawIndex('gsi1', 'OPEN_FINDINGS#appmesh')).map((i) => i.id)).toEqual([record.id]);

    await ledger.updateFinding({ ...record, status: 'resolved', resolvedAt: '2026-11-20T15:04:20.000Z', notificationPending: false, version: 2 });
    const stored = await rawItem(`FINDING#${record.id}`, 'FINDING');
    expect(stored).not.toHaveProperty('gsi1pk');
    expect(stored).not.toHaveProperty('gsi2pk');
    expect(await rawIndex('gsi1', 'OPEN_FINDINGS#appmesh')).toEqual([]);
    expect(await rawIndex('gsi2', 'PENDING_NOTIFICATIONS')).toEqual([]);
  });

  it('keeps an approval in its finding’s open partition until it reaches a final state', async () => {
    await ledger.createApproval(approvalRecord());
    const partition = `OPEN_APPROVALS#${paymentsApiFinding().id}`;
    expect(await rawIndex('gsi1', partition)).toEqual([expect.objectContaining({ id: APPROVAL_ID, gsi1sk: `2026-11-20T15:01:30.000Z#${APPROVAL_ID}` })]);
    await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL });
    await ledger.transitionApproval(APPROVAL_ID, ['APPROVED'], 'EXECUTING');
    expect(await rawIndex('gsi1', partition)).toHaveLength(1);
    await ledger.transitionApproval(APPROVAL_ID, ['EXECUTING'], 'ROLLED_BACK', { outcome: 'DescribeVirtualNode still PERMISSIVE after update; restored version 3 spec' });
    expect(await rawIndex('gsi1', partition)).toEqual([]);
    const stored = await rawItem(`APPROVAL#${APPROVAL_ID}`, 'APPROVAL');
    expect(stored).toMatchObject({ state: 'ROLLED_BACK', version: 4, decidedBy: CAROL });
    expect(stored).not.toHaveProperty('gsi1pk');
  });

  it('indexes a change by time, and by service when it has one', async () => {
    const change = changeRecord();
    await ledger.recordChange(change);
    expect(await rawItem(`CHANGE#${change.id}`, 'CHANGE')).toMatchObject({
      gsi1pk: 'SERVICE_CHANGES#appmesh:prod-mesh/payments-api',
      gsi1sk: `2026-11-20T15:04:15.000Z#${change.id}`,
      gsi2pk: 'CHANGES',
      gsi2sk: `2026-11-20T15:04:15.000Z#${change.id}`,
    });
    // The before and after specs are stored whole.
    expect((await rawItem(`CHANGE#${change.id}`, 'CHANGE'))?.before).toEqual(change.before);
  });

  it('keeps key parts apart even when a name holds the key separator', async () => {
    // Not a legal App Mesh name, but nothing in the ledger may depend on that.
    const odd: Finding = { ...paymentsApiFinding(), resource: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod#NS#payments', port: 8080 } };
    odd.id = findingId('mtls-not-strict', 'appmesh', odd.resource);
    await ledger.createFinding(findingRecord(odd));
    await ledger.createFinding(findingRecord({ ...istioFinding('payments', 'payments-api'), provider: 'appmesh', resource: { kind: 'VirtualNode', name: 'x', mesh: 'prod', namespace: 'payments' } }));
    expect((await ledger.listOpenFindings({ mesh: 'prod', namespace: 'payments' })).map((r) => r.finding.resource.mesh)).toEqual(['prod']);
    expect((await ledger.listOpenFindings({ mesh: 'prod#NS#payments' })).map((r) => r.id)).toEqual([odd.id]);
  });
});

describe('queries, not scans', () => {
  it('lists open findings of one mesh, owed notifications and one service’s changes by reading only what they return', async () => {
    const client = newClient();
    const table = await newTable(client);
    const ledger = new DynamoDbLedger(client, table, { clock: () => NOW });
    // A fleet: 40 Istio workloads in 4 namespaces, 20 App Mesh nodes in two meshes, 30 changes over two services.
    for (let i = 0; i < 40; i++) await ledger.createFinding(findingRecord(istioFinding(['payments', 'orders', 'ledger', 'fraud'][i % 4], `svc-${i}`), { notificationPending: false }));
    for (let i = 0; i < 20; i++) {
      const resource = { kind: 'VirtualNode', name: `node-${i}`, mesh: i < 5 ? 'prod-mesh' : 'staging-mesh', port: 8080 };
      await ledger.createFinding(findingRecord({ ...paymentsApiFinding(), id: findingId('mtls-not-strict', 'appmesh', resource), resource }, { notificationPending: i === 3 }));
    }
    for (let i = 0; i < 30; i++) {
      const at = new Date(Date.parse('2026-11-20T10:00:00Z') + i * 600_000).toISOString();
      await ledger.recordChange(changeRecord({ id: `chg-${String(i).padStart(4, '0')}`, at, service: i % 3 === 0 ? 'appmesh:prod-mesh/payments-api' : 'istio:payments/payments-api' }));
    }

    const sent = recordCommands(client);
    expect(await ledger.listOpenFindings({ provider: 'appmesh', mesh: 'prod-mesh' })).toHaveLength(5);
    expect(await ledger.listPendingNotifications()).toHaveLength(1);
    const recent = await ledger.listChanges('2026-11-20T14:00:00.000Z', { service: 'appmesh:prod-mesh/payments-api' });
    expect(recent.map((c) => c.at)).toEqual(['2026-11-20T14:30:00.000Z', '2026-11-20T14:00:00.000Z']);

    // The owed notification is confirmed on its item (one GetItem): the index may lag.
    expect(sent.map((s) => s.command)).toEqual(['QueryCommand', 'QueryCommand', 'GetItemCommand', 'QueryCommand']);
    expect(sent.map((s) => s.scannedCount)).toEqual([5, 1, undefined, 2]);
    expect(sent[0].input.KeyConditionExpression).toContain('begins_with');
  });

  it('reads every page of a listing larger than one 1 MB Query page', async () => {
    const client = newClient();
    const table = await newTable(client);
    const ledger = new DynamoDbLedger(client, table, { clock: () => NOW });
    // 130 findings of ~10 KB each: the certificate chain PEM a cert finding carries, say.
    const pem = `-----BEGIN CERTIFICATE-----\n${'MIIDdzCCAl+gAwIBAgIUe7Y2'.repeat(420)}\n-----END CERTIFICATE-----\n`;
    for (let i = 0; i < 130; i++) {
      const f = istioFinding('payments', `batch-${i}`);
      await ledger.createFinding(findingRecord({ ...f, detail: { ...f.detail, chain: pem } }));
    }
    const sent = recordCommands(client);
    expect(await ledger.listOpenFindings({ provider: 'istio' })).toHaveLength(130);
    expect(sent.filter((s) => s.command === 'QueryCommand').length).toBeGreaterThan(1);
  });
});

describe('two Lambda instances on one table', () => {
  it('approve once when the same click reaches two instances, each with its own client', async () => {
    const table = await newTable();
    const first = new DynamoDbLedger(newClient(), table, { clock: () => NOW });
    const second = new DynamoDbLedger(newClient(), table, { clock: () => NOW });
    await first.createApproval(approvalRecord());
    const results = await Promise.all([
      first.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z' }),
      second.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: DAVE, decidedAt: '2026-11-20T15:04:12.000Z' }),
      first.transitionApproval(APPROVAL_ID, ['PENDING'], 'REJECTED', { decidedBy: DAVE, decidedAt: '2026-11-20T15:04:12.000Z' }),
    ]);
    const won = results.filter((r) => r !== undefined);
    expect(won).toHaveLength(1);
    expect(await second.getApproval(APPROVAL_ID)).toEqual(won[0]);
  });
});

describe('the governance pipeline on DynamoDbLedger', () => {
  async function setup() {
    let now = new Date('2026-11-20T15:01:00Z');
    const table = await newTable();
    const notifier = new RecordingNotifier();
    let n = 0;
    const deps: GovernDeps = {
      ledger: new DynamoDbLedger(newClient(), table, { clock: () => now }),
      policy: shippedPolicy(),
      notifier,
      executors: [],
      clock: () => now,
      dryRun: false,
      newId: (p) => `${p}-${++n}`,
    };
    return { deps, notifier, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
  }
  const run = (findings: Finding[]): ScopedReport => ({
    trigger: cloudTrailTrigger(),
    scope: { kind: 'all', providers: ['appmesh'] },
    report: buildReport(findings, 10, new Date('2026-11-20T15:00:49Z')),
    auditedResources: [],
  });
  const withoutRemediation = (): Finding => ({ ...paymentsApiFinding(), remediation: null });

  it('notifies a new finding once, not on the next run, and updates the message when it resolves', async () => {
    const { deps, notifier, advance } = await setup();
    expect((await govern(run([withoutRemediation()]), deps)).notified).toEqual([{ id: paymentsApiFinding().id, kind: 'new' }]);
    advance(60_000);
    expect((await govern(run([withoutRemediation()]), deps)).notified).toEqual([]);
    advance(60_000);
    expect((await govern(run([]), deps)).resolved).toEqual([paymentsApiFinding().id]);
    expect(notifier.sent.map((s) => [s.type, s.kind])).toEqual([
      ['finding', 'new'],
      ['finding', 'resolved'],
    ]);
    // Versions: created 1, notified 2, seen again 3, resolved 4, resolution notified 5.
    expect(await deps.ledger.getFinding(paymentsApiFinding().id)).toMatchObject({ status: 'resolved', notificationPending: false, version: 5 });
  });

  it('keeps the finding when Slack is down and sends the notification on a later run', async () => {
    const { deps, notifier, advance } = await setup();
    notifier.down = true;
    expect((await govern(run([withoutRemediation()]), deps)).notificationFailures).toBe(1);
    expect(await deps.ledger.listPendingNotifications()).toHaveLength(1);
    notifier.down = false;
    advance(300_000);
    expect((await govern(run([withoutRemediation()]), deps)).notified).toEqual([{ id: paymentsApiFinding().id, kind: 'new' }]);
    expect(await deps.ledger.listPendingNotifications()).toEqual([]);
  });

  it('asks for approval of a fix once across runs', async () => {
    const { deps, notifier, advance } = await setup();
    const first = await govern(run([paymentsApiFinding()]), deps);
    advance(60_000);
    const second = await govern(run([paymentsApiFinding()]), deps);
    expect(first.approvalsRequested).toHaveLength(1);
    expect(second.approvalsRequested).toEqual([]);
    expect(notifier.sent.filter((s) => s.type === 'approval')).toHaveLength(1);
    const approval = await deps.ledger.findOpenApproval(paymentsApiFinding().id);
    expect(approval).toMatchObject({ id: first.approvalsRequested[0], state: 'PENDING', slack: { channel: expect.any(String) } });
  });
});
