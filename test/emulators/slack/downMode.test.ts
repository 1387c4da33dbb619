import { ErrorCode } from '@slack/web-api';
import { slackClientFor, startSlackEmulator, type SlackEmulator } from './index';

const ALERTS = 'C0MESHALERTS';

describe('Slack emulator: going down and coming back', () => {
  let slack: SlackEmulator;
  beforeEach(async () => {
    slack = await startSlackEmulator();
  });
  afterEach(async () => {
    await slack.stop();
  });

  test('while down, calls fail fast with a request error; after comeUp the same url works', async () => {
    const client = slackClientFor(slack);
    // Warm the client's keep-alive pool so going down must also cut pooled connections.
    await client.chat.postMessage({ channel: ALERTS, text: 'before the outage' });
    const urlBefore = slack.url;

    await slack.goDown();
    const started = Date.now();
    await expect(client.chat.postMessage({ channel: ALERTS, text: 'during the outage' })).rejects.toMatchObject({
      code: ErrorCode.RequestError,
    });
    const failedAfterMs = Date.now() - started;

    await slack.comeUp();
    const posted = await client.chat.postMessage({ channel: ALERTS, text: 'after the outage' });

    expect(failedAfterMs).toBeLessThan(2000);
    expect(slack.url).toBe(urlBefore);
    expect(posted.ok).toBe(true);
    expect(slack.messages(ALERTS).map((m) => m.text)).toEqual(['before the outage', 'after the outage']);
    // Nothing reached the emulator while it was down.
    expect(slack.calls('chat.postMessage')).toBe(2);
  });

  test('while down, the port refuses connections', async () => {
    await slack.goDown();
    // Raw fetch rather than the WebClient: under Jest, fetch's TypeError comes from another
    // realm, so the client re-wraps it as a plain Error and the ECONNREFUSED cause is lost.
    const failure = await fetch(`${slack.url}/api/auth.test`, { method: 'POST' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });

  test('goDown and comeUp are idempotent', async () => {
    await slack.goDown();
    await slack.goDown();
    await slack.comeUp();
    await slack.comeUp();
    await expect(slackClientFor(slack).auth.test()).resolves.toMatchObject({ ok: true });
  });
});
