/**
 * Public types of the Slack Web API emulator: what a test configures, and what it can
 * read back after the code under test has talked to the emulator.
 */

/** One Block Kit block as the emulator received it (parsed from JSON, never re-shaped). */
export interface SlackBlock {
  type: string;
  block_id?: string;
  [field: string]: unknown;
}

/** One legacy attachment, kept only so that attachment-only messages are not `no_text`. */
export type SlackAttachment = Record<string, unknown>;

/** Who the emulated bot token belongs to; `auth.test` returns it and messages carry it. */
export interface SlackWorkspaceIdentity {
  teamId: string;
  teamName: string;
  /** Workspace URL with the trailing slash, as `auth.test` returns it. */
  url: string;
  botUserId: string;
  botUserName: string;
  botId: string;
  appId: string;
}

export interface SlackEmulatorOptions {
  /** The only bearer token accepted; every other token gets `invalid_auth`. */
  token?: string;
  workspace?: Partial<SlackWorkspaceIdentity>;
  /**
   * Conversation ids that exist. When omitted, any well-formed public, private or DM
   * conversation id (C…, G…, D…) exists.
   */
  channels?: string[];
  /** Usergroup id (S…) to member user ids, as `usergroups.users.list` returns them. */
  usergroups?: Record<string, string[]>;
  /** Workspace members, as `users.lookupByEmail` and `users.info` find them. */
  users?: SlackUserRecord[];
  /** Clock for message timestamps; tests pass a fixed one for reproducible `ts` values. */
  now?: () => number;
}

/** One member of the emulated workspace (the fields meshgov reads from a Slack user object). */
export interface SlackUserRecord {
  /** U… (or W… on Enterprise Grid). */
  id: string;
  /** The legacy username, e.g. `carol.ops`. */
  name: string;
  /** `profile.email`; Slack returns it only to apps with `users:read.email`. */
  email?: string;
  realName?: string;
  /** A deactivated account: `users.lookupByEmail` no longer finds it. */
  deleted?: boolean;
  isBot?: boolean;
}

/** One version of a message: the original post, then one per `chat.update`. */
export interface MessageRevision {
  text: string;
  blocks?: SlackBlock[];
  attachments?: SlackAttachment[];
  /** Absent on the original post; the `edited.ts` Slack stamps on every update. */
  editedTs?: string;
}

/** A message accepted by `chat.postMessage`, with its current content and every version. */
export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: SlackBlock[];
  attachments?: SlackAttachment[];
  threadTs?: string;
  /** Oldest first; the last entry always equals the current content. */
  history: MessageRevision[];
}

/** A message accepted by `chat.postEphemeral`; Slack never lets it be updated or read back. */
export interface StoredEphemeral {
  channel: string;
  user: string;
  messageTs: string;
  text: string;
  blocks?: SlackBlock[];
  attachments?: SlackAttachment[];
  threadTs?: string;
}

/** How the request body was encoded, so tests can tell which path the client took. */
export type RequestEncoding = 'form' | 'json' | 'query' | 'none';

/** One HTTP request that reached the emulator while it was up, faults included. */
export interface RecordedCall {
  method: string;
  httpStatus: number;
  /** `error` of an `{ ok: false }` body, when there was one. */
  error?: string;
  encoding: RequestEncoding;
  /** `Date.now()` when the request arrived (wall clock, not the `now` option). */
  receivedAt: number;
}

/** HTTP statuses `failNext` can inject. 429 carries `Retry-After`; 5xx bodies are not JSON. */
export type InjectedStatus = 429 | 500 | 502 | 503 | 504;

export interface SlackEmulator {
  /** `http://127.0.0.1:<port>`; the Web API lives under `url + '/api/'`. */
  readonly url: string;
  readonly token: string;
  readonly workspace: SlackWorkspaceIdentity;
  stop(): Promise<void>;
  /** Accepted messages, oldest first, optionally of one channel. Copies: safe to keep. */
  messages(channel?: string): StoredMessage[];
  ephemerals(channel?: string): StoredEphemeral[];
  /** Number of requests that reached the emulator, for one method or all. */
  calls(method?: string): number;
  /** Every request that reached the emulator, oldest first. */
  callLog(method?: string): RecordedCall[];
  /** Answer the next `count` calls of `method` (or `'*'`, any method) with `status`. */
  failNext(method: string, status: InjectedStatus, count: number, retryAfterSeconds?: number): void;
  /** Stop listening and cut open connections: clients get connection refused. */
  goDown(): Promise<void>;
  /** Listen again on the same port. */
  comeUp(): Promise<void>;
  setUsergroup(usergroupId: string, userIds: string[]): void;
  /** Adds a workspace member, or replaces the one with the same id. */
  setUser(user: SlackUserRecord): void;
  /** Forget messages, calls and pending faults; usergroups and users return to the options'. */
  reset(): void;
}
