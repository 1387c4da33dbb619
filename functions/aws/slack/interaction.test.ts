import { sharedEvent } from '../../../test/support/shared-events';
import { headerOf, rawBodyOf, readInteraction } from './interaction';

/** The shared sample's form body for a payload (compact JSON with `\/`, PHP-style form encoding, as Slack sends it). */
function formBody(payload: unknown): Buffer {
  const json = JSON.stringify(payload).replaceAll('/', '\\/');
  const encoded = encodeURIComponent(json).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replaceAll('%20', '+');
  return Buffer.from(`payload=${encoded}`, 'utf8');
}

describe('readInteraction', () => {
  test('reads carol\'s Approve click from the shared API Gateway event', () => {
    const event = sharedEvent('aws/apigw-http-slack-block-actions.json');
    const raw = rawBodyOf(event);
    expect(raw.length).toBe(Number(event.headers['content-length']));
    expect(readInteraction(headerOf(event, 'Content-Type'), raw)).toEqual({
      kind: 'click',
      click: {
        teamId: 'T04MG8VQ2KX',
        apiAppId: 'A07MGVQ3N5R',
        userId: 'U05JX7RB2LM',
        userName: 'carol.ops',
        verb: 'approve',
        approvalId: 'rmd-7c1e9a44d2b0',
        channelId: 'C07PLATSEC9',
        messageTs: '1795186890.000200',
        actionTs: '1795187052.418373',
        responseUrl: 'https://hooks.slack.com/actions/T04MG8VQ2KX/8041553917632/Qh3nV8cR2xLp5Tz9Wk1Ym7Df',
      },
    });
  });

  test.each([
    ['plain http to a public host', 'http://hooks.slack.com/actions/T04MG8VQ2KX/8041553917632/Qh3nV8cR2xLp5Tz9Wk1Ym7Df'],
    ['https to a host that is not Slack\'s', 'https://hooks.slack.com.example.net/actions/T04MG8VQ2KX/8041553917632/Qh3nV8cR2xLp5Tz9Wk1Ym7Df'],
    ['not a URL', 'hooks.slack.com/actions/T04MG8VQ2KX'],
    ['not a string', 42],
  ])('a response_url that is %s is not kept', (_name, responseUrl) => {
    const payload = sharedEvent('slack/block-actions-approve.payload.json');
    payload.response_url = responseUrl;
    const read = readInteraction('application/x-www-form-urlencoded', formBody(payload));
    expect(read).toMatchObject({ kind: 'click', click: { approvalId: 'rmd-7c1e9a44d2b0' } });
    expect((read as { click: object }).click).not.toHaveProperty('responseUrl');
  });

  test('the sample re-encoded the same way gives the same bytes (the encoding matches Slack\'s)', () => {
    const event = sharedEvent('aws/apigw-http-slack-block-actions.json');
    expect(formBody(sharedEvent('slack/block-actions-approve.payload.json')).equals(rawBodyOf(event))).toBe(true);
  });

  test('a Reject click from another user', () => {
    const payload = sharedEvent('slack/block-actions-approve.payload.json');
    payload.user = { id: 'U05KD2M8QZP', username: 'dave.sre', name: 'dave.sre', team_id: 'T04MG8VQ2KX' };
    payload.actions = [{ ...payload.message.blocks[2].elements[1], action_ts: '1795187060.000100' }];
    expect(readInteraction('application/x-www-form-urlencoded', formBody(payload))).toMatchObject({ kind: 'click', click: { userId: 'U05KD2M8QZP', verb: 'reject', approvalId: 'rmd-7c1e9a44d2b0' } });
  });

  test('a button whose value contradicts its action id is not a meshgov click', () => {
    const payload = sharedEvent('slack/block-actions-approve.payload.json');
    payload.actions[0].action_id = 'meshgov_reject';
    expect(readInteraction('application/x-www-form-urlencoded', formBody(payload))).toEqual({ kind: 'other', reason: 'no meshgov button in the actions' });
  });

  test.each([
    ['a JSON body', 'application/json', Buffer.from('{"type":"block_actions"}'), 'content-type'],
    ['no payload field', 'application/x-www-form-urlencoded', Buffer.from('token=abc'), 'payload'],
    ['payload not JSON', 'application/x-www-form-urlencoded', Buffer.from('payload=%7Bnope'), 'payload'],
    ['no team', 'application/x-www-form-urlencoded', formBody({ type: 'block_actions', api_app_id: 'A07MGVQ3N5R', user: { id: 'U1' }, actions: [] }), 'payload.team.id'],
  ])('%s is malformed', (_name, contentType, body, field) => {
    expect(readInteraction(contentType, body)).toMatchObject({ kind: 'malformed', field });
  });

  test('a view submission is not a click', () => {
    expect(readInteraction('application/x-www-form-urlencoded', formBody({ type: 'view_submission', team: { id: 'T04MG8VQ2KX' } }))).toEqual({ kind: 'other', reason: 'interaction type view_submission' });
  });
});
