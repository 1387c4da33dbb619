import { isContentError, readMessageContent, stringArgument } from '../messageContent';
import { botMessageView } from './botMessageView';
import { type MethodHandler, slackError } from './methodContext';

/**
 * chat.update: replaces the content of a message found by channel and `ts`, keeping every
 * earlier version in its history. Answers `{ ok, channel, ts, text, message }`.
 * Source: https://docs.slack.dev/reference/methods/chat.update
 */
export const chatUpdate: MethodHandler = (args, { workspace, store, clock, conversationExists }) => {
  const channel = stringArgument(args, 'channel');
  if (channel === undefined || !conversationExists(channel)) return slackError('channel_not_found');
  const ts = stringArgument(args, 'ts');
  const message = ts === undefined ? undefined : store.find(channel, ts);
  if (message === undefined) return slackError('message_not_found');
  const content = readMessageContent(args);
  if (isContentError(content)) return slackError(content.error);

  const editedTs = clock.next();
  const updated = store.update(message, content, editedTs);
  return {
    ok: true,
    channel,
    ts: updated.ts,
    text: updated.text,
    message: botMessageView(workspace, {
      text: updated.text,
      ...(updated.blocks === undefined ? {} : { blocks: updated.blocks }),
      ...(updated.attachments === undefined ? {} : { attachments: updated.attachments }),
      edited: { user: workspace.botUserId, ts: editedTs },
    }),
  };
};
