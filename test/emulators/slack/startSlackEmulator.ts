import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_BOT_TOKEN, DEFAULT_WORKSPACE } from './defaultWorkspace';
import { FaultPlan, type InjectedFault } from './faultPlan';
import { MessageStore } from './messageStore';
import type { MethodContext, SlackResponseBody } from './methods/methodContext';
import { METHOD_TABLE } from './methods/methodTable';
import { RestartableListener } from './restartableListener';
import { isUnreadable, methodFromPath, readSlackRequest, type SlackRequest } from './slackRequest';
import { SlackTimestampClock } from './slackTimestampClock';
import type { RecordedCall, SlackEmulator, SlackEmulatorOptions, SlackUserRecord, SlackWorkspaceIdentity } from './types';

// Public (C…), private (G…) and direct-message (D…) conversation ids.
const CONVERSATION_ID = /^[CGD][A-Z0-9]{2,}$/;

/** Seconds a 429 asks the client to wait when the test does not say. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/**
 * Starts a Slack Web API emulator on a free loopback port. Point `@slack/web-api` at it
 * with `slackApiUrl: emulator.url + '/api/'` (see `slackClientFor`).
 *
 * @example
 * const slack = await startSlackEmulator({ usergroups: { S0MESHONCALL: ['U0AB12CD34'] } });
 * try {
 *   const client = slackClientFor(slack);
 *   await client.chat.postMessage({ channel: 'C0MESHALERTS', text: 'mTLS drift in payments' });
 *   expect(slack.messages('C0MESHALERTS')).toHaveLength(1);
 * } finally {
 *   await slack.stop();
 * }
 */
export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const token = options.token ?? DEFAULT_BOT_TOKEN;
  const workspace: SlackWorkspaceIdentity = { ...DEFAULT_WORKSPACE, ...options.workspace };
  const knownChannels = options.channels === undefined ? undefined : new Set(options.channels);
  const store = new MessageStore();
  const faults = new FaultPlan();
  const usergroups = new Map<string, readonly string[]>();
  const resetUsergroups = (): void => {
    usergroups.clear();
    for (const [id, users] of Object.entries(options.usergroups ?? {})) usergroups.set(id, [...users]);
  };
  resetUsergroups();
  const users = new Map<string, SlackUserRecord>();
  const resetUsers = (): void => {
    users.clear();
    for (const user of options.users ?? []) users.set(user.id, { ...user });
  };
  resetUsers();
  let callLog: RecordedCall[] = [];

  const context: MethodContext = {
    workspace,
    store,
    clock: new SlackTimestampClock(options.now),
    usergroups,
    users,
    conversationExists: (channel) =>
      knownChannels === undefined ? CONVERSATION_ID.test(channel) : knownChannels.has(channel),
  };

  const handleRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const receivedAt = Date.now();
    const method = methodFromPath(request.url);
    if (method === undefined) {
      request.resume();
      sendText(response, 404, 'Not Found');
      return;
    }
    const parsed = await readSlackRequest(request, method);
    const record = (httpStatus: number, error?: string): void => {
      const call: RecordedCall = { method, httpStatus, encoding: parsed.encoding, receivedAt };
      if (error !== undefined) call.error = error;
      callLog.push(call);
    };

    const fault = faults.takeFor(method);
    if (fault !== undefined) {
      sendFault(response, fault);
      record(fault.status, fault.status === 429 ? 'ratelimited' : undefined);
      return;
    }
    const body = isUnreadable(parsed) ? { ok: false as const, error: parsed.error } : answer(parsed);
    sendJson(response, 200, body);
    record(200, body.ok ? undefined : body.error);
  };

  const answer = (request: SlackRequest): SlackResponseBody => {
    // Source: https://docs.slack.dev/reference/methods/auth.test — `not_authed` when no
    // token was sent at all, `invalid_auth` when the token is not a valid one.
    if (request.token === undefined) return { ok: false, error: 'not_authed' };
    if (request.token !== token) return { ok: false, error: 'invalid_auth' };
    const handler = METHOD_TABLE[request.method];
    if (handler === undefined) return { ok: false, error: 'unknown_method', req_method: request.method };
    return handler(request.args, context);
  };

  const listener = new RestartableListener((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      // An emulator bug, not a Slack behaviour: make it loud rather than a hung request.
      if (!response.headersSent) sendText(response, 500, `slack emulator failure: ${String(error)}`);
      else response.destroy();
    });
  });
  const port = await listener.listen(0);
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    token,
    workspace,
    stop: () => listener.close(),
    messages: (channel) => store.messages(channel),
    ephemerals: (channel) => store.ephemerals(channel),
    calls: (method) => callLog.filter((c) => method === undefined || c.method === method).length,
    callLog: (method) => callLog.filter((c) => method === undefined || c.method === method).map((c) => ({ ...c })),
    failNext: (method, status, count, retryAfterSeconds) => {
      const fault: InjectedFault =
        status === 429 ? { status, retryAfterSeconds: retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS } : { status };
      faults.add(method, fault, count);
    },
    goDown: () => listener.close(),
    comeUp: async () => {
      await listener.listen(port);
    },
    setUsergroup: (usergroupId, userIds) => {
      usergroups.set(usergroupId, [...userIds]);
    },
    setUser: (user) => {
      users.set(user.id, { ...user });
    },
    reset: () => {
      store.clear();
      faults.clear();
      callLog = [];
      resetUsergroups();
      resetUsers();
    },
  };
}

/**
 * Source: https://docs.slack.dev/apis/web-api/rate-limits — a rate-limited call gets HTTP
 * 429 with `Retry-After` in seconds and the body `{ ok: false, error: 'ratelimited' }`.
 * 5xx answers come from Slack's edge, so their body is not Web API JSON.
 */
function sendFault(response: ServerResponse, fault: InjectedFault): void {
  if (fault.status === 429) {
    response.setHeader('Retry-After', String(fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS));
    sendJson(response, 429, { ok: false, error: 'ratelimited' });
    return;
  }
  sendText(response, fault.status, FAULT_TEXT[fault.status]);
}

const FAULT_TEXT: Record<Exclude<InjectedFault['status'], 429>, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}
