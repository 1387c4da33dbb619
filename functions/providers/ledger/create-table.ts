import { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ledgerTableDefinition } from './table-definition';

/**
 * Creates the ledger table as ledgerTableDefinition describes it and waits until it and its
 * indexes are ACTIVE. For tests and local runs; in AWS the CDK app creates the table.
 */
export async function createLedgerTable(client: DynamoDBClient, name: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const { KeySchema, AttributeDefinitions, GlobalSecondaryIndexes, BillingMode, TimeToLiveAttribute } = structuredClone(ledgerTableDefinition);
  await client.send(new CreateTableCommand({ TableName: name, KeySchema, AttributeDefinitions, GlobalSecondaryIndexes, BillingMode }));
  await waitUntilActive(client, name, options.timeoutMs ?? 30_000);
  try {
    await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: TimeToLiveAttribute } }));
  } catch (err) {
    // dynalite has no TTL (no UpdateTimeToLive operation); the ledger never relies on TTL deletion anyway.
    if (!(err instanceof Error && err.name === 'UnknownOperationException')) throw err;
  }
}

/** Polls DescribeTable (the SDK's waiter waits 20 s between attempts by default; a new table is usually ready sooner). */
async function waitUntilActive(client: DynamoDBClient, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`table ${name} not ACTIVE after ${timeoutMs} ms (status ${Table?.TableStatus})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
