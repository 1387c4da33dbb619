import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { closeServer, listenOnLoopback } from './loopback-server';

/**
 * A real DynamoDB-compatible server for tests: dynalite (architect/dynalite) with its
 * in-memory backend (memory-level), on a free loopback port. Each test file starts its own,
 * so files share no state and run in parallel.
 *
 * What dynalite does not do, and the ledger must not rely on: TTL deletion (it answers
 * DescribeTimeToLive with DISABLED and has no UpdateTimeToLive) and transactions.
 */
export interface DynaliteServer {
  /** `http://127.0.0.1:<port>`, for a client's `endpoint`. */
  endpoint: string;
  /** Closes the server and its open keep-alive connections, dropping every table. */
  stop(): Promise<void>;
}

/** The options of `dynalite(options)` (index.js of dynalite 4) that tests use. */
interface DynaliteOptions {
  /** How long a new table stays CREATING; 500 ms by default. */
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  /** Absent: the in-memory store. */
  path?: string;
}

// dynalite ships no type declarations; this is the one function its main module exports.
const dynalite = require('dynalite') as (options?: DynaliteOptions) => Server;

export async function startDynalite(options: DynaliteOptions = {}): Promise<DynaliteServer> {
  // Tables become ACTIVE at once: a test has no use for the CREATING delay.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...options });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => closeServer(server),
  };
}

/**
 * A DynamoDB client for a dynalite endpoint. The credentials are AWS's documented example
 * keys (dynalite checks that a request is signed, not by whom).
 */
export function dynaliteClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  });
}

/**
 * The table Powertools idempotency writes to, as the stack creates it: partition key `id`
 * (Powertools' default), on demand.
 */
export async function createIdempotencyTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
