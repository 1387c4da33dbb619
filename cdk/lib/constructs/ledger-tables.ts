import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LEDGER_INDEXES, LEDGER_KEYS, LEDGER_TTL_ATTRIBUTE } from '../../../functions/providers/ledger/table-definition';

/**
 * What DynamoDbLedger (functions/providers/ledger) and the Slack nonce store call, through the
 * document client: no Scan, DeleteItem or batch writes, so a function cannot wipe the record.
 */
export const LEDGER_DATA_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] as const;

/** What Powertools' DynamoDBPersistenceLayer calls (it deletes a record when the handler fails). */
export const IDEMPOTENCY_DATA_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/** Lets a function use the ledger (the table and its indexes, for Query) and nothing more. */
export function grantLedgerData(ledger: dynamodb.ITable, grantee: iam.IGrantable): void {
  ledger.grant(grantee, ...LEDGER_DATA_ACTIONS);
}

/**
 * The hub's state: the ledger (findings, approvals, change records; the key design lives in
 * functions/providers/ledger) and Powertools' idempotency records. On demand, with
 * point-in-time recovery and TTL; nothing relies on TTL to delete, it only tidies.
 */
export class LedgerTables extends Construct {
  readonly ledger: dynamodb.Table;
  readonly idempotency: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.ledger = new dynamodb.Table(this, 'Ledger', {
      partitionKey: key(LEDGER_KEYS.pk),
      sortKey: key(LEDGER_KEYS.sk),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: LEDGER_TTL_ATTRIBUTE,
      // The ledger is the record of every change meshgov made: never lose it with the stack,
      // nor to a stray DeleteTable (the console or a script) while the stack lives.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    this.ledger.addGlobalSecondaryIndex({ indexName: LEDGER_INDEXES.gsi1, partitionKey: key(LEDGER_KEYS.gsi1pk), sortKey: key(LEDGER_KEYS.gsi1sk) });
    this.ledger.addGlobalSecondaryIndex({ indexName: LEDGER_INDEXES.gsi2, partitionKey: key(LEDGER_KEYS.gsi2pk), sortKey: key(LEDGER_KEYS.gsi2sk) });

    // Powertools' DynamoDBPersistenceLayer defaults: key `id`, TTL `expiration`.
    this.idempotency = new dynamodb.Table(this, 'Idempotency', {
      partitionKey: key('id'),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiration',
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
