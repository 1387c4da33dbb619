import { isContentError, readMessageContent, stringArgument } from '../messageContent';
import { botMessageView } from './botMessageView';
import { type MethodHandler, slackError } from './methodContext';

/**
 * chat.postMessage: stores the message under a fresh `ts` and answers
 * `{ ok, channel, ts, message }`. Source: https://docs.slack.dev/reference/methods/chat.postMessage
 */
export const chatPostMessage: MethodHandler = (args, { workspace, store, clock, conversationExists }) => {
  const channel = stringArgument(args, 'channel');
  if (channel === undefined || !conversationExists(channel)) return slackError('channel_not_found');
  const content = readMessageContent(args);
  if (isContentError(content)) return slackError(content.error);

  const threadTs = stringArgument(args, 'thread_ts');
  const message = store.addMessage(channel, clock.next(), content, threadTs);
  return {
    ok: true,
    channel,
    ts: message.ts,
    message: botMessageView(workspace, message),
  };
};
