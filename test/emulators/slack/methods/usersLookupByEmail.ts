import { stringArgument } from '../messageContent';
import { type MethodHandler, missingArgument, slackError } from './methodContext';
import { slackUserView } from './slackUserView';

/**
 * users.lookupByEmail: the member whose profile email matches (Slack compares emails without
 * regard to case), `users_not_found` otherwise. A deactivated member is not found here.
 * Source: https://docs.slack.dev/reference/methods/users.lookupByEmail
 */
export const usersLookupByEmail: MethodHandler = (args, { workspace, users }) => {
  const email = stringArgument(args, 'email');
  if (email === undefined) return missingArgument('email');
  const wanted = email.toLowerCase();
  const user = [...users.values()].find((u) => !u.deleted && u.email?.toLowerCase() === wanted);
  if (user === undefined) return slackError('users_not_found');
  return { ok: true, user: slackUserView(workspace, user) };
};
