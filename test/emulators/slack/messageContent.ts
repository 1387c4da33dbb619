import type { SlackArguments } from './slackRequest';
import type { SlackAttachment, SlackBlock } from './types';

/** What a message says, read from `text`, `blocks` and `attachments` arguments. */
export interface MessageContent {
  text?: string;
  blocks?: SlackBlock[];
  attachments?: SlackAttachment[];
}

export type ContentError = 'no_text' | 'invalid_blocks' | 'invalid_blocks_format' | 'invalid_attachments';

// Source: https://docs.slack.dev/reference/block-kit/blocks — "up to 50 blocks in each message".
const MAX_BLOCKS_PER_MESSAGE = 50;

/**
 * Reads message content the way chat.postMessage / chat.update / chat.postEphemeral do.
 * Form posts carry `blocks` and `attachments` as JSON strings; JSON posts carry arrays.
 * A message needs at least one of text, blocks or attachments, otherwise `no_text`.
 */
export function readMessageContent(args: SlackArguments): MessageContent | { error: ContentError } {
  const blocks = readJsonList(args.blocks);
  if (blocks === 'unparsable') return { error: 'invalid_blocks_format' };
  if (blocks !== undefined && (blocks.length > MAX_BLOCKS_PER_MESSAGE || !blocks.every(isBlock))) {
    return { error: 'invalid_blocks' };
  }
  const attachments = readJsonList(args.attachments);
  if (attachments === 'unparsable' || (attachments !== undefined && !attachments.every(isObject))) {
    return { error: 'invalid_attachments' };
  }
  const text = stringArgument(args, 'text');
  if (text === undefined && isEmpty(blocks) && isEmpty(attachments)) return { error: 'no_text' };

  const content: MessageContent = {};
  if (text !== undefined) content.text = text;
  if (blocks !== undefined) content.blocks = blocks as SlackBlock[];
  if (attachments !== undefined) content.attachments = attachments as SlackAttachment[];
  return content;
}

export function isContentError(value: MessageContent | { error: ContentError }): value is { error: ContentError } {
  return 'error' in value;
}

/** A non-empty string argument; numbers (JSON bodies) are accepted as their decimal text. */
export function stringArgument(args: SlackArguments, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function readJsonList(value: unknown): unknown[] | 'unparsable' | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return 'unparsable';
    }
  }
  return Array.isArray(parsed) ? parsed : 'unparsable';
}

function isEmpty(list: unknown[] | undefined): boolean {
  return list === undefined || list.length === 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBlock(value: unknown): value is SlackBlock {
  return isObject(value) && typeof value.type === 'string' && value.type.length > 0;
}
