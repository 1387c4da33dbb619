/**
 * Approvers named by user group, against the Slack emulator through @slack/web-api configured as
 * the interactivity endpoint configures it (no retry, 1 s timeout, a 429 fails at once). One
 * group that Slack cannot list must not take the right away from members of another group.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSlackClient, INTERACTIVE_RETRY_CONFIG } from '../../../functions/notify/slack/slack-client';
import { SlackApproverDirectory } from '../../../functions/notify/slack/approver-directory';
import { aliceChange } from './support/fleet';
import { approvalOf } from './support/lookups';
import { CHANNEL, DAVE, MALLORY, PAYMENTS_APPROVERS, paymentsPolicy } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;
let warnings: Array<{ message: string; fields: Record<string, unknown> }>;

/** A user group id that no longer exists in the workspace (deleted, or a typo in rules/). */
const DELETED_GROUP = 'S07DELETED1';

/** payments-worker's client fix waits for approval; approvers are the deleted group, then the live one. */
async function asked() {
  world = await startTestWorld({
    policy: paymentsPolicy((p) => {
      p.rules['mtls-client-not-enforced'].remediation = 'approval';
      p.ownership.teams[0].slack.approvers = { usergroups: [DELETED_GROUP, PAYMENTS_APPROVERS] };
    }),
  });
  // The endpoint's own client settings (wire-slack.ts), so a fault is not hidden by retries.
  const interactive = createSlackClient({ token: world.slack.token, apiUrl: `${world.slack.url}/api/`, retryConfig: INTERACTIVE_RETRY_CONFIG, timeoutMs: 1_000, rejectRateLimitedCalls: true });
  warnings = [];
  world.actionsDeps.directory = new SlackApproverDirectory(interactive, (message, fields) => warnings.push({ message, fields }));
  await world.govern(aliceChange(world.now()));
  return approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');
}

describe('approvers by user group', () => {
  test('a group Slack no longer knows (no_such_subteam) grants nothing, and a member of the next group still approves', async () => {
    const fix = await asked();
    expect(await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts })).toEqual({ statusCode: 200, body: '' });
    expect(world.slack.callLog('usergroups.users.list').map((c) => c.error ?? 'ok').sort()).toEqual(['no_such_subteam', 'ok']);
    expect(await world.ledger.getApproval(fix.id)).toMatchObject({ state: 'APPROVED', decidedBy: DAVE.id });
    expect(world.slack.ephemerals()).toEqual([]);
    // The stale group shows in the logs, so the rules can be corrected.
    expect(warnings).toEqual([{ message: 'approvers user group not found in Slack; it grants nothing', fields: { usergroup: DELETED_GROUP } }]);
  });

  test('with a group Slack no longer knows, a non-member is told they are not an approver, not to try again', async () => {
    const fix = await asked();
    await world.click({ approvalId: fix.id, user: MALLORY, messageTs: fix.slack!.ts });
    expect(world.slack.ephemerals(CHANNEL)).toEqual([expect.objectContaining({ user: MALLORY.id, text: expect.stringContaining('you are not one of them') })]);
    expect((await world.ledger.getApproval(fix.id))?.state).toBe('PENDING');
  });

  test('one group\'s lookup failing (Slack 503) does not hide membership of another group', async () => {
    const fix = await asked();
    world.slack.failNext('usergroups.users.list', 503, 1);
    await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts });
    expect(world.slack.callLog('usergroups.users.list').map((c) => c.httpStatus).sort()).toEqual([200, 503]);
    expect(await world.ledger.getApproval(fix.id)).toMatchObject({ state: 'APPROVED', decidedBy: DAVE.id });
  });

  test('when a lookup fails and no other group names the clicker, the click is refused with "try again", never decided on a guess', async () => {
    const fix = await asked();
    world.slack.failNext('usergroups.users.list', 429, 2, 30);
    // A 429 fails at once rather than waiting out its 30 s Retry-After (Slack needs its answer
    // within 3 s): one call per group, none repeated, or the test would outlast its timeout.
    await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts });
    expect(world.slack.callLog('usergroups.users.list').map((c) => c.httpStatus)).toEqual([429, 429]);
    expect(world.slack.ephemerals(CHANNEL)).toEqual([expect.objectContaining({ user: DAVE.id, text: expect.stringContaining('could not check the approvers with Slack just now') })]);
    expect((await world.ledger.getApproval(fix.id))?.state).toBe('PENDING');
  });
});

/**
 * A usergroups.users.list endpoint that holds each answer until the other group has been asked
 * too (or 2 s pass), and records whether both requests were ever in flight at once.
 */
async function groupsServer(members: Record<string, string[]>) {
  let inFlight = 0;
  let overlapped = false;
  const waiting: Array<() => void> = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const usergroup = new URLSearchParams(body).get('usergroup') ?? '';
    inFlight++;
    if (inFlight > 1) overlapped = true;
    await new Promise<void>((release) => {
      waiting.push(release);
      if (waiting.length === 2) waiting.splice(0).forEach((r) => r());
      else setTimeout(release, 2_000);
    });
    inFlight--;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, users: members[usergroup] ?? [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    overlapped: () => overlapped,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('asks every approvers group at once, so several groups do not add up their lookup times within Slack\'s 3 s', async () => {
  const slack = await groupsServer({ S07PLATFORM1: ['U07CAROL001'], S07PAYMENTS1: ['U07DAVE0001'] });
  try {
    const client = createSlackClient({ token: 'xoxb-test', apiUrl: slack.url, retryConfig: INTERACTIVE_RETRY_CONFIG, timeoutMs: 3_000, rejectRateLimitedCalls: true });
    const directory = new SlackApproverDirectory(client);
    const route = { channel: CHANNEL, approvers: { users: [], usergroups: ['S07PLATFORM1', 'S07PAYMENTS1'] } };
    expect(await directory.isApprover('U07DAVE0001', route)).toBe(true);
    expect(slack.overlapped()).toBe(true);
  } finally {
    await slack.stop();
  }
});
