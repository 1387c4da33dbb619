import { stringArgument } from '../messageContent';
import { type MethodHandler, missingArgument, slackError } from './methodContext';
import { slackUserView } from './slackUserView';

/**
 * users.info: one member by id, deactivated ones included (with `deleted: true`);
 * `user_not_found` for an unknown id. Source: https://docs.slack.dev/reference/methods/users.info
 */
export const usersInfo: MethodHandler = (args, { workspace, users }) => {
  const id = stringArgument(args, 'user');
  if (id === undefined) return missingArgument('user');
  const user = users.get(id);
  if (user === undefined) return slackError('user_not_found');
  return { ok: true, user: slackUserView(workspace, user) };
};
