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
  /** `warn` hears of a listed user group Slack does not know, so a deleted group or a typo in rules/ shows in the logs. */
  constructor(
    private readonly client: WebClient,
    private readonly warn: (message: string, fields: Record<string, unknown>) => void = () => {},
  ) {}

  /**
   * Membership of any one group is enough, so a group that cannot be read does not decide alone:
   * one Slack no longer knows (`no_such_subteam`) has no members, and when another lookup fails
   * the clicker may still be found in another group. Only when no group names them and a lookup
   * failed is the failure thrown (the click is refused with "try again", never decided on a guess).
   * The groups are asked at once: the click must be answered within 3 s, and each lookup may take
   * its whole timeout.
   */
  async isApprover(slackUserId: string, route: Route): Promise<boolean> {
    if (route.approvers.users.includes(slackUserId)) return true;
    const groups = route.approvers.usergroups;
    if (groups.length === 0) return false;
    let failure: unknown;
    const lists = (usergroup: string): Promise<boolean> =>
      this.client.usergroups.users.list({ usergroup }).then(
        (result) => (result.users ?? []).includes(slackUserId),
        (err: unknown) => {
          if (platformError(err) === 'no_such_subteam') this.warn('approvers user group not found in Slack; it grants nothing', { usergroup });
          else failure ??= err;
          return false;
        },
      );
    // The first group that lists the clicker decides; the others need not be waited for.
    const found = await new Promise<boolean>((resolve) => {
      let pending = groups.length;
      for (const usergroup of groups) void lists(usergroup).then((yes) => (yes ? resolve(true) : --pending === 0 && resolve(false)));
    });
    if (found) return true;
    if (failure !== undefined) throw failure;
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
