import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { describeLedgerContract } from './ledger-contract';

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

describeLedgerContract('DynamoDbLedger on dynalite', {
  // A table per test: no test sees another's records.
  create: async (clock) => {
    const table = `meshgov-ledger-contract-${++tables}`;
    await createLedgerTable(client, table);
    return new DynamoDbLedger(client, table, { clock });
  },
  skipsExpiredItems: true,
});
