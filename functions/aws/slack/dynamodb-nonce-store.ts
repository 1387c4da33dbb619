import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { NonceStore } from '../../core/link/nonce-store';
import { LEDGER_KEYS, LEDGER_TTL_ATTRIBUTE } from '../../providers/ledger/table-definition';

/**
 * Requests already accepted, shared by every instance of a function, in the ledger's table:
 * one item per nonce (`pk` = `NONCE#<nonce>`, `sk` = `NONCE`, no index keys, so no listing sees
 * it), written with a PutItem that succeeds only when no live item holds that nonce. Of two
 * concurrent requests with the same nonce exactly one is accepted. `expiresAt` is the table's
 * TTL attribute; an item past it counts as absent, since TTL deletion lags.
 */
export class DynamoDbNonceStore implements NonceStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async remember(nonce: string, expiresAt: Date): Promise<boolean> {
    const now = Math.floor(this.clock().getTime() / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [LEDGER_KEYS.pk]: `NONCE#${nonce}`, [LEDGER_KEYS.sk]: 'NONCE', [LEDGER_TTL_ATTRIBUTE]: Math.ceil(expiresAt.getTime() / 1000) },
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#pk': LEDGER_KEYS.pk, '#ttl': LEDGER_TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }
}
