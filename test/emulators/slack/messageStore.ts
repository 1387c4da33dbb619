import type { MessageContent } from './messageContent';
import type { MessageRevision, StoredEphemeral, StoredMessage } from './types';

/**
 * Everything the emulated workspace has accepted. Messages are keyed by channel and `ts`,
 * which is how Slack identifies a message; ephemerals are only recorded, because Slack
 * offers no way to read or update them afterwards.
 */
export class MessageStore {
  private readonly posted: StoredMessage[] = [];
  private readonly ephemeralPosts: StoredEphemeral[] = [];

  addMessage(channel: string, ts: string, content: MessageContent, threadTs?: string): StoredMessage {
    const message: StoredMessage = { channel, ts, text: content.text ?? '', history: [] };
    applyContent(message, content);
    if (threadTs !== undefined) message.threadTs = threadTs;
    message.history.push(revisionOf(message));
    this.posted.push(message);
    return message;
  }

  find(channel: string, ts: string): StoredMessage | undefined {
    return this.posted.find((m) => m.channel === channel && m.ts === ts);
  }

  /**
   * Source: https://docs.slack.dev/reference/methods/chat.update — arguments left out keep
   * their previous value ("If you don't include this field, the message's previous blocks
   * will be retained"); an empty array removes blocks or attachments.
   */
  update(message: StoredMessage, content: MessageContent, editedTs: string): StoredMessage {
    if (content.text !== undefined) message.text = content.text;
    applyContent(message, content);
    message.history.push({ ...revisionOf(message), editedTs });
    return message;
  }

  addEphemeral(ephemeral: StoredEphemeral): void {
    this.ephemeralPosts.push(ephemeral);
  }

  messages(channel?: string): StoredMessage[] {
    return structuredClone(this.posted.filter((m) => channel === undefined || m.channel === channel));
  }

  ephemerals(channel?: string): StoredEphemeral[] {
    return structuredClone(this.ephemeralPosts.filter((e) => channel === undefined || e.channel === channel));
  }

  clear(): void {
    this.posted.length = 0;
    this.ephemeralPosts.length = 0;
  }
}

function applyContent(message: StoredMessage, content: MessageContent): void {
  if (content.blocks !== undefined) {
    if (content.blocks.length > 0) message.blocks = content.blocks;
    else delete message.blocks;
  }
  if (content.attachments !== undefined) {
    if (content.attachments.length > 0) message.attachments = content.attachments;
    else delete message.attachments;
  }
}

function revisionOf(message: StoredMessage): MessageRevision {
  const revision: MessageRevision = { text: message.text };
  if (message.blocks !== undefined) revision.blocks = structuredClone(message.blocks);
  if (message.attachments !== undefined) revision.attachments = structuredClone(message.attachments);
  return revision;
}
