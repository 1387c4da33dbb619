/**
 * An automatic change whose announcement Slack did not take (chat.postMessage answering 503 until
 * the client's retries ran out) stays owed: the run counts the failure, and a later run posts it
 * with its Undo button, once; the Undo then works. Through the Slack emulator, dynalite (the
 * DynamoDB ledger) and the App Mesh emulator.
 */
import { aliceChange, nightlyAudit } from './support/fleet';
import { findingIdOf } from './support/lookups';
import { CAROL, CHANNEL } from './support/storyline';
import { worldPerTest } from './support/world';

const startTestWorld = worldPerTest();

test('a change announcement Slack did not take is posted, with its Undo, by a later run', async () => {
  const world = await startTestWorld();
  const undoButtons = () =>
    world.slack
      .messages(CHANNEL)
      .flatMap((m) => (m.blocks ?? []).filter((b: any) => b.block_id === 'meshgov_undo'))
      .map((b: any) => b.elements[0].value as string);
  world.slack.failNext('chat.postMessage', 503, 3);
  const run = await world.govern(aliceChange(world.now()), { autoFix: true });
  const findingId = await findingIdOf(world, 'mtls-client-not-enforced', 'payments-worker');
  const change = run.changes.find((c) => c.findingId === findingId)!;
  expect(change.outcome).toBe('verified');
  expect(run.notificationFailures).toBeGreaterThanOrEqual(1);
  const undoId = `undo-${change.id}`;
  expect(undoButtons()).not.toContain(`undo:${undoId}`);
  expect((await world.ledger.getChange(change.id))!.announcementPending).toBe(true);

  for (let i = 0; i < 2; i++) {
    world.advance(3_600_000);
    const later = await world.govern(nightlyAudit(world.now()), { autoFix: true });
    expect(later.notificationFailures).toBe(0);
  }
  expect(undoButtons().filter((v) => v === `undo:${undoId}`)).toHaveLength(1);
  expect((await world.ledger.getChange(change.id))!.announcementPending).toBeUndefined();
  const undo = (await world.ledger.getApproval(undoId))!;
  expect(undo).toMatchObject({ state: 'PENDING', slack: { channel: CHANNEL } });

  await world.click({ verb: 'undo', approvalId: undoId, user: CAROL, messageTs: undo.slack!.ts });
  expect((await world.drain()).map((o: any) => o.state)).toEqual(['SUCCEEDED']);
});
