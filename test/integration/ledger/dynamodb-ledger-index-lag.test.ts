/**
 * GSI reads are eventually consistent (DynamoDB developer guide, "Read consistency for global
 * secondary indexes"): a Query may return an item as it was before a write that already
 * succeeded. dynalite updates its indexes at once, so the lag is played back here: the client
 * answers a Query of the owed-notifications index with that index's earlier answer, as a
 * lagging index would. The ledger must not hand out what the item itself no longer says.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FindingRecord } from '../../../functions/core/ledger/types';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { findingRecord, istioFinding, NOW, paymentsApiFinding } from './fixtures';

let server: DynaliteServer;
const clients: DynamoDBClient[] = [];
let tables = 0;

beforeAll(async () => {
  server = await startDynalite();
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.stop();
});

/** A client whose Queries of gsi2 return the first answer gsi2 gave, while `lagging` is on. */
function laggingIndexClient(): { client: DynamoDBClient; lag: (on: boolean) => void } {
  const client = dynaliteClient(server.endpoint);
  clients.push(client);
  let lagging = false;
  let first: unknown;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { IndexName?: string };
      if (context.commandName === 'QueryCommand' && input.IndexName === 'gsi2') {
        if (first === undefined) first = structuredClone(result.output);
        else if (lagging) return { ...result, output: structuredClone(first) as typeof result.output };
      }
      return result;
    },
    { step: 'initialize', name: 'lagGsi2' },
  );
  return { client, lag: (on) => (lagging = on) };
}

describe('owed notifications while the index lags', () => {
  it('does not list a finding whose notification was marked sent, though the index still shows it owed', async () => {
    const { client, lag } = laggingIndexClient();
    const table = `meshgov-ledger-lag-${++tables}`;
    await createLedgerTable(client, table);
    const ledger = new DynamoDbLedger(client, table, { clock: () => NOW });
    const sent = findingRecord(paymentsApiFinding());
    const stillOwed = findingRecord(istioFinding('payments', 'payments-api'));
    await ledger.createFinding(sent);
    await ledger.createFinding(stillOwed);
    // Run A lists both, posts to Slack, and records what it posted (the second post failed again).
    expect((await ledger.listPendingNotifications()).map((r) => r.id).sort()).toEqual([sent.id, stillOwed.id].sort());
    const notified: FindingRecord = { ...sent, notificationPending: false, lastNotifiedAt: '2026-11-20T15:02:01.000Z', notifiedSeverity: 'high', slack: { channel: 'C07PLATSEC9', ts: '1795186921.000400' }, version: 2 };
    expect(await ledger.updateFinding(notified)).toEqual(notified);
    const retried: FindingRecord = { ...stillOwed, lastSeen: '2026-11-20T15:02:01.000Z', version: 2 };
    expect(await ledger.updateFinding(retried)).toEqual(retried);

    // Run B, a moment later, while the index still has run A's first view.
    lag(true);
    expect(await ledger.listPendingNotifications()).toEqual([retried]);
  });
});
