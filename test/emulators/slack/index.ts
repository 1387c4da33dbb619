/** Slack Web API emulator for tests: a real HTTP server the real `@slack/web-api` client talks to. */
export { startSlackEmulator } from './startSlackEmulator';
export { slackClientFor, FAST_RETRY_CONFIG } from './slackClientFor';
export { DEFAULT_BOT_TOKEN, DEFAULT_WORKSPACE } from './defaultWorkspace';
export { ANY_METHOD } from './faultPlan';
export type {
  InjectedStatus,
  MessageRevision,
  RecordedCall,
  RequestEncoding,
  SlackAttachment,
  SlackBlock,
  SlackEmulator,
  SlackEmulatorOptions,
  SlackUserRecord,
  SlackWorkspaceIdentity,
  StoredEphemeral,
  StoredMessage,
} from './types';
