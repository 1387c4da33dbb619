/**
 * Dry-run (a fresh deployment's default) plans and notifies but changes nothing (CONTRACT.md
 * MESHGOV_DRY_RUN): so it asks nobody to approve a fix that could not run, on the first run nor a
 * TTL later. The finding's own message shows the planned fix and its verdict, and says dry-run is
 * on. Through the Slack emulator, dynalite and the App Mesh emulator.
 */
import { aliceChange, nightlyAudit } from './support/fleet';
import { findingIdOf } from './support/lookups';
import { CHANNEL, paymentsPolicy } from './support/storyline';
import { worldPerTest } from './support/world';

const startTestWorld = worldPerTest();
const everyFixApproved = () =>
  paymentsPolicy((p) => {
    for (const rule of ['mtls-not-strict', 'mtls-client-not-enforced', 'mtls-conflict'] as const) p.rules[rule].remediation = 'approval';
  });

test('in dry-run no approval request is posted, and the finding says its fix is only planned', async () => {
  const world = await startTestWorld({ policy: everyFixApproved(), workerDryRun: true });
  const withButtons = () => world.slack.messages(CHANNEL).filter((m) => m.blocks?.some((b: any) => b.block_id === 'meshgov_decision' || b.block_id === 'meshgov_undo'));
  const first = await world.govern(aliceChange(world.now()), { dryRun: true });
  expect(first.approvalsRequested).toEqual([]);
  expect(first.changes).toEqual([]);
  expect(withButtons()).toEqual([]);

  const findingId = await findingIdOf(world, 'mtls-client-not-enforced', 'payments-worker');
  expect(await world.ledger.findOpenApproval(findingId)).toBeUndefined();
  const record = (await world.ledger.getFinding(findingId))!;
  const message = world.slack.messages(CHANNEL).find((m) => m.ts === record.slack?.ts)!;
  const fix = (message.blocks!.find((b: any) => b.block_id === 'meshgov_fix') as any).text.text as string;
  expect(fix).toContain('*Fix:* enforce client mTLS on payments-worker (prod-mesh) — would wait for an approver; dry-run is on, so nobody is asked and nothing is changed');

  world.advance(25 * 3_600_000);
  const nextDay = await world.govern(nightlyAudit(world.now()), { dryRun: true });
  expect(nextDay.approvalsRequested).toEqual([]);
  expect(withButtons()).toEqual([]);
});
