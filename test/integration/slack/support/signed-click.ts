import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SHARED_EVENTS_DIR, sharedEvent } from '../../../support/shared-events';
import { SIGNING_SECRET } from './storyline';
import type { SlackUserRecord } from '../../../emulators/slack';

const SIGN_MJS = path.join(SHARED_EVENTS_DIR, 'slack/sign.mjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'meshgov-slack-click-'));
let files = 0;

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
  bodyBase64: string;
}

/**
 * Signs a block_actions payload with the shared helper itself (`node sign.mjs <payload> <secret>
 * <ts>`, Slack's v0 scheme and Slack's form encoding), so the tests sign exactly as the shared
 * samples were signed.
 */
export function signWithSharedHelper(payload: unknown, timestamp: number, secret: string = SIGNING_SECRET): SignedRequest {
  const file = path.join(scratch, `payload-${++files}.json`);
  writeFileSync(file, JSON.stringify(payload));
  return JSON.parse(execFileSync(process.execPath, [SIGN_MJS, file, secret, String(timestamp)], { encoding: 'utf8' })) as SignedRequest;
}

export interface ClickOptions {
  verb?: 'approve' | 'reject' | 'undo';
  approvalId: string;
  user?: SlackUserRecord;
  /** Unix seconds the request is signed at; now by default. */
  timestamp?: number;
  secret?: string;
  channel?: string;
  messageTs?: string;
  /** Edits the payload before signing (another team, another app). */
  edit?: (payload: any) => void;
}

const BUTTONS = {
  approve: { action_id: 'meshgov_approve', block_id: 'meshgov_decision', text: 'Approve', style: 'primary' },
  reject: { action_id: 'meshgov_reject', block_id: 'meshgov_decision', text: 'Reject', style: 'danger' },
  undo: { action_id: 'meshgov_undo', block_id: 'meshgov_undo', text: 'Undo', style: undefined },
} as const;

/**
 * The API Gateway HTTP API event Slack's click would arrive as: the shared event
 * (aws/apigw-http-slack-block-actions.json) with the shared block_actions payload varied (who
 * clicked, which button, which approval) and re-signed at a fresh timestamp.
 */
export function clickEvent(options: ClickOptions): APIGatewayProxyEventV2 {
  const verb = options.verb ?? 'approve';
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const payload = sharedEvent('slack/block-actions-approve.payload.json');
  if (options.user) payload.user = { id: options.user.id, username: options.user.name, name: options.user.name, team_id: payload.team.id };
  if (options.channel) {
    payload.container.channel_id = options.channel;
    payload.channel.id = options.channel;
  }
  if (options.messageTs) {
    payload.container.message_ts = options.messageTs;
    payload.message.ts = options.messageTs;
  }
  const button = BUTTONS[verb];
  payload.actions = [
    {
      action_id: button.action_id,
      block_id: button.block_id,
      text: { type: 'plain_text', text: button.text, emoji: true },
      value: `${verb}:${options.approvalId}`,
      ...(button.style ? { style: button.style } : {}),
      type: 'button',
      action_ts: `${timestamp}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
    },
  ];
  payload.trigger_id = `${timestamp}${Math.floor(Math.random() * 1e6)}.4523187790246.6d1f0b4e8a2c9d7f3b5e1a0c4d8f2b6e`;
  options.edit?.(payload);
  const signed = signWithSharedHelper(payload, timestamp, options.secret);
  return apiGatewayEvent(signed, timestamp);
}

/** The shared API Gateway event carrying a signed Slack request. */
export function apiGatewayEvent(signed: SignedRequest, timestamp: number): APIGatewayProxyEventV2 {
  const event = sharedEvent<APIGatewayProxyEventV2>('aws/apigw-http-slack-block-actions.json');
  event.headers = {
    ...event.headers,
    ...signed.headers,
    'content-length': String(Buffer.byteLength(signed.body, 'utf8')),
  };
  event.body = signed.bodyBase64;
  event.isBase64Encoded = true;
  event.requestContext.requestId = `req-${timestamp}-${++files}`;
  event.requestContext.timeEpoch = timestamp * 1000;
  return event;
}

/** The same event with its body changed after signing (a forgery). */
export function tampered(event: APIGatewayProxyEventV2, edit: (body: string) => string): APIGatewayProxyEventV2 {
  const body = Buffer.from(event.body!, 'base64').toString('utf8');
  return { ...event, body: Buffer.from(edit(body), 'utf8').toString('base64') };
}
