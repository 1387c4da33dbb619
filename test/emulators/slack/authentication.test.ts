import { ErrorCode, WebClient } from '@slack/web-api';
import { FAST_RETRY_CONFIG, slackClientFor, startSlackEmulator, type SlackEmulator } from './index';

describe('Slack emulator: tokens and auth.test', () => {
  let slack: SlackEmulator;
  beforeEach(async () => {
    slack = await startSlackEmulator();
  });
  afterEach(async () => {
    await slack.stop();
  });

  test('auth.test tells the bot who it is', async () => {
    const result = await slackClientFor(slack).auth.test();

    expect(result).toMatchObject({
      ok: true,
      url: 'https://meshgov-platform.slack.com/',
      team_id: 'T0123ABCD',
      user_id: slack.workspace.botUserId,
      bot_id: slack.workspace.botId,
      is_enterprise_install: false,
    });
  });

  test('a wrong bearer token surfaces as a platform error invalid_auth', async () => {
    const client = slackClientFor(slack, 'xoxb-meshgov-revoked-token');

    const failure = client.chat.postMessage({ channel: 'C0MESHALERTS', text: 'should not land' });

    await expect(failure).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { ok: false, error: 'invalid_auth' } });
    expect(slack.messages()).toEqual([]);
    // A platform error is an answer, not a transport failure: the client does not retry it.
    expect(slack.calls('chat.postMessage')).toBe(1);
  });

  test('no token at all is not_authed', async () => {
    const client = new WebClient(undefined, { slackApiUrl: `${slack.url}/api/`, retryConfig: FAST_RETRY_CONFIG });

    await expect(client.auth.test()).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'not_authed' } });
  });

  test('a token passed as a form argument is accepted, as Slack allows', async () => {
    const response = await fetch(`${slack.url}/api/auth.test`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: slack.token }).toString(),
    });

    expect(await response.json()).toMatchObject({ ok: true, team_id: 'T0123ABCD' });
  });

  test('a configured token replaces the default one', async () => {
    await slack.stop();
    slack = await startSlackEmulator({ token: 'xoxb-meshgov-staging-token', workspace: { teamId: 'T0456EFGH' } });

    await expect(slackClientFor(slack).auth.test()).resolves.toMatchObject({ team_id: 'T0456EFGH' });
    await expect(slackClientFor(slack, 'xoxb-meshgov-emulator-bot-token').auth.test()).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
  });

  test('an unimplemented method is unknown_method', async () => {
    await expect(slackClientFor(slack).conversations.list()).rejects.toMatchObject({
      data: { error: 'unknown_method', req_method: 'conversations.list' },
    });
  });
});
