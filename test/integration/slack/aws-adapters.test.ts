/**
 * The AWS edges of the Slack functions, each against a real local server: the Slack secret
 * (Secrets Manager, JSON protocol), the hand-off to the worker (SQS, JSON protocol), the replay
 * guard (DynamoDB on dynalite); plus the two Lambda handlers' behaviour on failures.
 */
import { createHash } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { createApprovalWorkerHandler } from '../../../functions/aws/approval-worker';
import { createSlackActionsHandler } from '../../../functions/aws/slack-actions';
import { DynamoDbNonceStore } from '../../../functions/aws/slack/dynamodb-nonce-store';
import { MAX_DELAY_SECONDS, SqsHandOff } from '../../../functions/aws/slack/hand-off';
import type { ApprovalWorkerDeps } from '../../../functions/aws/slack/run-approval-batch';
import { readSlackEnv, SlackEnvError } from '../../../functions/aws/slack/slack-env';
import { slackSecretLoader, SlackSecretError } from '../../../functions/aws/slack/slack-secret';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { createLedgerTable } from '../../../functions/providers/ledger';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { sharedEvent } from '../../support/shared-events';
import { startFakeAwsJsonService } from './support/fake-aws-json-service';
import { clickEvent } from './support/signed-click';
import { paymentsPolicy } from './support/storyline';

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:111122223333:secret:meshgov/slack-AbCdEf';

describe('the Slack secret from Secrets Manager', () => {
  test('is read once per container and kept', async () => {
    const service = await startFakeAwsJsonService(() => ({
      body: { ARN: SECRET_ARN, Name: 'meshgov/slack', VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1', SecretString: JSON.stringify({ token: 'xoxb-meshgov-emulator-bot-token', signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' }), VersionStages: ['AWSCURRENT'], CreatedDate: 1795000000 },
    }));
    try {
      const load = slackSecretLoader(SECRET_ARN, new SecretsManagerClient({ endpoint: service.url, region: 'us-west-2', credentials: CREDENTIALS }));
      const [a, b, c] = await Promise.all([load(), load(), load()]);
      expect(a).toEqual({ token: 'xoxb-meshgov-emulator-bot-token', signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' });
      expect(b).toBe(a);
      expect(c).toBe(a);
      expect(service.calls).toEqual([expect.objectContaining({ target: 'secretsmanager.GetSecretValue', body: { SecretId: SECRET_ARN } })]);
    } finally {
      await service.stop();
    }
  });

  test.each([
    ['not JSON', 'xoxb-plain-token', 'SecretString'],
    ['no token', JSON.stringify({ signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' }), 'token'],
    ['a user token where a bot token belongs', JSON.stringify({ token: 'abc', signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' }), 'token'],
    ['no signing secret', JSON.stringify({ token: 'xoxb-1' }), 'signingSecret'],
  ])('a secret with %s is refused, naming the field, and read again next time', async (_name, secretString, field) => {
    const service = await startFakeAwsJsonService(() => ({ body: { ARN: SECRET_ARN, Name: 'meshgov/slack', SecretString: secretString } }));
    try {
      const load = slackSecretLoader(SECRET_ARN, new SecretsManagerClient({ endpoint: service.url, region: 'us-west-2', credentials: CREDENTIALS }));
      await expect(load()).rejects.toMatchObject({ name: 'SlackSecretError', field, secretArn: SECRET_ARN });
      await expect(load()).rejects.toBeInstanceOf(SlackSecretError);
      expect(service.calls).toHaveLength(2);
    } finally {
      await service.stop();
    }
  });
});

describe('the hand-off to the worker over SQS', () => {
  test('sends the approval id, and a delay capped at SQS\'s 15 minutes', async () => {
    const service = await startFakeAwsJsonService((call) => ({
      body: { MessageId: '5fea7756-0ea4-451a-a703-a558b933e274', MD5OfMessageBody: createHash('md5').update(call.body.MessageBody).digest('hex') },
    }));
    try {
      const queueUrl = 'https://sqs.us-west-2.amazonaws.com/111122223333/meshgov-approvals';
      const handOff = new SqsHandOff(new SQSClient({ endpoint: service.url, region: 'us-west-2', credentials: CREDENTIALS }), queueUrl);
      await handOff.send({ approvalId: 'rmd-7c1e9a44d2b0' });
      await handOff.send({ approvalId: 'rmd-7c1e9a44d2b0' }, { delaySeconds: 3_600 });
      expect(service.calls.map((c) => [c.target, c.body.QueueUrl, c.body.MessageBody, c.body.DelaySeconds])).toEqual([
        ['AmazonSQS.SendMessage', queueUrl, '{"approvalId":"rmd-7c1e9a44d2b0"}', undefined],
        ['AmazonSQS.SendMessage', queueUrl, '{"approvalId":"rmd-7c1e9a44d2b0"}', MAX_DELAY_SECONDS],
      ]);
    } finally {
      await service.stop();
    }
  });
});

describe('the replay guard in the ledger table (dynalite)', () => {
  let dynalite: DynaliteServer;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(async () => {
    await dynalite?.stop();
  });

  test('of concurrent requests with one signature exactly one is accepted; after the window it is forgotten', async () => {
    const client = dynaliteClient(dynalite.endpoint);
    try {
      await createLedgerTable(client, 'meshgov-ledger-replay');
      let now = new Date('2026-11-20T15:04:12Z');
      const store = new DynamoDbNonceStore(client, 'meshgov-ledger-replay', () => now);
      const signature = 'slack:v0=ee6823d387d5cde87fba502059f138070ad7fd309767830cb59206e98356e8b1';
      const until = new Date('2026-11-20T15:09:13Z');
      const answers = await Promise.all(Array.from({ length: 5 }, () => store.remember(signature, until)));
      expect(answers.filter(Boolean)).toHaveLength(1);
      expect(await store.remember('slack:v0=another', until)).toBe(true);
      now = new Date('2026-11-20T15:09:14Z');
      expect(await store.remember(signature, new Date('2026-11-20T15:14:14Z'))).toBe(true);
    } finally {
      client.destroy();
    }
  });
});

describe('configuration', () => {
  test('every problem is reported at once, naming its variable', () => {
    expect(() => readSlackEnv({ MESHGOV_SLACK_TEAM_ID: 'acme', MESHGOV_GKE_CLUSTER: 'prod-gke' }, ['secretArn', 'teamId', 'appId'])).toThrow(SlackEnvError);
    try {
      readSlackEnv({ MESHGOV_SLACK_TEAM_ID: 'acme', MESHGOV_GKE_CLUSTER: 'prod-gke' }, ['secretArn', 'teamId', 'appId']);
    } catch (err) {
      expect((err as SlackEnvError).problems.map((p) => p.variable)).toEqual(['MESHGOV_SLACK_SECRET_ARN', 'MESHGOV_SLACK_TEAM_ID', 'MESHGOV_SLACK_APP_ID', 'MESHGOV_GKE_CLUSTER']);
    }
  });

  test('a complete environment reads', () => {
    expect(
      readSlackEnv(
        {
          MESHGOV_SLACK_SECRET_ARN: SECRET_ARN,
          MESHGOV_SLACK_TEAM_ID: 'T04MG8VQ2KX',
          MESHGOV_SLACK_APP_ID: 'A07MGVQ3N5R',
          MESHGOV_LEDGER_TABLE: 'meshgov-ledger',
          MESHGOV_APPROVAL_QUEUE_URL: 'https://sqs.us-west-2.amazonaws.com/111122223333/meshgov-approvals',
          MESHGOV_SLACK_API_URL: 'http://127.0.0.1:9999/api/',
          MESHGOV_GKE_CLUSTER: 'projects/meshgov-demo/locations/us-central1/clusters/prod-gke',
          AWS_REGION: 'us-west-2',
        },
        ['secretArn', 'teamId', 'appId', 'ledgerTable', 'queueUrl'],
      ),
    ).toEqual({
      secretArn: SECRET_ARN,
      teamId: 'T04MG8VQ2KX',
      appId: 'A07MGVQ3N5R',
      ledgerTable: 'meshgov-ledger',
      queueUrl: 'https://sqs.us-west-2.amazonaws.com/111122223333/meshgov-approvals',
      apiUrl: 'http://127.0.0.1:9999/api/',
      region: 'us-west-2',
      gke: { project: 'meshgov-demo', location: 'us-central1', cluster: 'prod-gke' },
    });
  });
});

describe('the Lambda handlers on failure', () => {
  test('the endpoint answers 500 when it cannot start, and tries again on the next request', async () => {
    let attempts = 0;
    const handler = createSlackActionsHandler(async () => {
      attempts++;
      throw new SlackEnvError([{ variable: 'MESHGOV_SLACK_SECRET_ARN', message: 'not set' }]);
    });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const event = clickEvent({ approvalId: 'rmd-7c1e9a44d2b0' });
      expect((await handler(event)).statusCode).toBe(500);
      expect((await handler(event)).statusCode).toBe(500);
      expect(attempts).toBe(2);
    } finally {
      errors.mockRestore();
    }
  });

  test('the worker reports a record it could not handle as a batch item failure, and one that is not a request too, naming the field', async () => {
    const ledger = new MemoryLedger();
    ledger.getApproval = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const logs: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const deps: ApprovalWorkerDeps = {
      ledger,
      executors: [],
      policy: paymentsPolicy(),
      dryRun: false,
      clock: () => new Date(),
      newId: (p) => `${p}-1`,
      handOff: { send: async () => {} },
      log: (message, fields) => logs.push({ message, fields }),
    };
    const template = sharedEvent<SQSEvent>('aws/sqs-event-with-eventbridge-record.json').Records[0];
    const event: SQSEvent = {
      Records: [
        { ...template, messageId: 'm-1', body: '{"approvalId":"rmd-7c1e9a44d2b0"}' },
        { ...template, messageId: 'm-2', body: template.body },
      ],
    };
    // Both come back from SQS and, after maxReceiveCount, land in the approval dead-letter queue.
    expect(await createApprovalWorkerHandler(async () => deps)(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }] });
    expect(logs.find((l) => l.fields?.messageId === 'm-2')).toMatchObject({
      message: expect.stringMatching(/^approval queue message is not an execution request: approvalId: missing \(the body has "version", "id", .*\); left for the dead-letter queue$/),
      fields: { field: 'approvalId' },
    });
  });

  test('a request whose approvalId was renamed (approvalID) is failed to the dead-letter queue, and the log names approvalId', async () => {
    const logs: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    let reads = 0;
    const ledger = new MemoryLedger();
    ledger.getApproval = async () => {
      reads++;
      return undefined;
    };
    const deps: ApprovalWorkerDeps = { ledger, executors: [], policy: paymentsPolicy(), dryRun: false, clock: () => new Date(), newId: (p) => `${p}-1`, handOff: { send: async () => {} }, log: (message, fields) => logs.push({ message, fields }) };
    const template = sharedEvent<SQSEvent>('aws/sqs-event-with-eventbridge-record.json').Records[0];
    const bodies = [
      ['m-renamed', '{"approvalID":"rmd-61a27284f25e"}', 'approvalId: missing (the body has "approvalID")'],
      ['m-number', '{"approvalId":42}', 'approvalId: a number, not a string'],
      ['m-not-json', '{"approvalId":', 'body: not JSON'],
    ];
    const event: SQSEvent = { Records: bodies.map(([messageId, body]) => ({ ...template, messageId, body, eventSourceARN: 'arn:aws:sqs:us-west-2:111122223333:meshgov-approvals' })) };
    const result = await createApprovalWorkerHandler(async () => deps)(event);
    expect(result).toEqual({ batchItemFailures: bodies.map(([itemIdentifier]) => ({ itemIdentifier })) });
    for (const [messageId, , problem] of bodies) expect(logs.find((l) => l.fields?.messageId === messageId)?.message).toContain(`not an execution request: ${problem}`);
    expect(reads).toBe(0);
  });
});
