import type { SlackUserRecord, SlackWorkspaceIdentity } from '../types';

/**
 * A user object as `users.info` and `users.lookupByEmail` return it: the top-level identity
 * fields and a `profile` that carries `email` (present for apps with `users:read.email`).
 * Source: https://docs.slack.dev/reference/objects/user-object
 */
export function slackUserView(workspace: SlackWorkspaceIdentity, user: SlackUserRecord): Record<string, unknown> {
  const realName = user.realName ?? user.name;
  const profile: Record<string, unknown> = {
    real_name: realName,
    real_name_normalized: realName,
    display_name: user.name,
    display_name_normalized: user.name,
    team: workspace.teamId,
  };
  if (user.email !== undefined) profile.email = user.email;
  return {
    id: user.id,
    team_id: workspace.teamId,
    name: user.name,
    deleted: user.deleted ?? false,
    real_name: realName,
    tz: 'Etc/UTC',
    tz_label: 'Coordinated Universal Time',
    tz_offset: 0,
    profile,
    is_admin: false,
    is_owner: false,
    is_bot: user.isBot ?? false,
    is_app_user: false,
    updated: 1795000000,
  };
}
