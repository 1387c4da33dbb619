import { sharedEvent } from '../../../test/support/shared-events';
import { slackSignature, verifySlackSignature } from './verify-slack-signature';

// Slack's documented example ("Verifying requests from Slack"): secret, timestamp, body and signature.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const at = (seconds: number) => new Date(seconds * 1000);

describe('verifySlackSignature', () => {
  test("reproduces Slack's documented example", () => {
    expect(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
    expect(verifySlackSignature({ signingSecret: DOC_SECRET, timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE, rawBody: DOC_BODY, now: at(1531420618) })).toEqual({ ok: true, timestamp: 1531420618 });
  });

  test('verifies the shared API Gateway event over its base64-decoded body', () => {
    const event = sharedEvent('aws/apigw-http-slack-block-actions.json');
    const raw = Buffer.from(event.body, 'base64');
    const verdict = verifySlackSignature({ signingSecret: DOC_SECRET, timestamp: event.headers['x-slack-request-timestamp'], signature: event.headers['x-slack-signature'], rawBody: raw, now: at(1795187052) });
    expect(verdict).toEqual({ ok: true, timestamp: 1795187052 });
  });

  const ok = { signingSecret: DOC_SECRET, timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE, rawBody: DOC_BODY, now: at(1531420618) };
  test.each([
    ['exactly 5 minutes late', { now: at(1531420618 + 300) }, true],
    ['exactly 5 minutes early (clock skew)', { now: at(1531420618 - 300) }, true],
    ['5 minutes and 1 second late', { now: at(1531420618 + 301) }, 'stale'],
    ['5 minutes and 1 second early', { now: at(1531420618 - 301) }, 'stale'],
    ['a changed body', { rawBody: DOC_BODY.replace('roadrunner', 'coyote') }, 'mismatch'],
    ['a body with one byte appended', { rawBody: `${DOC_BODY}&` }, 'mismatch'],
    ['another secret', { signingSecret: 'a'.repeat(32) }, 'mismatch'],
    ['a re-dated signature (timestamp changed, signature kept)', { timestamp: '1531420619' }, 'mismatch'],
    ['a signature of the right shape with one digit changed', { signature: DOC_SIGNATURE.replace(/3$/, '4') }, 'mismatch'],
    ['an uppercase signature', { signature: DOC_SIGNATURE.toUpperCase() }, 'malformed-signature'],
    ['a v1 signature', { signature: DOC_SIGNATURE.replace('v0=', 'v1=') }, 'malformed-signature'],
    ['a truncated signature', { signature: DOC_SIGNATURE.slice(0, 40) }, 'malformed-signature'],
    ['no signature', { signature: undefined }, 'missing-signature'],
    ['no timestamp', { timestamp: undefined }, 'missing-timestamp'],
    ['a timestamp in milliseconds', { timestamp: '1531420618000' }, 'malformed-timestamp'],
    ['a negative timestamp', { timestamp: '-1531420618' }, 'malformed-timestamp'],
  ])('%s', (_name, over, expected) => {
    const verdict = verifySlackSignature({ ...ok, ...over });
    if (expected === true) expect(verdict.ok).toBe(true);
    else expect(verdict).toMatchObject({ ok: false, reason: expected });
  });

  test('a Buffer and a string body verify alike (the signature is over bytes)', () => {
    expect(verifySlackSignature({ ...ok, rawBody: Buffer.from(DOC_BODY, 'utf8') }).ok).toBe(true);
  });
});
