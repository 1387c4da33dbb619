import { ErrorCode } from '@slack/web-api';
import { driftAlertBlocks } from './driftAlertBlocks';
import { slackClientFor, startSlackEmulator, type SlackEmulator } from './index';

const ALERTS = 'C0MESHALERTS';
const ONCALL_GROUP = 'S0MESHONCALL';

describe('Slack emulator: chat.postEphemeral and usergroups.users.list', () => {
  let slack: SlackEmulator;
  beforeEach(async () => {
    slack = await startSlackEmulator({ usergroups: { [ONCALL_GROUP]: ['U0AB12CD34', 'U0EF56GH78'] } });
  });
  afterEach(async () => {
    await slack.stop();
  });

  test('postEphemeral answers only message_ts and records the message apart from channel history', async () => {
    const client = slackClientFor(slack);
    const blocks = driftAlertBlocks('open');

    const result = await client.chat.postEphemeral({ channel: ALERTS, user: 'U0AB12CD34', text: 'Only you can approve', blocks });

    expect(result.ok).toBe(true);
    expect(result.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Object.keys(result).sort()).toEqual(['message_ts', 'ok', 'response_metadata']);
    expect(slack.ephemerals()).toEqual([
      { channel: ALERTS, user: 'U0AB12CD34', messageTs: result.message_ts, text: 'Only you can approve', blocks },
    ]);
    expect(slack.messages()).toEqual([]);
  });

  test('an ephemeral ts cannot be updated, as in Slack', async () => {
    const client = slackClientFor(slack);
    const result = await client.chat.postEphemeral({ channel: ALERTS, user: 'U0AB12CD34', text: 'hidden' });

    await expect(client.chat.update({ channel: ALERTS, ts: result.message_ts!, text: 'changed' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'message_not_found' },
    });
  });

  test('postEphemeral to something that is not a user id fails', async () => {
    const client = slackClientFor(slack);
    await expect(client.chat.postEphemeral({ channel: ALERTS, user: ONCALL_GROUP, text: 'hi' })).rejects.toMatchObject({
      data: { error: 'user_not_in_channel' },
    });
    expect(slack.ephemerals()).toEqual([]);
  });

  test('usergroups.users.list returns the members, and follows setUsergroup', async () => {
    const client = slackClientFor(slack);

    const before = await client.usergroups.users.list({ usergroup: ONCALL_GROUP });
    slack.setUsergroup(ONCALL_GROUP, ['U0IJ90KL12']);
    const after = await client.usergroups.users.list({ usergroup: ONCALL_GROUP });

    expect(before).toMatchObject({ ok: true, users: ['U0AB12CD34', 'U0EF56GH78'] });
    expect(after.users).toEqual(['U0IJ90KL12']);
    expect(slack.calls('usergroups.users.list')).toBe(2);
  });

  test('an unknown usergroup is no_such_subteam; reset restores the configured groups', async () => {
    const client = slackClientFor(slack);
    slack.setUsergroup('S0MESHSRE01', ['U0EF56GH78']);
    slack.reset();

    await expect(client.usergroups.users.list({ usergroup: 'S0MESHSRE01' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'no_such_subteam' },
    });
    await expect(client.usergroups.users.list({ usergroup: ONCALL_GROUP })).resolves.toMatchObject({
      users: ['U0AB12CD34', 'U0EF56GH78'],
    });
  });
});
