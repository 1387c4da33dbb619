import { MemoryLedger } from '../ledger/memory-ledger';
import type { Route } from '../pipeline/ports';
import type { Policy } from '../policy/types';
import { APPROVAL_ID, approvalRecord, CAROL, DAVE, NOW } from '../../../test/integration/ledger/fixtures';
import { shippedPolicy } from '../../../test/support/model';
import type { ApproverDirectory } from './approver-directory';
import { actorEmail } from './actor-email';
import { decide, HAND_OFF_GRACE_MS, type DecideDeps } from './decide';

/** alice@example.com in Slack: she made the change that caused the payments-api finding. */
const ALICE = 'U05ALICE0RS';
const MALLORY = 'U05MALL0RY1';
const PAYMENTS_APPROVERS_GROUP = 'S07PAYAPPRV';

/** A directory over fixed data, the way the Slack one answers from usergroups.users.list and users.lookupByEmail. */
class FixedDirectory implements ApproverDirectory {
  failing?: Error;
  constructor(
    private readonly groups: Record<string, string[]>,
    private readonly byEmail: Record<string, string>,
  ) {}
  async isApprover(user: string, route: Route) {
    if (this.failing) throw this.failing;
    return route.approvers.users.includes(user) || route.approvers.usergroups.some((g) => (this.groups[g] ?? []).includes(user));
  }
  async slackUserForActor(actor: string) {
    if (this.failing) throw this.failing;
    const email = actorEmail(actor);
    return email ? this.byEmail[email] : undefined;
  }
}

function paymentsPolicy(approvers: { users?: string[]; usergroups?: string[] } = { users: [CAROL, ALICE], usergroups: [PAYMENTS_APPROVERS_GROUP] }): Policy {
  const policy = shippedPolicy();
  policy.ownership.teams = [{ name: 'payments', match: { meshes: ['prod-mesh'] }, slack: { channel: 'C07PLATSEC9', approvers } }];
  return policy;
}

function setup(over: Partial<DecideDeps> = {}, clockAt = NOW) {
  const ledger = new MemoryLedger(() => clockAt);
  const directory = new FixedDirectory({ [PAYMENTS_APPROVERS_GROUP]: [DAVE] }, { 'alice@example.com': ALICE, 'carol@example.com': CAROL });
  const deps: DecideDeps = { ledger, directory, policy: paymentsPolicy(), clock: () => clockAt, ...over };
  return { ledger, directory, deps };
}

describe('decide', () => {
  test('refuses an approve or undo by anyone a later event named as a cause too (alsoCausedBy); they may reject', async () => {
    const { ledger, deps } = setup();
    const alice = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com';
    await ledger.createApproval(approvalRecord({ causedBy: 'arn:aws:iam::111122223333:user/ci-deployer', alsoCausedBy: [alice] }));
    const decision = await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: ALICE }, deps);
    expect(decision).toEqual({ kind: 'refused', refusal: expect.objectContaining({ reason: 'self-approval', causedBy: alice }) });
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'reject', slackUserId: ALICE }, deps)).toMatchObject({ kind: 'decided', approval: { state: 'REJECTED' } });
  });

  test('an approver listed by user id approves: PENDING → APPROVED, with who and when', async () => {
    const { ledger, deps } = setup();
    await ledger.createApproval(approvalRecord());
    const decision = await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: CAROL }, deps);
    expect(decision).toMatchObject({ kind: 'decided', verb: 'approve', approval: { state: 'APPROVED', decidedBy: CAROL, decidedAt: NOW.toISOString() } });
    expect((await ledger.getApproval(APPROVAL_ID))?.state).toBe('APPROVED');
  });

  test('a member of an approvers user group rejects: PENDING → REJECTED', async () => {
    const { ledger, deps } = setup();
    await ledger.createApproval(approvalRecord());
    const decision = await decide({ approvalId: APPROVAL_ID, verb: 'reject', slackUserId: DAVE }, deps);
    expect(decision).toMatchObject({ kind: 'decided', approval: { state: 'REJECTED', decidedBy: DAVE } });
  });

  test('someone who is not an approver is refused and nothing changes', async () => {
    const { ledger, deps } = setup();
    await ledger.createApproval(approvalRecord());
    const decision = await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: MALLORY }, deps);
    expect(decision).toEqual({ kind: 'refused', refusal: expect.objectContaining({ reason: 'not-approver', team: 'payments', state: 'PENDING' }) });
    expect((await ledger.getApproval(APPROVAL_ID))?.state).toBe('PENDING');
  });

  test('a team with no approvers configured refuses everyone (fail closed)', async () => {
    const { ledger, deps } = setup({ policy: paymentsPolicy({}) });
    await ledger.createApproval(approvalRecord());
    for (const user of [CAROL, DAVE, MALLORY]) {
      const decision = await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: user }, deps);
      expect(decision).toMatchObject({ kind: 'refused', refusal: { reason: 'no-approvers' } });
    }
    expect((await ledger.getApproval(APPROVAL_ID))?.state).toBe('PENDING');
  });

  test('a finding no team owns falls to the default route, which lists no approvers by default', async () => {
    const { ledger, deps } = setup({ policy: shippedPolicy() });
    await ledger.createApproval(approvalRecord({ team: undefined }));
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: CAROL }, deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'no-approvers' } });
  });

  test('the person whose change caused the finding may not approve its fix, but may reject it', async () => {
    const { ledger, deps } = setup();
    await ledger.createApproval(approvalRecord());
    const approve = await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: ALICE }, deps);
    expect(approve).toMatchObject({ kind: 'refused', refusal: { reason: 'self-approval', causedBy: expect.stringContaining('alice@example.com') } });
    expect((await ledger.getApproval(APPROVAL_ID))?.state).toBe('PENDING');
    const reject = await decide({ approvalId: APPROVAL_ID, verb: 'reject', slackUserId: ALICE }, deps);
    expect(reject).toMatchObject({ kind: 'decided', approval: { state: 'REJECTED', decidedBy: ALICE } });
  });

  test('a GKE principalEmail is matched to its Slack user as well', async () => {
    const { ledger, deps } = setup();
    await ledger.createApproval(approvalRecord({ causedBy: 'carol@example.com' }));
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: CAROL }, deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'self-approval' } });
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: ALICE }, deps)).toMatchObject({ kind: 'decided' });
  });

  test('an approval past approvalExpiresAt becomes EXPIRED and cannot be approved', async () => {
    const late = new Date('2026-11-21T15:01:30.000Z');
    const { ledger, deps } = setup({}, late);
    await ledger.createApproval(approvalRecord());
    const decision = await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: CAROL }, deps);
    expect(decision).toMatchObject({ kind: 'refused', refusal: { reason: 'expired', state: 'EXPIRED' }, changed: { state: 'EXPIRED' } });
    expect(await ledger.getApproval(APPROVAL_ID)).toMatchObject({ state: 'EXPIRED', outcome: expect.stringContaining('nothing was changed') });
    // Clicking again is refused as expired, and changes nothing more.
    const again = await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: CAROL }, deps);
    expect(again).toEqual({ kind: 'refused', refusal: expect.objectContaining({ reason: 'expired', state: 'EXPIRED', approvalExpiresAt: '2026-11-21T15:01:30.000Z' }) });
    expect(await ledger.getApproval(APPROVAL_ID)).toMatchObject({ state: 'EXPIRED', version: 2 });
  });

  test('a click that loses to the expiry sweep while its approver is checked is told the request expired', async () => {
    const { ledger, directory, deps } = setup();
    await ledger.createApproval(approvalRecord());
    const check = directory.isApprover.bind(directory);
    directory.isApprover = async (user, route) => {
      // The sweep of a run at the deadline gets there while Slack answers.
      await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'EXPIRED', { outcome: 'expired' });
      return check(user, route);
    };
    const decision = await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: CAROL }, deps);
    expect(decision).toEqual({ kind: 'refused', refusal: expect.objectContaining({ reason: 'expired', state: 'EXPIRED' }) });
  });

  test('two racing clicks act once; the other is told who decided first', async () => {
    const { ledger, deps } = setup();
    await ledger.createApproval(approvalRecord());
    const [a, b] = await Promise.all([
      decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: CAROL }, deps),
      decide({ approvalId: APPROVAL_ID, verb: 'reject', slackUserId: DAVE }, deps),
    ]);
    const decided = [a, b].filter((d) => d.kind === 'decided');
    const refused = [a, b].filter((d) => d.kind === 'refused');
    expect(decided).toHaveLength(1);
    expect(refused).toEqual([{ kind: 'refused', refusal: expect.objectContaining({ reason: 'already-decided', decidedBy: (decided[0] as any).approval.decidedBy }) }]);
    expect((await ledger.getApproval(APPROVAL_ID))?.version).toBe(2);
  });

  test('an APPROVED approval whose hand-off may have failed is decided again for the decider at once, for other approvers after the grace', async () => {
    const approved = approvalRecord({ state: 'APPROVED', decidedBy: CAROL, decidedAt: NOW.toISOString() });
    const soon = setup();
    await soon.ledger.createApproval(approved);
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: CAROL }, soon.deps)).toMatchObject({ kind: 'decided', again: true, approval: { state: 'APPROVED', decidedBy: CAROL, version: 1 } });
    // A click racing the decision is told who decided rather than sending it twice.
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: DAVE }, soon.deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'already-decided', decidedBy: CAROL } });

    const later = setup({}, new Date(NOW.getTime() + HAND_OFF_GRACE_MS));
    await later.ledger.createApproval(approved);
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: DAVE }, later.deps)).toMatchObject({ kind: 'decided', again: true });
    // The same checks as a first decision; and Reject cannot undo an approval.
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: MALLORY }, later.deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'not-approver' } });
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: ALICE }, later.deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'self-approval' } });
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'reject', slackUserId: DAVE }, later.deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'already-decided', state: 'APPROVED' } });
    expect(await later.ledger.getApproval(APPROVAL_ID)).toMatchObject({ state: 'APPROVED', decidedBy: CAROL, version: 1 });
  });

  test('an Undo button works only on an Undo approval, and Approve only on a request', async () => {
    const { ledger, deps } = setup();
    await ledger.createApproval(approvalRecord());
    await ledger.createApproval(approvalRecord({ id: 'undo-chg-01JDQ5K3T8M2', undoOf: 'chg-01JDQ5K3T8M2', causedBy: undefined }));
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'undo', slackUserId: CAROL }, deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'wrong-button' } });
    expect(await decide({ approvalId: 'undo-chg-01JDQ5K3T8M2', verb: 'approve', slackUserId: CAROL }, deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'wrong-button' } });
    expect(await decide({ approvalId: 'undo-chg-01JDQ5K3T8M2', verb: 'undo', slackUserId: DAVE }, deps)).toMatchObject({ kind: 'decided', verb: 'undo', approval: { state: 'APPROVED' } });
  });

  test('a rollback proposed after an SLO burn is a request: Approve and Reject work, Undo does not', async () => {
    const { ledger, deps } = setup();
    const rollback = (id: string) => approvalRecord({ id, undoOf: 'chg-01JDR2W9Q4VX', causedBy: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/erin@example.com' });
    await ledger.createApproval(rollback('rmd-5be0c2d1a9f3'));
    await ledger.createApproval(rollback('rmd-77aa01c3e4d2'));
    expect(await decide({ approvalId: 'rmd-5be0c2d1a9f3', verb: 'undo', slackUserId: CAROL }, deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'wrong-button' } });
    expect(await decide({ approvalId: 'rmd-5be0c2d1a9f3', verb: 'approve', slackUserId: CAROL }, deps)).toMatchObject({ kind: 'decided', verb: 'approve', approval: { state: 'APPROVED', undoOf: 'chg-01JDR2W9Q4VX' } });
    expect(await decide({ approvalId: 'rmd-77aa01c3e4d2', verb: 'reject', slackUserId: DAVE }, deps)).toMatchObject({ kind: 'decided', verb: 'reject', approval: { state: 'REJECTED' } });
  });

  test('an Undo follows the same rules: only approvers', async () => {
    const { ledger, deps } = setup();
    await ledger.createApproval(approvalRecord({ id: 'undo-chg-01JDQ5K3T8M2', undoOf: 'chg-01JDQ5K3T8M2', causedBy: undefined }));
    expect(await decide({ approvalId: 'undo-chg-01JDQ5K3T8M2', verb: 'undo', slackUserId: MALLORY }, deps)).toMatchObject({ kind: 'refused', refusal: { reason: 'not-approver' } });
  });

  test('an unknown approval id is refused', async () => {
    const { deps } = setup();
    expect(await decide({ approvalId: 'rmd-000000000000', verb: 'approve', slackUserId: CAROL }, deps)).toEqual({
      kind: 'refused',
      refusal: { reason: 'unknown-approval', approvalId: 'rmd-000000000000', verb: 'approve' },
    });
  });

  test('when Slack cannot say who the approvers are, the click is refused rather than guessed', async () => {
    const { ledger, directory, deps } = setup();
    await ledger.createApproval(approvalRecord());
    directory.failing = new Error('An HTTP protocol error occurred: statusCode = 503');
    expect(await decide({ approvalId: APPROVAL_ID, verb: 'approve', slackUserId: CAROL }, deps)).toMatchObject({
      kind: 'refused',
      refusal: { reason: 'directory-unavailable', error: expect.stringContaining('503') },
    });
    expect((await ledger.getApproval(APPROVAL_ID))?.state).toBe('PENDING');
  });
});
