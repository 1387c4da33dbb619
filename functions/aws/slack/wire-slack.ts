import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SlackApproverDirectory } from '../../notify/slack/approver-directory';
import { BOUNDED_RETRY_CONFIG, createSlackClient, INTERACTIVE_RETRY_CONFIG } from '../../notify/slack/slack-client';
import { SlackNotifier } from '../../notify/slack/slack-notifier';
import { deployedPolicy } from '../deployed-policy';
import { DynamoDbLedger } from '../../providers/ledger';
import { wireHubDeps } from '../hub/wire';
import { DynamoDbNonceStore } from './dynamodb-nonce-store';
import { SqsHandOff } from './hand-off';
import type { SlackActionsDeps } from './handle-slack-action';
import type { ApprovalWorkerDeps } from './run-approval-batch';
import { readSlackEnv, type SlackEnv } from './slack-env';
import { slackSecretLoader } from './slack-secret';

/*
 * Production wiring of the Slack functions from their environment. Built once per Lambda
 * container; every AWS client honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>.
 */

function jsonLog(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
  console[level === 'info' ? 'log' : level](JSON.stringify({ level: level.toUpperCase(), message, ...fields }));
}

/**
 * An SQS client that sends to the endpoint the SDK resolved (AWS_ENDPOINT_URL_SQS when set),
 * not to the host in the queue URL: the SDK's default would bypass a configured endpoint.
 */
function sqsClient(region: string | undefined): SQSClient {
  return new SQSClient({ region, useQueueUrlAsEndpoint: false });
}

function evidenceContext(env: SlackEnv) {
  return { ...(env.region ? { awsRegion: env.region } : {}), ...(env.gke ? { gke: env.gke } : {}) };
}

/**
 * The Slack notifier for any hub function (the event handler, the worker), with the bounded
 * retry policy: a notification Slack does not take stays owed in the ledger.
 */
export async function slackNotifierFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<SlackNotifier> {
  const slackEnv = readSlackEnv(env, ['secretArn']);
  const secret = await slackSecretLoader(slackEnv.secretArn, new SecretsManagerClient({ region: slackEnv.region }))();
  return new SlackNotifier(createSlackClient({ token: secret.token, apiUrl: slackEnv.apiUrl, retryConfig: BOUNDED_RETRY_CONFIG }), evidenceContext(slackEnv));
}

/**
 * The interactivity endpoint's dependencies. It must answer within 3 s, so its Slack calls
 * (usergroups.users.list, users.lookupByEmail, chat.postEphemeral) get 1 s each and no retry,
 * and a rate-limited one fails at once rather than waiting: the click is then refused with
 * "try again", never decided on a guess.
 */
export async function slackActionsDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<SlackActionsDeps> {
  const slackEnv = readSlackEnv(env, ['secretArn', 'teamId', 'appId', 'ledgerTable', 'queueUrl']);
  const secret = await slackSecretLoader(slackEnv.secretArn, new SecretsManagerClient({ region: slackEnv.region }))();
  const slack = createSlackClient({ token: secret.token, apiUrl: slackEnv.apiUrl, retryConfig: INTERACTIVE_RETRY_CONFIG, timeoutMs: 1_000, rejectRateLimitedCalls: true });
  const dynamo = new DynamoDBClient({ region: slackEnv.region });
  return {
    signingSecret: secret.signingSecret,
    teamId: slackEnv.teamId,
    appId: slackEnv.appId,
    ledger: new DynamoDbLedger(dynamo, slackEnv.ledgerTable),
    policy: deployedPolicy(env),
    directory: new SlackApproverDirectory(slack, (message, fields) => jsonLog('warn', message, fields)),
    refusals: new SlackNotifier(slack, evidenceContext(slackEnv)),
    handOff: new SqsHandOff(sqsClient(slackEnv.region), slackEnv.queueUrl),
    nonceStore: new DynamoDbNonceStore(dynamo, slackEnv.ledgerTable),
    clock: () => new Date(),
    log: jsonLog,
  };
}

/**
 * The approval worker's dependencies: the hub's ledger, policy, App Mesh reader (to re-check on
 * fresh state) and writers, the Slack notifier, and the queue to defer to.
 */
export async function approvalWorkerDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ApprovalWorkerDeps> {
  const slackEnv = readSlackEnv(env, ['secretArn', 'ledgerTable', 'queueUrl']);
  const hub = await wireHubDeps(env);
  return {
    ledger: hub.ledger,
    notifier: await slackNotifierFromEnv(env),
    executors: hub.executors,
    policy: hub.policy,
    dryRun: hub.dryRun,
    clock: hub.clock,
    newId: hub.newId,
    freshState: { providers: ['appmesh'], source: hub.source, builders: hub.builders },
    handOff: new SqsHandOff(sqsClient(slackEnv.region), slackEnv.queueUrl),
    log: (message, fields) => jsonLog('info', message, fields),
  };
}
