import { authTest } from './authTest';
import { chatPostEphemeral } from './chatPostEphemeral';
import { chatPostMessage } from './chatPostMessage';
import { chatUpdate } from './chatUpdate';
import type { MethodHandler } from './methodContext';
import { usergroupsUsersList } from './usergroupsUsersList';
import { usersInfo } from './usersInfo';
import { usersLookupByEmail } from './usersLookupByEmail';

/** The Web API methods the emulator implements; any other name gets `unknown_method`. */
export const METHOD_TABLE: Readonly<Record<string, MethodHandler>> = {
  'auth.test': authTest,
  'chat.postEphemeral': chatPostEphemeral,
  'chat.postMessage': chatPostMessage,
  'chat.update': chatUpdate,
  'usergroups.users.list': usergroupsUsersList,
  'users.info': usersInfo,
  'users.lookupByEmail': usersLookupByEmail,
};
