import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApproverDirectory } from '../../core/approvals/approver-directory';
import { decide } from '../../core/approvals/decide';
import type { Decision, Refusal } from '../../core/approvals/decision';
import type { NonceStore } from '../../core/link/nonce-store';
import type { Ledger } from '../../core/ledger/types';
import type { Policy } from '../../core/policy/types';
import type { RefusalAddress } from '../../notify/slack/slack-notifier';
import type { ExecutionHandOff } from './hand-off';
import { headerOf, rawBodyOf, readInteraction } from './interaction';
import { SLACK_REPLAY_WINDOW_SECONDS, verifySlackSignature } from './verify-slack-signature';

/** Everything the interactivity endpoint needs; the Lambda builds it from its environment, tests from emulators. */
export interface SlackActionsDeps {
  signingSecret: string;
  /** MESHGOV_SLACK_TEAM_ID: the workspace the app is installed in. */
  teamId: string;
  /** MESHGOV_SLACK_APP_ID: meshgov's Slack app. */
  appId: string;
  ledger: Ledger;
  policy: Policy;
  directory: ApproverDirectory;
  /** Tells the clicker why nothing happened (SlackNotifier.explainRefusal). */
  refusals: { explainRefusal(where: RefusalAddress, refusal: Refusal): Promise<void> };
  handOff: ExecutionHandOff;
  /** Signatures already accepted within the replay window. */
  nonceStore: NonceStore;
  clock: () => Date;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

const ACK: APIGatewayProxyStructuredResultV2 = { statusCode: 200, body: '' };

function answer(statusCode: number, error: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error }) };
}

/**
 * One POST from Slack's interactivity (an Approve, Reject or Undo click):
 * 1. the v0 signature over the raw body, within 5 minutes either way: else 401, and nothing runs;
 * 2. a signature seen before within the window is a replay: 401;
 * 3. the workspace (`team.id`) and app (`api_app_id`) must be ours: else 403;
 * 4. decide (approvers, self-approval, expiry, one winner among racing clicks); a refusal is
 *    explained to the clicker alone (chat.postEphemeral, else the click's response_url);
 * 5. a decision (and an expiry) is handed to the approval worker, which applies the change and
 *    redraws the message; Slack gets an empty 200 at once (it needs an answer within 3 s). When the
 *    hand-off of an approval fails, the clicker is told to click again (a click on an APPROVED
 *    approval hands it off again); a 500 only when that could not be said. When the hand-off of a
 *    rejection fails, the click gets a 500 (Slack shows the clicker an error): a click on the
 *    buttons of a REJECTED approval hands its redraw off again (owesRedraw).
 * A click that did nothing and whose refusal reached nobody gets a 500 too, so Slack shows the
 * clicker an error rather than nothing at all.
 */
export async function handleSlackAction(event: APIGatewayProxyEventV2, deps: SlackActionsDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const now = deps.clock();
  const raw = rawBodyOf(event);
  const timestamp = headerOf(event, 'x-slack-request-timestamp');
  const signature = headerOf(event, 'x-slack-signature');
  const verdict = verifySlackSignature({ signingSecret: deps.signingSecret, timestamp, signature, rawBody: raw, now });
  const source = { requestId: event.requestContext?.requestId, sourceIp: event.requestContext?.http?.sourceIp };
  if (!verdict.ok) {
    deps.log('warn', `refused Slack request: ${verdict.message}`, { reason: verdict.reason, ...source });
    return answer(401, 'invalid-signature');
  }
  // Accepted until the window closes on the far side of the timestamp; after that the timestamp check refuses it anyway.
  const fresh = await deps.nonceStore.remember(`slack:${signature}`, new Date((verdict.timestamp + SLACK_REPLAY_WINDOW_SECONDS + 1) * 1000));
  if (!fresh) {
    deps.log('warn', 'refused Slack request: replayed signature', { reason: 'replay', ...source });
    return answer(401, 'replayed-request');
  }

  const read = readInteraction(headerOf(event, 'content-type'), raw);
  if (read.kind === 'malformed') {
    deps.log('warn', `malformed Slack interaction: ${read.field}: ${read.message}`, { field: read.field, ...source });
    return answer(400, 'malformed-interaction');
  }
  if (read.kind === 'other') {
    deps.log('info', `Slack interaction ignored: ${read.reason}`, source);
    return ACK;
  }
  const click = read.click;
  if (click.teamId !== deps.teamId || click.apiAppId !== deps.appId) {
    deps.log('warn', 'refused Slack request from another workspace or app', { teamId: click.teamId, apiAppId: click.apiAppId, ...source });
    return answer(403, 'wrong-workspace-or-app');
  }

  const decision = await decide({ approvalId: click.approvalId, verb: click.verb, slackUserId: click.userId, ...(click.messageTs ? { messageTs: click.messageTs } : {}) }, deps);
  const fields = { approvalId: click.approvalId, verb: click.verb, user: click.userId, ...source };
  /** Tells the clicker alone why nothing happened; false when Slack would not take it. */
  const explain = async (refusal: Refusal): Promise<boolean> => {
    if (!click.channelId && !click.responseUrl) return false;
    try {
      await deps.refusals.explainRefusal({ channel: click.channelId, user: click.userId, responseUrl: click.responseUrl }, refusal);
      return true;
    } catch (err) {
      deps.log('warn', 'refusal not shown to the clicker', { ...fields, error: (err as Error).message });
      return false;
    }
  };
  if (decision.kind === 'refused') {
    deps.log('info', `click refused: ${decision.refusal.reason}`, fields);
    if (owesRedraw(decision)) {
      // Only a redraw of the message: not worth failing the click over, since the clicker is told where it stands.
      await deps.handOff.send({ approvalId: click.approvalId }).catch((err: Error) => deps.log('warn', 'refused click: approval not handed off for its redraw', { ...fields, state: decision.refusal.state, error: err.message }));
    }
    // Without that message Slack must show an error, so the click is not taken for done.
    return (await explain(decision.refusal)) ? ACK : answer(500, 'refusal-not-shown');
  }
  try {
    await deps.handOff.send({ approvalId: click.approvalId });
  } catch (err) {
    const error = (err as Error).message;
    if (decision.approval.state === 'REJECTED') {
      // On record, and nothing runs; but no sweep redraws a rejection (the expiry sweep skips it), so
      // its message keeps its buttons until a click on them hands the redraw off again (owesRedraw).
      // The refusal texts have no words for a rejection not passed on: Slack shows the clicker an error instead.
      deps.log('error', 'rejection not handed off for its redraw', { ...fields, error });
      return answer(500, 'hand-off-failed');
    }
    // The decision stays APPROVED, and a click on it hands it off again (decide): tell the clicker to click again.
    deps.log('error', 'click decided, but not handed off to the approval worker', { ...fields, state: decision.approval.state, error });
    const told = await explain({ reason: 'hand-off-failed', approvalId: click.approvalId, verb: click.verb, state: decision.approval.state, error });
    // Without that message Slack must show an error, so the click is not taken for done.
    return told ? ACK : answer(500, 'hand-off-failed');
  }
  deps.log('info', decision.again ? 'click handed an approved change to the worker again' : `click decided: ${decision.approval.state}`, fields);
  return ACK;
}

/**
 * A refused click whose approval's message must be redrawn: refusing it moved the approval to
 * EXPIRED, or it is REJECTED yet its buttons were clicked. The redraw of a rejection shows no
 * buttons, so such a click means its hand-off failed (or is still on its way), and nothing else
 * would ever redraw it. The worker does nothing but redraw a REJECTED or EXPIRED approval, so a
 * second hand-off costs one redraw.
 */
function owesRedraw(decision: Extract<Decision, { kind: 'refused' }>): boolean {
  if (decision.changed) return true;
  return decision.refusal.reason === 'already-decided' && decision.refusal.state === 'REJECTED';
}
