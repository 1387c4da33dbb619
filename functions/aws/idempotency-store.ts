import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';

/** Where Powertools keeps a handler's idempotency records: the stack's table, or a local server's in tests. */
export interface IdempotencyTableOptions {
  idempotencyTable: string;
  /** A DynamoDB endpoint other than AWS's (dynalite in tests). */
  dynamoDbEndpoint?: string;
}

/** The persistence layer of the handlers that run an event or report once (app-mesh-events, agent-findings, latency-alarm). */
export function idempotencyStore(options: IdempotencyTableOptions): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName: options.idempotencyTable,
    ...(options.dynamoDbEndpoint ? { clientConfig: { endpoint: options.dynamoDbEndpoint } } : {}),
  });
}
