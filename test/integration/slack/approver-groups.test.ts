/**
 * Approvers named by user group, against the Slack emulator through @slack/web-api configured as
 * the interactivity endpoint configures it (no retry, 1 s timeout, a 429 fails at once). One
 * group that Slack cannot list must not take the right away from members of another group.
 */
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
    expect(world.slack.callLog('usergroups.users.list').map((c) => c.error ?? 'ok')).toEqual(['no_such_subteam', 'ok']);
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
    expect(world.slack.callLog('usergroups.users.list').map((c) => c.httpStatus)).toEqual([503, 200]);
    expect(await world.ledger.getApproval(fix.id)).toMatchObject({ state: 'APPROVED', decidedBy: DAVE.id });
  });

  test('when a lookup fails and no other group names the clicker, the click is refused with "try again", never decided on a guess', async () => {
    const fix = await asked();
    world.slack.failNext('usergroups.users.list', 429, 2, 30);
    const started = Date.now();
    await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts });
    // A 429 fails at once rather than waiting out its Retry-After: Slack needs its answer within 3 s.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(world.slack.ephemerals(CHANNEL)).toEqual([expect.objectContaining({ user: DAVE.id, text: expect.stringContaining('could not check the approvers with Slack just now') })]);
    expect((await world.ledger.getApproval(fix.id))?.state).toBe('PENDING');
  });
});
