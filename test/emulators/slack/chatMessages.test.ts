import { ErrorCode } from '@slack/web-api';
import { driftAlertBlocks } from './driftAlertBlocks';
import { slackClientFor, startSlackEmulator, type SlackEmulator } from './index';

const ALERTS = 'C0MESHALERTS';
const SLACK_TS = /^\d{10}\.\d{6}$/;

describe('Slack emulator: chat.postMessage and chat.update through @slack/web-api', () => {
  let slack: SlackEmulator;
  beforeEach(async () => {
    slack = await startSlackEmulator();
  });
  afterEach(async () => {
    await slack.stop();
  });

  test('postMessage stores the parsed blocks and answers with Slack’s response shape', async () => {
    const client = slackClientFor(slack);
    const blocks = driftAlertBlocks('open');

    const posted = await client.chat.postMessage({ channel: ALERTS, text: 'mTLS drift in payments', blocks });

    expect(posted.ok).toBe(true);
    expect(posted.channel).toBe(ALERTS);
    expect(posted.ts).toMatch(SLACK_TS);
    expect(posted.message).toMatchObject({
      type: 'message',
      text: 'mTLS drift in payments',
      user: slack.workspace.botUserId,
      bot_id: slack.workspace.botId,
      ts: posted.ts,
      blocks,
    });
    const [stored] = slack.messages(ALERTS);
    expect(stored).toEqual({
      channel: ALERTS,
      ts: posted.ts,
      text: 'mTLS drift in payments',
      blocks,
      history: [{ text: 'mTLS drift in payments', blocks }],
    });
    expect(slack.callLog('chat.postMessage')).toEqual([
      expect.objectContaining({ httpStatus: 200, encoding: 'form' }),
    ]);
  });

  test('update of the same ts replaces the content and keeps every earlier version', async () => {
    const client = slackClientFor(slack);
    const posted = await client.chat.postMessage({ channel: ALERTS, text: 'Awaiting approval', blocks: driftAlertBlocks('open') });
    const ts = posted.ts!;

    const updated = await client.chat.update({ channel: ALERTS, ts, text: 'Approved', blocks: driftAlertBlocks('approved') });
    // Text only: chat.update keeps the previous blocks when `blocks` is left out.
    await client.chat.update({ channel: ALERTS, ts, text: 'Remediated' });

    expect(updated).toMatchObject({ ok: true, channel: ALERTS, ts, text: 'Approved' });
    expect(updated.message?.edited?.user).toBe(slack.workspace.botUserId);
    const messages = slack.messages(ALERTS);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message!.text).toBe('Remediated');
    expect(message!.blocks).toEqual(driftAlertBlocks('approved'));
    expect(message!.history.map((r) => r.text)).toEqual(['Awaiting approval', 'Approved', 'Remediated']);
    expect(message!.history[0]!.blocks).toEqual(driftAlertBlocks('open'));
    expect(message!.history[0]!.editedTs).toBeUndefined();
    expect(message!.history[2]!.editedTs).toMatch(SLACK_TS);
    expect(slack.calls('chat.update')).toBe(2);
  });

  test('timestamps increase with every message and thread replies keep thread_ts', async () => {
    const client = slackClientFor(slack);
    const parent = await client.chat.postMessage({ channel: ALERTS, text: 'cert-expiring: 3 certificates' });
    const reply = await client.chat.postMessage({ channel: ALERTS, text: 'ledger-api expires in 6 days', thread_ts: parent.ts! });
    const other = await client.chat.postMessage({ channel: 'C0MESHAUDIT', text: 'audit finished' });

    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
    expect(Number(other.ts)).toBeGreaterThan(Number(reply.ts));
    expect(reply.message?.thread_ts).toBe(parent.ts);
    expect(slack.messages(ALERTS).map((m) => m.threadTs)).toEqual([undefined, parent.ts]);
    expect(slack.messages()).toHaveLength(3);
  });

  test('update of an unknown ts is message_not_found', async () => {
    const client = slackClientFor(slack);
    await client.chat.postMessage({ channel: ALERTS, text: 'first' });

    await expect(client.chat.update({ channel: ALERTS, ts: '1700000000.000100', text: 'nope' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'message_not_found' },
    });
    expect(slack.messages(ALERTS)[0]!.history).toHaveLength(1);
  });

  test('channels outside the configured list are channel_not_found', async () => {
    await slack.stop();
    slack = await startSlackEmulator({ channels: [ALERTS] });
    const client = slackClientFor(slack);

    await expect(client.chat.postMessage({ channel: 'C0NOTTHERE', text: 'hello' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'channel_not_found' },
    });
    await expect(client.chat.postMessage({ channel: ALERTS, text: 'hello' })).resolves.toMatchObject({ ok: true });
    expect(slack.messages()).toHaveLength(1);
  });

  test('a JSON body with a blocks array is accepted like the form encoding', async () => {
    const blocks = driftAlertBlocks('open');
    const response = await fetch(`${slack.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${slack.token}` },
      body: JSON.stringify({ channel: ALERTS, text: 'via JSON', blocks }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, channel: ALERTS, message: { blocks } });
    expect(slack.messages(ALERTS)[0]!.blocks).toEqual(blocks);
    expect(slack.callLog()[0]!.encoding).toBe('json');
  });

  test('malformed blocks and empty messages get Slack’s content errors', async () => {
    const post = async (form: Record<string, string>): Promise<unknown> => {
      const response = await fetch(`${slack.url}/api/chat.postMessage`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${slack.token}` },
        body: new URLSearchParams(form).toString(),
      });
      return response.json();
    };

    expect(await post({ channel: ALERTS, blocks: '[{"type":"section",' })).toEqual({ ok: false, error: 'invalid_blocks_format' });
    expect(await post({ channel: ALERTS, blocks: '[{"text":{"type":"mrkdwn","text":"no type"}}]' })).toEqual({
      ok: false,
      error: 'invalid_blocks',
    });
    expect(await post({ channel: ALERTS })).toEqual({ ok: false, error: 'no_text' });
    expect(slack.messages()).toEqual([]);
    expect(slack.callLog().map((c) => c.error)).toEqual(['invalid_blocks_format', 'invalid_blocks', 'no_text']);
  });
});
