/**
 * Telling the clicker why nothing happened, when chat.postEphemeral cannot reach them. meshgov
 * posts approval requests with chat:write.public, so its bot need not be a member of the channel,
 * and Slack then refuses chat.postEphemeral there (slackapi/node-slack-sdk#977; a private
 * channel or a Slack Connect one answers `channel_not_found` alike). The interaction's own
 * `response_url` answers the clicker ephemerally whatever the bot's membership; it is tried too
 * when Slack answers chat.postEphemeral with a 5xx. A click that did nothing and whose refusal
 * reached nobody gets a 500, so Slack shows the clicker an error.
 * Real servers: the world of approvals.test.ts; a second Slack emulator in which the bot is in
 * no channel but #mesh-ops; a loopback stand-in for hooks.slack.com.
 */
import { createSlackClient, INTERACTIVE_RETRY_CONFIG } from '../../../functions/notify/slack/slack-client';
import { SlackApproverDirectory } from '../../../functions/notify/slack/approver-directory';
import { SlackNotifier } from '../../../functions/notify/slack/slack-notifier';
import { startSlackEmulator, type SlackEmulator } from '../../emulators/slack';
import { aliceChange } from './support/fleet';
import { approvalOf } from './support/lookups';
import { startResponseUrlServer, type ResponseUrlServer } from './support/response-url-server';
import { CAROL, CHANNEL, DAVE, MALLORY, paymentsPolicy, TEAM_ID, USERS, WORKSPACE } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;
let outside: SlackEmulator | undefined;
let hooks: ResponseUrlServer | undefined;

afterEach(async () => {
  await Promise.all([outside?.stop(), hooks?.stop()]);
  outside = hooks = undefined;
});

const ACK = { statusCode: 200, body: '' };
const REFUSAL_NOT_SHOWN = { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'refusal-not-shown' }) };
const responsePath = `/actions/${TEAM_ID}/8041553917632/Qh3nV8cR2xLp5Tz9Wk1Ym7Df`;

/** Asked to enforce payments-worker's client mTLS; refusals go through a bot that is not in #mesh-governance. */
async function askedWithBotOutsideTheChannel() {
  world = await startTestWorld({ policy: paymentsPolicy((p) => (p.rules['mtls-client-not-enforced'].remediation = 'approval')) });
  await world.govern(aliceChange(world.now()));
  outside = await startSlackEmulator({ workspace: WORKSPACE, users: USERS, channels: ['C07MESHOPS1'] });
  hooks = await startResponseUrlServer();
  const client = createSlackClient({ token: outside.token, apiUrl: `${outside.url}/api/`, retryConfig: INTERACTIVE_RETRY_CONFIG, timeoutMs: 1_000, rejectRateLimitedCalls: true });
  world.actionsDeps.refusals = new SlackNotifier(client);
  return approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');
}

const withResponseUrl = (p: any) => (p.response_url = `${hooks!.url}${responsePath}`);

describe('refusals when the bot is not in the channel', () => {
  test('a refused click is explained through the response_url, to the clicker alone', async () => {
    const fix = await askedWithBotOutsideTheChannel();
    expect(await world.click({ approvalId: fix.id, user: MALLORY, messageTs: fix.slack!.ts, edit: withResponseUrl })).toEqual(ACK);
    expect(outside!.callLog('chat.postEphemeral')).toEqual([expect.objectContaining({ error: 'channel_not_found' })]);
    expect(hooks!.posts).toEqual([
      {
        path: responsePath,
        contentType: expect.stringMatching(/^application\/json/),
        body: {
          response_type: 'ephemeral',
          replace_original: false,
          text: `:lock: Only approvers of team *payments* can decide request \`${fix.id}\`, and you are not one of them. Nothing was changed.`,
        },
      },
    ]);
    expect((await world.ledger.getApproval(fix.id))?.state).toBe('PENDING');
  });

  test('a decided click whose hand-off failed still tells the clicker to click again, instead of a 500', async () => {
    const fix = await askedWithBotOutsideTheChannel();
    world.actionsDeps.handOff = {
      send: async () => {
        throw new Error('SQS SendMessage: ServiceUnavailable');
      },
    };
    expect(await world.click({ approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts, edit: withResponseUrl })).toEqual(ACK);
    expect(hooks!.posts.map((p) => p.body.text)).toEqual([expect.stringMatching(/^:warning: Your Approve of request `rmd-[0-9a-f]{12}` is on record, .* click Approve again to retry\.$/)]);
    expect((await world.ledger.getApproval(fix.id))?.state).toBe('APPROVED');
  });

  test('when the response_url refuses too (expired), Slack gets a 500 so the clicker sees an error, and the failure is logged', async () => {
    const fix = await askedWithBotOutsideTheChannel();
    hooks!.answerWith(404, 'expired_url');
    expect(await world.click({ approvalId: fix.id, user: MALLORY, messageTs: fix.slack!.ts, edit: withResponseUrl })).toEqual(REFUSAL_NOT_SHOWN);
    expect(hooks!.posts).toHaveLength(1);
    expect(world.logs.find((l) => l.message === 'warn: refusal not shown to the clicker')?.fields).toMatchObject({ error: expect.stringContaining('404') });
  });

  test('where chat.postEphemeral works, the response_url is left alone', async () => {
    world = await startTestWorld({ policy: paymentsPolicy((p) => (p.rules['mtls-client-not-enforced'].remediation = 'approval')) });
    await world.govern(aliceChange(world.now()));
    hooks = await startResponseUrlServer();
    const fix = await approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');
    expect(await world.click({ approvalId: fix.id, user: MALLORY, messageTs: fix.slack!.ts, edit: withResponseUrl })).toEqual(ACK);
    expect(world.slack.ephemerals(CHANNEL)).toEqual([expect.objectContaining({ user: MALLORY.id })]);
    expect(hooks.posts).toEqual([]);
  });
});

describe('refusals when Slack itself is failing (HTTP 5xx)', () => {
  /** The approvers asked and the refusal told through one client built as wire-slack.ts builds the endpoint's: no retries, 1 s. */
  async function askedWithInteractiveClient() {
    world = await startTestWorld({ policy: paymentsPolicy((p) => (p.rules['mtls-client-not-enforced'].remediation = 'approval')) });
    await world.govern(aliceChange(world.now()));
    hooks = await startResponseUrlServer();
    const client = createSlackClient({ token: world.slack.token, apiUrl: `${world.slack.url}/api/`, retryConfig: INTERACTIVE_RETRY_CONFIG, timeoutMs: 1_000, rejectRateLimitedCalls: true });
    world.actionsDeps.directory = new SlackApproverDirectory(client);
    world.actionsDeps.refusals = new SlackNotifier(client);
    // Dave is an approver through the payments user group only, so his click needs usergroups.users.list.
    world.slack.failNext('usergroups.users.list', 503, 1);
    world.slack.failNext('chat.postEphemeral', 503, 1);
    return approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');
  }

  test('a refusal chat.postEphemeral answers 503 to is told through the response_url', async () => {
    const fix = await askedWithInteractiveClient();
    expect(await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts, edit: withResponseUrl })).toEqual(ACK);
    expect(world.slack.callLog('chat.postEphemeral')).toEqual([expect.objectContaining({ httpStatus: 503 })]);
    expect(hooks!.posts.map((p) => p.body)).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: expect.stringMatching(/^:warning: meshgov could not check the approvers with Slack just now \(.*503.*\)\. Nothing was changed; try again in a minute\.$/),
      },
    ]);
    expect((await world.ledger.getApproval(fix.id))?.state).toBe('PENDING');
  });

  test('when the response_url fails too, Slack gets a 500 rather than a 200 for a click that did nothing and told nobody', async () => {
    const fix = await askedWithInteractiveClient();
    hooks!.answerWith(503, 'service_unavailable');
    expect(await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts, edit: withResponseUrl })).toEqual(REFUSAL_NOT_SHOWN);
    expect(hooks!.posts).toHaveLength(1);
    expect(world.logs.find((l) => l.message === 'warn: refusal not shown to the clicker')?.fields).toMatchObject({ approvalId: fix.id, error: expect.stringContaining('503') });
    expect((await world.ledger.getApproval(fix.id))?.state).toBe('PENDING');
  });
});
