/** The ledger in DynamoDB: the implementation, the table it needs, and a way to create that table. */
export { DynamoDbLedger, type DynamoDbLedgerOptions } from './dynamodb-ledger';
export { ledgerTableDefinition, LEDGER_INDEXES, LEDGER_KEYS, LEDGER_TTL_ATTRIBUTE, type LedgerTableDefinition } from './table-definition';
export { createLedgerTable } from './create-table';
