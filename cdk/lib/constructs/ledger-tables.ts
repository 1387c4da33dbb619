import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { LEDGER_INDEXES, LEDGER_KEYS, LEDGER_TTL_ATTRIBUTE } from '../../../functions/providers/ledger/table-definition';

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
      // The ledger is the record of every change meshgov made: never lose it with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
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
