import type { MethodHandler } from './methodContext';

/**
 * auth.test: who the token belongs to. With a bot token Slack adds `bot_id`.
 * Source: https://docs.slack.dev/reference/methods/auth.test
 */
export const authTest: MethodHandler = (_args, { workspace }) => ({
  ok: true,
  url: workspace.url,
  team: workspace.teamName,
  user: workspace.botUserName,
  team_id: workspace.teamId,
  user_id: workspace.botUserId,
  bot_id: workspace.botId,
  is_enterprise_install: false,
});
