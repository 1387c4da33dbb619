import type { Route } from '../pipeline/ports';

/**
 * Who may decide, and who a cloud principal is in Slack. The Slack implementation
 * (functions/notify/slack/approver-directory.ts) asks `usergroups.users.list` and
 * `users.lookupByEmail`; tests may use any other.
 */
export interface ApproverDirectory {
  /**
   * True when the Slack user is one of the route's approvers: listed by user id, or a member of
   * a listed user group. A route with no approvers has none: the answer is false.
   */
  isApprover(slackUserId: string, route: Route): Promise<boolean>;
  /**
   * The Slack user id of the person behind a cloud principal (an IAM Identity Center session
   * `…/alice@example.com`, a GKE `principalEmail`), found by the email it carries; undefined when
   * it carries none or no workspace member has that email.
   */
  slackUserForActor(actor: string): Promise<string | undefined>;
}
