import { isContentError, readMessageContent, stringArgument } from '../messageContent';
import type { StoredEphemeral } from '../types';
import { type MethodHandler, slackError } from './methodContext';

// Slack user ids start with U, or W on Enterprise Grid.
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * chat.postEphemeral: shows a message to one user in a channel. Slack answers only
 * `{ ok, message_ts }`; there is no `channel` or `message` in the response.
 * Source: https://docs.slack.dev/reference/methods/chat.postEphemeral
 */
export const chatPostEphemeral: MethodHandler = (args, { store, clock, conversationExists }) => {
  const channel = stringArgument(args, 'channel');
  if (channel === undefined || !conversationExists(channel)) return slackError('channel_not_found');
  const user = stringArgument(args, 'user');
  if (user === undefined || !USER_ID.test(user)) return slackError('user_not_in_channel');
  const content = readMessageContent(args);
  if (isContentError(content)) return slackError(content.error);

  const ephemeral: StoredEphemeral = { channel, user, messageTs: clock.next(), text: content.text ?? '' };
  if (content.blocks !== undefined) ephemeral.blocks = content.blocks;
  if (content.attachments !== undefined) ephemeral.attachments = content.attachments;
  const threadTs = stringArgument(args, 'thread_ts');
  if (threadTs !== undefined) ephemeral.threadTs = threadTs;
  store.addEphemeral(ephemeral);
  return { ok: true, message_ts: ephemeral.messageTs };
};
