import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { createApprovalWorkerHandler, outcomeMetric } from '../../../functions/aws/approval-worker';
import { createSlackActionsHandler } from '../../../functions/aws/slack-actions';
import type { SlackActionsDeps } from '../../../functions/aws/slack/handle-slack-action';
import type { ApprovalWorkerDeps } from '../../../functions/aws/slack/run-approval-batch';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { MemoryNonceStore } from '../../../functions/core/link';
import { sharedEvent } from '../../support/shared-events';
import { consoleJsonDocuments } from '../../support/emf';
import { shippedPolicy } from '../../support/model';

/**
 * The approval worker and the Slack interactivity endpoint log through Powertools: JSON lines
 * with the service name and a correlation id (the approval id per SQS record, API Gateway's
 * request id per click), and the worker counts outcomes as metrics. POWERTOOLS_DEV makes the
 * logger and metrics write to the global console (read when the handler is created).
 */

const SIGNING_SECRET = 'not-the-real-signing-secret-9f8e7d6c';
let savedEnv: NodeJS.ProcessEnv;

beforeEach(() => {
  savedEnv = { ...process.env };
  Object.assign(process.env, { POWERTOOLS_DEV: 'true', POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_METRICS_NAMESPACE: 'meshgov' });
});

afterEach(() => {
  process.env = savedEnv;
});

function workerDeps(ledger: MemoryLedger): ApprovalWorkerDeps {
  return { ledger, executors: [], policy: shippedPolicy(), dryRun: false, clock: () => new Date(), newId: (p) => `${p}-1`, handOff: { send: async () => {} } };
}

describe('the approval worker logs with Powertools', () => {
  it("carries each record's approval id as correlation id and its message id, logs failures as errors, and counts them", async () => {
    const ledger = new MemoryLedger();
    ledger.getApproval = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const handler = createApprovalWorkerHandler(async (logging) => ({ ...workerDeps(ledger), ...logging }));
    const template = sharedEvent<SQSEvent>('aws/sqs-event-with-eventbridge-record.json').Records[0];
    const event: SQSEvent = {
      Records: [
        { ...template, messageId: 'm-1', body: '{"approvalId":"rmd-7c1e9a44d2b0"}' },
        { ...template, messageId: 'm-2', body: '{"approvalID":"rmd-61a27284f25e"}' },
      ],
    };
    let result: unknown;
    const lines = await consoleJsonDocuments(async () => {
      result = await handler(event);
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }] });
    const errors = lines.filter((l) => l.level === 'ERROR');
    expect(errors).toEqual([
      expect.objectContaining({ service: 'meshgov-approval-worker', messageId: 'm-1', correlation_id: 'rmd-7c1e9a44d2b0', message: expect.stringContaining('approval failed') }),
      expect.objectContaining({ service: 'meshgov-approval-worker', messageId: 'm-2', field: 'approvalId', message: expect.stringContaining('not an execution request') }),
    ]);
    // The second record is not an approval: it does not inherit the first one's correlation id.
    expect(errors[1]).not.toHaveProperty('correlation_id');
    const emf = lines.find((l) => l._aws);
    expect(emf).toMatchObject({ ApprovalsFailed: 1, ApprovalMessagesMalformed: 1, service: 'meshgov-approval-worker' });
  });

  it('names a metric for every outcome: executed, refused, deferred', () => {
    expect(outcomeMetric({ status: 'finished', approvalId: 'a', state: 'SUCCEEDED', detail: '' })).toBe('ApprovalsExecuted');
    expect(outcomeMetric({ status: 'finished', approvalId: 'a', state: 'FAILED', detail: '' })).toBe('ApprovalsRefused');
    expect(outcomeMetric({ status: 'deferred', approvalId: 'a', reason: 'freeze', retryAfterSeconds: 300 })).toBe('ApprovalsDeferred');
    expect(outcomeMetric({ status: 'finished', approvalId: 'a', state: 'ROLLED_BACK', detail: '' })).toBe('ApprovalsRolledBack');
  });
});

describe('the Slack interactivity endpoint logs with Powertools', () => {
  function actionsDeps(log: SlackActionsDeps['log']): SlackActionsDeps {
    return {
      signingSecret: SIGNING_SECRET,
      teamId: 'T0MESHGOV',
      appId: 'A0MESHGOV',
      ledger: new MemoryLedger(),
      policy: shippedPolicy(),
      directory: { approversOf: async () => [] } as unknown as SlackActionsDeps['directory'],
      refusals: { explainRefusal: async () => {} },
      handOff: { send: async () => {} },
      nonceStore: new MemoryNonceStore({ clock: () => new Date() }),
      clock: () => new Date(),
      log,
    };
  }

  it("logs a refused request with API Gateway's request id as correlation id, and never the signing secret or the body", async () => {
    const handler = createSlackActionsHandler(async (log) => actionsDeps(log));
    const event = sharedEvent<APIGatewayProxyEventV2>('aws/apigw-http-slack-block-actions.json');
    let status: number | undefined;
    const lines = await consoleJsonDocuments(async () => {
      status = (await handler(event)).statusCode;
    });
    expect(status).toBe(401);
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', service: 'meshgov-slack-actions', correlation_id: event.requestContext.requestId, reason: expect.any(String) })]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(SIGNING_SECRET);
    expect(text).not.toContain(event.body!.slice(0, 40));
  });

  it('logs a failed start as an error with the request id, and answers 500', async () => {
    const handler = createSlackActionsHandler(async () => {
      throw new Error('secrets manager unreachable');
    });
    const event = sharedEvent<APIGatewayProxyEventV2>('aws/apigw-http-slack-block-actions.json');
    const lines = await consoleJsonDocuments(async () => expect((await handler(event)).statusCode).toBe(500));
    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', message: 'Slack action failed', correlation_id: event.requestContext.requestId, error: 'secrets manager unreachable' })]);
  });
});
