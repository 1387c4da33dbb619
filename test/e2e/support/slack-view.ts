/**
 * What a person in the Slack workspace sees, read back from the Slack emulator: the messages
 * a story posted, and what became of one message after its post (its chat.update revisions).
 */
import type { SlackEmulator, StoredMessage } from '../../emulators/slack';

/** A mark in the workspace's history: what was posted after it. */
export interface SlackMark {
  /** Top-level messages posted since the mark (thread replies excluded), oldest first. */
  postedSince(channel?: string): StoredMessage[];
  /** chat.update calls since the mark. */
  updatesSince(): number;
}

export function markSlack(slack: SlackEmulator): SlackMark {
  const known = new Set(slack.messages().map((m) => `${m.channel}/${m.ts}`));
  const updates = slack.callLog('chat.update').length;
  return {
    postedSince: (channel) => slack.messages(channel).filter((m) => !known.has(`${m.channel}/${m.ts}`) && m.threadTs === undefined),
    updatesSince: () => slack.callLog('chat.update').length - updates,
  };
}

/** The message `ts` in `channel`, or a failure naming what the channel holds. */
export function messageAt(slack: SlackEmulator, channel: string, ts: string): StoredMessage {
  const message = slack.messages(channel).find((m) => m.ts === ts);
  if (!message) throw new Error(`no message ${ts} in ${channel}; it holds ${slack.messages(channel).map((m) => `${m.ts} "${m.text}"`).join(', ') || 'nothing'}`);
  return message;
}

/** Every text of a message version (fallback text and Block Kit texts), for "does it say X". */
export function textOf(version: { text: string; blocks?: unknown[] }): string {
  return `${version.text}\n${JSON.stringify(version.blocks ?? [])}`;
}

/** The action ids of the buttons a message version carries. */
export function buttonsOf(version: { blocks?: unknown[] }): string[] {
  const ids: string[] = [];
  for (const block of (version.blocks ?? []) as Array<{ elements?: Array<{ type?: string; action_id?: string }> }>) {
    for (const element of block.elements ?? []) if (element.type === 'button' && element.action_id) ids.push(element.action_id);
  }
  return ids;
}
