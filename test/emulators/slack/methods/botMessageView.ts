import type { SlackAttachment, SlackBlock, SlackWorkspaceIdentity } from '../types';

interface BotMessageFields {
  text: string;
  ts?: string;
  blocks?: SlackBlock[];
  attachments?: SlackAttachment[];
  threadTs?: string;
  edited?: { user: string; ts: string };
}

/**
 * The `message` object Slack returns for a message posted with a bot token: authored by
 * the bot user, carrying `bot_id`, `app_id` and a `bot_profile`.
 */
export function botMessageView(workspace: SlackWorkspaceIdentity, fields: BotMessageFields): Record<string, unknown> {
  const view: Record<string, unknown> = {
    user: workspace.botUserId,
    type: 'message',
    text: fields.text,
    bot_id: workspace.botId,
    app_id: workspace.appId,
    team: workspace.teamId,
    bot_profile: {
      id: workspace.botId,
      app_id: workspace.appId,
      name: workspace.botUserName,
      deleted: false,
      team_id: workspace.teamId,
    },
  };
  if (fields.ts !== undefined) view.ts = fields.ts;
  if (fields.blocks !== undefined) view.blocks = fields.blocks;
  if (fields.attachments !== undefined) view.attachments = fields.attachments;
  if (fields.threadTs !== undefined) view.thread_ts = fields.threadTs;
  if (fields.edited !== undefined) view.edited = fields.edited;
  return view;
}
