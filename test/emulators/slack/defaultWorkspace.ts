import type { SlackWorkspaceIdentity } from './types';

/**
 * A clearly fake bot token. It keeps the `xoxb-` prefix of real bot tokens but not their
 * digit groups, so secret scanners do not mistake it for a leaked credential.
 */
export const DEFAULT_BOT_TOKEN = 'xoxb-meshgov-emulator-bot-token';

/** The workspace the emulated bot lives in; ids follow Slack's shapes (T…, U…, B…, A…). */
export const DEFAULT_WORKSPACE: SlackWorkspaceIdentity = {
  teamId: 'T0123ABCD',
  teamName: 'Meshgov Platform',
  url: 'https://meshgov-platform.slack.com/',
  botUserId: 'U07MGOVBOT',
  botUserName: 'meshgov',
  botId: 'B07MGOVBOT',
  appId: 'A07MGOVAPP',
};
