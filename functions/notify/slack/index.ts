/** The Slack side of meshgov: the Notifier, the approver directory, the Web API client, and the message builders. */
export { SlackNotifier, type RefusalAddress } from './slack-notifier';
export { SlackApproverDirectory, platformError } from './approver-directory';
export { createSlackClient, BOUNDED_RETRY_CONFIG, DEFAULT_SLACK_API_URL, INTERACTIVE_RETRY_CONFIG, type SlackClientOptions } from './slack-client';
export { ACTION_IDS, BLOCK_IDS, buttonValue, parseButton } from './messages/action-ids';
export type { EvidenceContext } from './messages/evidence';
export { refusalText } from './messages/refusal-message';
