/**
 * The people, workspace and channel of the shared storyline (test/fixtures/shared-events/README.md):
 * alice sets the payments-api listener to PERMISSIVE, meshgov asks the payments team in
 * #mesh-governance (C07PLATSEC9), carol approves. Dave approves through the payments approvers
 * user group; mallory is in the workspace but approves nothing.
 */
import type { SlackUserRecord } from '../../../emulators/slack';
import type { Policy } from '../../../../functions/core/policy/types';
import { shippedPolicy } from '../../../support/model';

/** Slack's documented example signing secret, which the shared samples are signed with (test-only). */
export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const TEAM_ID = 'T04MG8VQ2KX';
export const APP_ID = 'A07MGVQ3N5R';
export const CHANNEL = 'C07PLATSEC9';
export const PAYMENTS_APPROVERS = 'S07PAYAPPRV';

export const CAROL: SlackUserRecord = { id: 'U05JX7RB2LM', name: 'carol.ops', email: 'carol@example.com', realName: 'Carol Ops' };
export const DAVE: SlackUserRecord = { id: 'U05KD2M8QZP', name: 'dave.sre', email: 'dave@example.com', realName: 'Dave Sre' };
export const ALICE: SlackUserRecord = { id: 'U05AL1CE7QX', name: 'alice', email: 'alice@example.com', realName: 'Alice Admin' };
export const MALLORY: SlackUserRecord = { id: 'U05M4LL0RYZ', name: 'mallory', email: 'mallory@example.com', realName: 'Mallory Guest' };
export const USERS = [CAROL, DAVE, ALICE, MALLORY];

/** The workspace of the shared block_actions payload, for the Slack emulator. */
export const WORKSPACE = { teamId: TEAM_ID, teamName: 'meshgov-demo', url: 'https://meshgov-demo.slack.com/', botUserId: 'U07MGVQ9L4E', botUserName: 'meshgov', botId: 'B07MGVQ8H2D', appId: APP_ID };

/**
 * The shipped rules with the payments team owning prod-mesh: its channel, carol and alice as
 * approvers by user id, and dave through the payments approvers user group.
 */
export function paymentsPolicy(edit: (policy: Policy) => void = () => {}): Policy {
  const policy = shippedPolicy();
  policy.ownership.teams = [
    { name: 'payments', match: { meshes: ['prod-mesh'] }, slack: { channel: CHANNEL, approvers: { users: [CAROL.id, ALICE.id], usergroups: [PAYMENTS_APPROVERS] } } },
  ];
  edit(policy);
  return policy;
}
