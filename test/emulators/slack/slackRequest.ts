import type { IncomingMessage } from 'node:http';
import type { RequestEncoding } from './types';
import { readRequestBody } from '../../support/loopback-server';

/** Arguments of one Web API call. Form and query values are strings; JSON keeps its types. */
export type SlackArguments = Record<string, unknown>;

export interface SlackRequest {
  method: string;
  args: SlackArguments;
  /** From `Authorization: Bearer …`, or the `token` form/query argument. */
  token?: string;
  encoding: RequestEncoding;
}

/** A request whose body Slack itself would refuse before looking at the method. */
export interface UnreadableRequest {
  method: string;
  encoding: RequestEncoding;
  error: 'invalid_json' | 'invalid_form_data';
}

const API_PREFIX = '/api/';

/** `chat.postMessage` from `/api/chat.postMessage?…`; undefined outside the Web API. */
export function methodFromPath(rawUrl: string | undefined): string | undefined {
  const path = new URL(rawUrl ?? '/', 'http://emulator').pathname;
  if (!path.startsWith(API_PREFIX)) return undefined;
  const method = path.slice(API_PREFIX.length);
  return method.length > 0 && !method.includes('/') ? method : undefined;
}

/**
 * Reads a Web API request the way Slack does: arguments may come in the query string,
 * an `application/x-www-form-urlencoded` body (what `@slack/web-api` sends, with objects
 * such as `blocks` JSON-encoded into string fields) or an `application/json` body.
 * Source: https://docs.slack.dev/apis/web-api/#posting-json — JSON bodies must carry the
 * token in the Authorization header, so a `token` field inside JSON is ignored.
 */
export async function readSlackRequest(
  request: IncomingMessage,
  method: string,
): Promise<SlackRequest | UnreadableRequest> {
  const query = new URL(request.url ?? '/', 'http://emulator').searchParams;
  const args: SlackArguments = Object.fromEntries(query);
  let encoding: RequestEncoding = query.size > 0 ? 'query' : 'none';
  let bodyToken: unknown = args.token;

  const body = (await readRequestBody(request)).toString('utf8');
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (body.length > 0) {
    if (contentType === 'application/json') {
      encoding = 'json';
      const parsed = parseJsonObject(body);
      if (parsed === undefined) return { method, encoding, error: 'invalid_json' };
      Object.assign(args, parsed);
    } else if (contentType === 'application/x-www-form-urlencoded') {
      encoding = 'form';
      const form = Object.fromEntries(new URLSearchParams(body));
      Object.assign(args, form);
      bodyToken = form.token ?? bodyToken;
    } else {
      return { method, encoding, error: 'invalid_form_data' };
    }
  }

  // The token is credentials, not an argument; a JSON `token` field is dropped here too.
  delete args.token;
  const token = bearerToken(request.headers.authorization) ?? (typeof bodyToken === 'string' ? bodyToken : undefined);
  return token === undefined ? { method, args, encoding } : { method, args, token, encoding };
}

export function isUnreadable(parsed: SlackRequest | UnreadableRequest): parsed is UnreadableRequest {
  return 'error' in parsed;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
