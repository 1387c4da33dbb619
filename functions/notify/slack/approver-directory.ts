import type { WebClient } from '@slack/web-api';
import { actorEmail } from '../../core/approvals/actor-email';
import type { ApproverDirectory } from '../../core/approvals/approver-directory';
import type { Route } from '../../core/pipeline/ports';

/**
 * Approvers and people as Slack knows them: user group members from `usergroups.users.list`
 * (scope usergroups:read), a principal's Slack user from `users.lookupByEmail` (scopes
 * users:read, users:read.email). Answers are asked fresh on every click: a person removed
 * from an approvers group must lose the right at once.
 */
export class SlackApproverDirectory implements ApproverDirectory {
  constructor(private readonly client: WebClient) {}

  async isApprover(slackUserId: string, route: Route): Promise<boolean> {
    if (route.approvers.users.includes(slackUserId)) return true;
    for (const usergroup of route.approvers.usergroups) {
      const result = await this.client.usergroups.users.list({ usergroup });
      if ((result.users ?? []).includes(slackUserId)) return true;
    }
    return false;
  }

  async slackUserForActor(actor: string): Promise<string | undefined> {
    const email = actorEmail(actor);
    if (!email) return undefined;
    try {
      const result = await this.client.users.lookupByEmail({ email });
      return result.user?.id;
    } catch (err) {
      // Nobody in the workspace has this email: the actor is not a Slack user (a CI role, a service account).
      if (platformError(err) === 'users_not_found') return undefined;
      throw err;
    }
  }
}

/** The `error` of a Slack `{ ok: false }` answer, as @slack/web-api raises it. */
export function platformError(err: unknown): string | undefined {
  const data = (err as { code?: string; data?: { error?: unknown } } | undefined)?.data;
  return (err as { code?: string })?.code === 'slack_webapi_platform_error' && typeof data?.error === 'string' ? data.error : undefined;
}
