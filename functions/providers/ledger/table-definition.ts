import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The ledger's one DynamoDB table, as data, so that the CDK app and the tests create exactly
 * the same table (the key design is explained at the top of dynamodb-ledger.ts). Only types
 * are imported here: the CDK app can read this without loading the SDK.
 */

/** Attribute names of the keys; every item carries pk and sk, the index keys only when listed. */
export const LEDGER_KEYS = {
  pk: 'pk',
  sk: 'sk',
  gsi1pk: 'gsi1pk',
  gsi1sk: 'gsi1sk',
  gsi2pk: 'gsi2pk',
  gsi2sk: 'gsi2sk',
} as const;

export const LEDGER_INDEXES = {
  /** Open findings by provider and scope, open approvals by finding, changes by service. */
  gsi1: 'gsi1',
  /** Findings whose notification is owed, and every change by time. */
  gsi2: 'gsi2',
} as const;

/** Epoch seconds; the table's TTL attribute. Readers compare it themselves (TTL deletion lags by days). */
export const LEDGER_TTL_ATTRIBUTE = 'expiresAt';

export type LedgerTableDefinition = Required<Pick<CreateTableCommandInput, 'KeySchema' | 'AttributeDefinitions' | 'GlobalSecondaryIndexes' | 'BillingMode'>> & {
  TimeToLiveAttribute: string;
};

export const ledgerTableDefinition: LedgerTableDefinition = {
  KeySchema: [
    { AttributeName: LEDGER_KEYS.pk, KeyType: 'HASH' },
    { AttributeName: LEDGER_KEYS.sk, KeyType: 'RANGE' },
  ],
  AttributeDefinitions: Object.values(LEDGER_KEYS).map((name) => ({ AttributeName: name, AttributeType: 'S' })),
  GlobalSecondaryIndexes: [
    {
      IndexName: LEDGER_INDEXES.gsi1,
      KeySchema: [
        { AttributeName: LEDGER_KEYS.gsi1pk, KeyType: 'HASH' },
        { AttributeName: LEDGER_KEYS.gsi1sk, KeyType: 'RANGE' },
      ],
      // Listings return whole records; KEYS_ONLY would cost a GetItem per listed record.
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: LEDGER_INDEXES.gsi2,
      KeySchema: [
        { AttributeName: LEDGER_KEYS.gsi2pk, KeyType: 'HASH' },
        { AttributeName: LEDGER_KEYS.gsi2sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
  TimeToLiveAttribute: LEDGER_TTL_ATTRIBUTE,
};
