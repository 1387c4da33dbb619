/**
 * What Slack receives, checked against its documented limits: govern, approvals, outcomes and
 * Undo through the real notifier and @slack/web-api into the Slack emulator, with data that
 * grows when escaped and text long enough to overrun every block. Every revision of every
 * message (the post and each chat.update) must be one Slack accepts and draws as meant.
 */
import type { StoredMessage } from '../../emulators/slack';
import { approvalRecord, CAROL as CAROL_ID, paymentsApiFinding } from '../ledger/fixtures';
import { blockKitProblems } from './support/block-kit-limits';
import { aliceChange } from './support/fleet';
import { approvalOf, blockOf, messageOf } from './support/lookups';
import { CAROL, CHANNEL, paymentsPolicy } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;

/** 2,000 raw characters that escape to 5,000, with a broadcast and formatting markers in them. */
const HOSTILE = `<!channel> R&D _team_ *wild* ~x~ ${'R&D '.repeat(495)}`;

/** Every revision of every message in the channel, with where it came from. */
function revisions(w: World): Array<{ where: string; text: string; blocks?: unknown[] }> {
  return w.slack.messages(CHANNEL).flatMap((m: StoredMessage) => m.history.map((r, i) => ({ where: `${m.ts}#${i}`, text: r.text, blocks: r.blocks })));
}

function problemsIn(w: World): string[] {
  return revisions(w).flatMap((r) => blockKitProblems(r).map((p) => `${r.where} ${p}`));
}

const hostileTrigger = (w: World) => ({ ...aliceChange(w.now()), summary: `UpdateVirtualNode payments-api by ${HOSTILE}` });

describe('Slack message limits', () => {
  test('findings, approval requests and change announcements from a hostile event stay within every limit', async () => {
    world = await startTestWorld();
    const run = await world.govern(hostileTrigger(world), { autoFix: true });
    expect(run.notificationFailures).toBe(0);
    expect(revisions(world).length).toBeGreaterThanOrEqual(4);
    expect(problemsIn(world)).toEqual([]);
  });

  test('an approval, approved and redrawn with chat.update, stays within every limit', async () => {
    world = await startTestWorld({ policy: paymentsPolicy((p) => (p.rules['mtls-client-not-enforced'].remediation = 'approval')) });
    await world.govern(hostileTrigger(world));
    const fix = await approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');
    await world.click({ approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts });
    await world.drain();
    const message = messageOf(world, fix);
    expect(message.history.length).toBeGreaterThanOrEqual(2);
    expect(problemsIn(world)).toEqual([]);
  });

  test('an outcome carrying a very long provider error is cut within the section, on chat.update', async () => {
    world = await startTestWorld();
    const approval = approvalRecord({ finding: paymentsApiFinding() });
    const slack = await world.notifier.requestApproval(approval, { channel: CHANNEL } as never);
    await world.notifier.updateApproval({ ...approval, slack, state: 'FAILED', decidedBy: CAROL_ID, decidedAt: '2026-11-20T15:04:12.000Z', outcome: `not applied: ${HOSTILE.repeat(4)}` });
    const stored = world.slack.messages(CHANNEL).find((m) => m.ts === slack.ts)!;
    expect(stored.history).toHaveLength(2);
    expect(blockOf(stored, 'meshgov_outcome').text.text).toMatch(/^\*Approved by\* <@U05JX7RB2LM> at 2026-11-20 15:04:12 UTC\n\*Result:\* not applied: &lt;!channel&gt; R&amp;D `_team_` `\*wild\*` `~x~` R&amp;D/);
    expect(problemsIn(world)).toEqual([]);
  });

  test('the Undo dialog Slack shows names the resource, the change and the state Undo returns to', async () => {
    world = await startTestWorld();
    const run = await world.govern(aliceChange(world.now()), { autoFix: true });
    const change = run.changes.find((c) => c.action === 'appmesh.client-policy.enforce' && JSON.stringify(c.target).includes('payments-worker'))!;
    const announcement = world.slack.messages(CHANNEL).find((m) => m.blocks?.some((b: any) => b.block_id === 'meshgov_undo' && b.elements[0].value === `undo:undo-${change.id}`))!;
    const confirm = blockOf(announcement, 'meshgov_undo').elements[0].confirm;
    expect(confirm.text.type).toBe('plain_text');
    expect(confirm.text.text).toMatch(new RegExp(`^Restores VirtualNode payments-worker \\(prod-mesh\\) to how it was before change ${change.id} \\(enforce client mTLS on payments-worker \\(prod-mesh\\)\\)\\. After Undo: .*does not enforce mTLS`));
    expect(confirm.text.text.length).toBeLessThanOrEqual(300);
  });
});
