import type { MessageStore } from '../messageStore';
import type { SlackArguments } from '../slackRequest';
import type { SlackTimestampClock } from '../slackTimestampClock';
import type { SlackUserRecord, SlackWorkspaceIdentity } from '../types';

/** The emulated workspace state a Web API method may read or change. */
export interface MethodContext {
  workspace: SlackWorkspaceIdentity;
  store: MessageStore;
  clock: SlackTimestampClock;
  usergroups: ReadonlyMap<string, readonly string[]>;
  /** Workspace members by user id. */
  users: ReadonlyMap<string, SlackUserRecord>;
  conversationExists(channel: string): boolean;
}

/** A Web API answer; Slack sends both kinds with HTTP 200. */
export type SlackResponseBody = { ok: true; [field: string]: unknown } | SlackErrorBody;

export interface SlackErrorBody {
  ok: false;
  error: string;
  response_metadata?: { messages: string[] };
  [field: string]: unknown;
}

export type MethodHandler = (args: SlackArguments, context: MethodContext) => SlackResponseBody;

export function slackError(error: string): SlackErrorBody {
  return { ok: false, error };
}

/** Slack's answer when a required argument is absent, naming the field like Slack does. */
export function missingArgument(name: string): SlackErrorBody {
  return {
    ok: false,
    error: 'invalid_arguments',
    response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
  };
}
