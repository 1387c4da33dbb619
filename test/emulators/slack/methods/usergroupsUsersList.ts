import { stringArgument } from '../messageContent';
import { type MethodHandler, missingArgument, slackError } from './methodContext';

/**
 * usergroups.users.list: member user ids of a usergroup (S…), `no_such_subteam` when the
 * workspace has no such group. Source: https://docs.slack.dev/reference/methods/usergroups.users.list
 */
export const usergroupsUsersList: MethodHandler = (args, { usergroups }) => {
  const usergroup = stringArgument(args, 'usergroup');
  if (usergroup === undefined) return missingArgument('usergroup');
  const users = usergroups.get(usergroup);
  if (users === undefined) return slackError('no_such_subteam');
  return { ok: true, users: [...users] };
};
