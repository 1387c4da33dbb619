/**
 * The expiry sweep when Slack keeps refusing a redraw: a refusal Slack will repeat for ever is
 * given up on the first run, one that may pass is tried again on later runs but only up to the
 * bound, and a redraw given up is recorded on the approval, logged as an error with its approval
 * id and Slack's error, counted, and taken off the deadline index. Real servers behind every
 * port: the ledger on dynalite, Slack on the Slack emulator through @slack/web-api (no retries
 * inside a run, so each run is one chat.update per approval).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { governDepsOf } from '../../../functions/aws/hub/hub-deps';
import { DEFAULT_REDRAW_RETRY_BOUND, expireOverdueApprovals, type ExpirySweepDeps } from '../../../functions/core/approvals/expire-overdue';
import type { ApprovalRecord } from '../../../functions/core/ledger/types';
import type { Route } from '../../../functions/core/pipeline/ports';
import { SlackNotifier } from '../../../functions/notify/slack/slack-notifier';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { slackClientFor, startSlackEmulator, type SlackEmulator } from '../../emulators/slack';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { approvalRecord, NOW } from '../ledger/fixtures';
import { CAROL, CHANNEL, DAVE, paymentsPolicy, PAYMENTS_APPROVERS, USERS, WORKSPACE } from './support/storyline';

const HOUR_MS = 3_600_000;
/** A private channel the app was removed from after it asked there: Slack no longer shows it the channel. */
const LEFT_CHANNEL = 'G07PAYOPS42';
const ROUTE: Route = { team: 'payments', channel: CHANNEL, approvers: { users: [CAROL.id], usergroups: [PAYMENTS_APPROVERS] } };

let dynalite: DynaliteServer;
let dynamo: DynamoDBClient;
let slack: SlackEmulator;
let ledger: DynamoDbLedger;
let notifier: SlackNotifier;
let offsetMs = 0;
let tables = 0;
const clock = () => new Date(NOW.getTime() + offsetMs);
let logs: Array<{ level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }>;

beforeAll(async () => {
  dynalite = await startDynalite();
  dynamo = dynaliteClient(dynalite.endpoint);
});

afterAll(async () => {
  dynamo?.destroy();
  await dynalite?.stop();
});

beforeEach(async () => {
  offsetMs = 0;
  logs = [];
  // Only the team's public channel exists for the app.
  slack = await startSlackEmulator({ workspace: WORKSPACE, users: USERS, usergroups: { [PAYMENTS_APPROVERS]: [DAVE.id] }, channels: [CHANNEL] });
  notifier = new SlackNotifier(slackClientFor(slack, slack.token, { retryConfig: { retries: 0 } }), { awsRegion: 'us-west-2' });
  const table = `meshgov-redraw-bound-${++tables}`;
  await createLedgerTable(dynamo, table);
  ledger = new DynamoDbLedger(dynamo, table, { clock });
});

afterEach(async () => {
  await slack.stop();
});

/** The hub's sweep: its deps as the hub wires them (governDepsOf), so `logError` is the hub's error level. */
function hubSweepDeps(over: Partial<ExpirySweepDeps> = {}): ExpirySweepDeps {
  const deps = governDepsOf({
    ledger,
    policy: paymentsPolicy(),
    notifier,
    executors: [],
    clock,
    dryRun: false,
    newId: (prefix) => `${prefix}-0001`,
    log: (level, message, fields) => logs.push({ level, message, ...(fields ? { fields } : {}) }),
  });
  return { ...deps, ...over };
}

const sweep = (over: Partial<ExpirySweepDeps> = {}) => expireOverdueApprovals(hubSweepDeps(over));
const overdueIds = async () => (await ledger.listOverdueApprovals(clock().toISOString())).map((a) => a.id);
const hasButtons = (approval: ApprovalRecord) => slack.messages(CHANNEL).find((m) => m.ts === approval.slack!.ts)!.blocks!.some((b) => b.type === 'actions');

/** Asked in Slack, as a governance run does: stored, posted with Approve / Reject, its message remembered. */
async function asked(over: Partial<ApprovalRecord> = {}): Promise<ApprovalRecord> {
  const created = (await ledger.createApproval(approvalRecord(over)))!;
  const slackRef = await notifier.requestApproval(created, ROUTE);
  await ledger.setApprovalSlack(created.id, slackRef);
  return (await ledger.getApproval(created.id))!;
}

/** Past the fixture's deadline (2026-11-21T15:01:30Z). */
function afterDeadline(): void {
  offsetMs = Date.parse(approvalRecord().approvalExpiresAt) - NOW.getTime() + 1_000;
}

describe('a redraw Slack refuses for good', () => {
  test('channel_not_found: given up on the first run, recorded on the approval, logged as an error, and never called again', async () => {
    const approval = await asked();
    // The request was asked in a private channel the app has since been removed from.
    await ledger.setApprovalSlack(approval.id, { channel: LEFT_CHANNEL, ts: approval.slack!.ts });
    afterDeadline();

    const first = await sweep();
    expect(first).toEqual({ expired: [approval.id], notShown: 0, abandoned: [approval.id] });
    expect(slack.callLog('chat.update')).toEqual([expect.objectContaining({ httpStatus: 200, error: 'channel_not_found' })]);
    const stored = (await ledger.getApproval(approval.id))!;
    expect(stored).toMatchObject({
      state: 'EXPIRED',
      expiryShown: true,
      expiryRedrawFailures: 1,
      expiryRedrawFirstFailedAt: clock().toISOString(),
      expiryRedrawError: 'channel_not_found',
      expiryNotShown: expect.stringContaining('Slack refuses to redraw the message for good (channel_not_found)'),
    });
    expect(logs.filter((l) => l.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'expired approval message given up: Slack will not show its expiry',
        fields: expect.objectContaining({ approvalId: approval.id, error: 'channel_not_found', permanent: true, slack: { channel: LEFT_CHANNEL, ts: approval.slack!.ts } }),
      },
    ]);
    expect(await overdueIds()).toEqual([]);

    offsetMs += HOUR_MS;
    expect(await sweep()).toEqual({ expired: [], notShown: 0, abandoned: [] });
    expect(slack.calls('chat.update')).toBe(1);
  });

  test('invalid_auth (the token was revoked): given up at once, each approval recorded; a sweep with a working token has nothing left to do', async () => {
    const first = await asked();
    const second = await asked({ id: 'rmd-3b9d0e5f7a21', approvalExpiresAt: '2026-11-21T09:00:00.000Z' });
    afterDeadline();
    const revoked = new SlackNotifier(slackClientFor(slack, 'xoxb-7428150013-revoked-0000', { retryConfig: { retries: 0 } }));

    const run = await sweep({ notifier: revoked });
    expect(run.abandoned).toEqual([second.id, first.id]);
    expect(run.notShown).toBe(0);
    expect(slack.callLog('chat.update').map((c) => c.error)).toEqual(['invalid_auth', 'invalid_auth']);
    for (const approval of [first, second]) {
      expect(await ledger.getApproval(approval.id)).toMatchObject({ state: 'EXPIRED', expiryShown: true, expiryRedrawError: 'invalid_auth', expiryNotShown: expect.stringContaining('(invalid_auth)') });
      expect(hasButtons(approval)).toBe(true);
    }
    expect(logs.filter((l) => l.level === 'error').map((l) => l.fields?.approvalId)).toEqual([second.id, first.id]);

    expect(await sweep()).toEqual({ expired: [], notShown: 0, abandoned: [] });
    expect(slack.calls('chat.update')).toBe(2);
  });

  test('a deleted message (message_not_found) is still done, not given up', async () => {
    const approval = await asked();
    await ledger.setApprovalSlack(approval.id, { channel: CHANNEL, ts: '1000000000.000100' });
    afterDeadline();
    expect(await sweep()).toEqual({ expired: [approval.id], notShown: 0, abandoned: [] });
    const stored = (await ledger.getApproval(approval.id))!;
    expect(stored).toMatchObject({ state: 'EXPIRED', expiryShown: true });
    expect(stored.expiryNotShown).toBeUndefined();
    expect(stored.expiryRedrawFailures).toBeUndefined();
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('a redraw that fails for a reason that may pass', () => {
  test('ratelimited: counted, tried again by the next run, which redraws it once Slack takes calls again', async () => {
    const approval = await asked();
    afterDeadline();
    slack.failNext('chat.update', 429, 1, 0);

    const first = await sweep();
    expect(first).toEqual({ expired: [approval.id], notShown: 1, abandoned: [] });
    expect(slack.callLog('chat.update')).toEqual([expect.objectContaining({ httpStatus: 429, error: 'ratelimited' })]);
    expect(await ledger.getApproval(approval.id)).toMatchObject({ state: 'EXPIRED', expiryRedrawFailures: 1, expiryRedrawError: expect.stringContaining('rate limit') });
    expect((await ledger.getApproval(approval.id))!.expiryShown).toBeUndefined();
    expect(await overdueIds()).toEqual([approval.id]);
    expect(hasButtons(approval)).toBe(true);

    offsetMs += HOUR_MS;
    expect(await sweep()).toEqual({ expired: [], notShown: 0, abandoned: [] });
    expect(slack.calls('chat.update')).toBe(2);
    const shown = (await ledger.getApproval(approval.id))!;
    expect(shown).toMatchObject({ state: 'EXPIRED', expiryShown: true });
    expect(shown.expiryNotShown).toBeUndefined();
    expect(hasButtons(approval)).toBe(false);
    expect(await overdueIds()).toEqual([]);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  test('HTTP 500 on every run: a burst of runs does not spend the bound; after 5 failures over a day it is given up, and never called again', async () => {
    expect(DEFAULT_REDRAW_RETRY_BOUND).toEqual({ failures: 5, spanMs: 24 * HOUR_MS });
    const approval = await asked();
    afterDeadline();
    const firstFailedAt = clock().toISOString();
    slack.failNext('chat.update', 500, 100);

    // Eight runs within a few minutes (a burst of App Mesh events during a Slack incident).
    for (let run = 1; run <= 8; run++) {
      expect(await sweep()).toEqual({ expired: run === 1 ? [approval.id] : [], notShown: 1, abandoned: [] });
      offsetMs += 30_000;
    }
    expect(await ledger.getApproval(approval.id)).toMatchObject({ expiryRedrawFailures: 8, expiryRedrawFirstFailedAt: firstFailedAt, expiryRedrawError: expect.stringContaining('500') });
    expect(await overdueIds()).toEqual([approval.id]);

    // Still failing a day after the first failure: given up.
    offsetMs = Date.parse(firstFailedAt) - NOW.getTime() + 24 * HOUR_MS - 1_000;
    expect(await sweep()).toMatchObject({ notShown: 1, abandoned: [] });
    offsetMs += 1_000;
    expect(await sweep()).toEqual({ expired: [], notShown: 0, abandoned: [approval.id] });
    expect(slack.calls('chat.update')).toBe(10);
    expect(await ledger.getApproval(approval.id)).toMatchObject({
      state: 'EXPIRED',
      expiryShown: true,
      expiryRedrawFailures: 10,
      expiryNotShown: expect.stringMatching(new RegExp(`^Slack did not take the redraw 10 times since ${firstFailedAt.replace(/\./g, '\\.')} \\(last: .*500`)),
    });
    expect(logs.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ approvalId: approval.id, permanent: false, failures: 10, firstFailedAt, error: expect.stringContaining('500') }) }),
    ]);
    expect(await overdueIds()).toEqual([]);

    offsetMs += HOUR_MS;
    expect(await sweep()).toEqual({ expired: [], notShown: 0, abandoned: [] });
    expect(slack.calls('chat.update')).toBe(10);
  });

  test('runs a day apart that keep failing are given up at the fifth', async () => {
    const approval = await asked();
    afterDeadline();
    slack.failNext('chat.update', 503, 100);
    const results = [];
    for (let run = 1; run <= 5; run++) {
      results.push(await sweep());
      offsetMs += 24 * HOUR_MS;
    }
    expect(results.map((r) => r.abandoned)).toEqual([[], [], [], [], [approval.id]]);
    expect(results.map((r) => r.notShown)).toEqual([1, 1, 1, 1, 0]);
    expect(await sweep()).toEqual({ expired: [], notShown: 0, abandoned: [] });
    expect(slack.calls('chat.update')).toBe(5);
  });
});
