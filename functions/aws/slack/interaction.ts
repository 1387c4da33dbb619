import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ApprovalVerb } from '../../core/approvals/decision';
import { parseButton } from '../../notify/slack/messages/action-ids';
import { isResponseUrl } from '../../notify/slack/response-url';

/**
 * The raw body of an API Gateway HTTP API (payload 2.0) event, as bytes: HTTP APIs hand Slack's
 * form posts over base64-encoded (`isBase64Encoded: true`), and the signature is over the
 * bytes Slack sent, so nothing may be parsed or re-encoded before verification.
 */
export function rawBodyOf(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** A header by name; HTTP API lowercases names, other front doors may not. */
export function headerOf(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const headers = event.headers ?? {};
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** One click on a meshgov button, read from a verified block_actions payload. */
export interface ButtonClick {
  teamId: string;
  apiAppId: string;
  userId: string;
  userName?: string;
  verb: ApprovalVerb;
  approvalId: string;
  /** Where the message lives, for an ephemeral answer to the clicker. */
  channelId?: string;
  messageTs?: string;
  actionTs?: string;
  /** Answers the clicker alone where the bot cannot post (it is not in the channel). */
  responseUrl?: string;
}

export type ReadInteraction =
  | { kind: 'click'; click: ButtonClick }
  /** A well-formed interaction that is not a meshgov button (another app's action, a view submission). */
  | { kind: 'other'; reason: string }
  | { kind: 'malformed'; field: string; message: string };

/**
 * Reads Slack's interaction post (`payload=<JSON>`, form-encoded; Slack "Handling user
 * interaction": block_actions payload) into the click it carries. Only meshgov's own buttons
 * count, and a button's value must agree with its action id.
 */
export function readInteraction(contentType: string | undefined, rawBody: Buffer): ReadInteraction {
  if (!contentType || !/^application\/x-www-form-urlencoded\b/i.test(contentType.trim())) {
    return { kind: 'malformed', field: 'content-type', message: `expected application/x-www-form-urlencoded, got ${contentType ?? 'none'}` };
  }
  const form = new URLSearchParams(rawBody.toString('utf8'));
  const text = form.get('payload');
  if (text === null) return { kind: 'malformed', field: 'payload', message: 'no payload field in the form body' };
  let payload: any;
  try {
    payload = JSON.parse(text);
  } catch {
    return { kind: 'malformed', field: 'payload', message: 'payload is not JSON' };
  }
  if (!payload || typeof payload !== 'object') return { kind: 'malformed', field: 'payload', message: 'payload is not an object' };
  if (payload.type !== 'block_actions') return { kind: 'other', reason: `interaction type ${String(payload.type)}` };

  const teamId = stringAt(payload.team?.id) ?? stringAt(payload.user?.team_id);
  if (!teamId) return { kind: 'malformed', field: 'payload.team.id', message: 'missing' };
  const apiAppId = stringAt(payload.api_app_id);
  if (!apiAppId) return { kind: 'malformed', field: 'payload.api_app_id', message: 'missing' };
  const userId = stringAt(payload.user?.id);
  if (!userId) return { kind: 'malformed', field: 'payload.user.id', message: 'missing' };
  const actions: any[] = Array.isArray(payload.actions) ? payload.actions : [];
  for (const action of actions) {
    const button = parseButton(String(action?.action_id ?? ''), typeof action?.value === 'string' ? action.value : undefined);
    if (!button) continue;
    const click: ButtonClick = { teamId, apiAppId, userId, ...button };
    const userName = stringAt(payload.user?.username) ?? stringAt(payload.user?.name);
    if (userName) click.userName = userName;
    const channelId = stringAt(payload.container?.channel_id) ?? stringAt(payload.channel?.id);
    if (channelId) click.channelId = channelId;
    const messageTs = stringAt(payload.container?.message_ts) ?? stringAt(payload.message?.ts);
    if (messageTs) click.messageTs = messageTs;
    const actionTs = stringAt(action?.action_ts);
    if (actionTs) click.actionTs = actionTs;
    if (isResponseUrl(payload.response_url)) click.responseUrl = payload.response_url;
    return { kind: 'click', click };
  }
  return { kind: 'other', reason: 'no meshgov button in the actions' };
}

function stringAt(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
