import { ErrorCode, WebClientEvent } from '@slack/web-api';
import { ANY_METHOD, slackClientFor, startSlackEmulator, type SlackEmulator } from './index';

const ALERTS = 'C0MESHALERTS';

describe('Slack emulator: injected 429 and 5xx answers', () => {
  let slack: SlackEmulator;
  beforeEach(async () => {
    slack = await startSlackEmulator();
  });
  afterEach(async () => {
    await slack.stop();
  });

  test('a 429 with Retry-After: 1 is waited out by the client, then retried successfully', async () => {
    const client = slackClientFor(slack);
    const rateLimitedFor: number[] = [];
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimitedFor.push(seconds));
    slack.failNext('chat.postMessage', 429, 1, 1);

    const posted = await client.chat.postMessage({ channel: ALERTS, text: 'after the rate limit' });

    expect(posted.ok).toBe(true);
    expect(rateLimitedFor).toEqual([1]);
    const [limited, accepted] = slack.callLog('chat.postMessage');
    expect(limited).toMatchObject({ httpStatus: 429, error: 'ratelimited' });
    expect(accepted).toMatchObject({ httpStatus: 200 });
    // rejectRateLimitedCalls defaults to false: the client sleeps Retry-After seconds first.
    expect(accepted!.receivedAt - limited!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(slack.messages(ALERTS)).toHaveLength(1);
  });

  test('with rejectRateLimitedCalls the 429 surfaces at once as a rate-limited error', async () => {
    const client = slackClientFor(slack, slack.token, { rejectRateLimitedCalls: true });
    slack.failNext('chat.update', 429, 1, 30);

    await expect(client.chat.update({ channel: ALERTS, ts: '1795186890.000200', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 30,
    });
    expect(slack.calls('chat.update')).toBe(1);
  });

  test('two 503s are retried per retryConfig and the third attempt lands', async () => {
    const client = slackClientFor(slack);
    slack.failNext('chat.postMessage', 503, 2);

    const posted = await client.chat.postMessage({ channel: ALERTS, text: 'through the outage' });

    expect(posted.ok).toBe(true);
    expect(slack.callLog('chat.postMessage').map((c) => c.httpStatus)).toEqual([503, 503, 200]);
    expect(slack.messages(ALERTS)).toHaveLength(1);
  });

  test('more 500s than retries surface as an HTTP error and store nothing', async () => {
    const client = slackClientFor(slack);
    slack.failNext('chat.postMessage', 500, 5);

    await expect(client.chat.postMessage({ channel: ALERTS, text: 'lost' })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 500,
    });
    // retries: 2 means three attempts in all; the other two queued faults are still pending.
    expect(slack.calls('chat.postMessage')).toBe(3);
    expect(slack.messages()).toEqual([]);
    slack.reset();
    await expect(client.chat.postMessage({ channel: ALERTS, text: 'after reset' })).resolves.toMatchObject({ ok: true });
  });

  test('faults apply only to their method, or to every method with the wildcard', async () => {
    const client = slackClientFor(slack);
    slack.failNext('chat.update', 503, 3);
    await expect(client.chat.postMessage({ channel: ALERTS, text: 'unaffected' })).resolves.toMatchObject({ ok: true });

    slack.reset();
    slack.failNext(ANY_METHOD, 502, 3);
    await expect(client.auth.test()).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 502 });
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });

  test('failNext refuses a count that is not a positive integer', () => {
    expect(() => slack.failNext('chat.postMessage', 503, 0)).toThrow(RangeError);
  });
});
