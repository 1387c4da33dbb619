/**
 * The person whose change caused a finding may not approve, nor undo, its fix (decide.ts), and
 * that must not depend on which event reached the hub first: AWS Config and scheduled audits
 * name nobody, CloudTrail names alice. Through the real interactivity handler, the worker, the
 * Slack emulator, dynalite and the App Mesh emulator.
 */
import type { Trigger } from '../../../functions/core/pipeline/trigger';
import { aliceChange } from './support/fleet';
import { approvalOf, findingIdOf } from './support/lookups';
import { ALICE, CHANNEL, paymentsPolicy } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();

const SELF = /You made the change that caused this finding \(alice@example\.com\)/;
const ephemerals = (world: World) => world.slack.ephemerals(CHANNEL).map((e) => e.text ?? '');
const everyFixApproved = () =>
  paymentsPolicy((p) => {
    for (const rule of ['mtls-not-strict', 'mtls-client-not-enforced', 'mtls-conflict'] as const) p.rules[rule].remediation = 'approval';
  });

test("alice may not Undo meshgov's automatic fix of her own change", async () => {
  const world = await startTestWorld();
  const enforce = () => (world.appmesh.state.describe('virtualNode', 'prod-mesh', 'payments-worker') as any).spec.backends[0].virtualService.clientPolicy.tls.enforce;
  const run = await world.govern(aliceChange(world.now()), { autoFix: true });
  const findingId = await findingIdOf(world, 'mtls-client-not-enforced', 'payments-worker');
  const change = run.changes.find((c) => c.findingId === findingId)!;
  const undo = (await world.ledger.getApproval(`undo-${change.id}`))!;

  await world.click({ verb: 'undo', approvalId: undo.id, user: ALICE, messageTs: undo.slack!.ts });
  expect(await world.drain()).toEqual([]);
  expect(enforce()).toBe(true);
  expect((await world.ledger.getApproval(undo.id))!.state).toBe('PENDING');
  expect(ephemerals(world).some((t) => SELF.test(t))).toBe(true);
  expect(undo.causedBy).toBe(aliceChange(world.now()).actor);
});

for (const order of ['cloudtrail first', 'aws config first'] as const) {
  test(`alice may not approve the fix of her own change when ${order} created the approval`, async () => {
    const world: World = await startTestWorld({ policy: everyFixApproved() });
    const config: Trigger = { source: 'aws-config', eventId: 'cfg-1', eventTime: world.now().toISOString(), summary: 'AWS::AppMesh::VirtualNode payments-api changed' };
    if (order === 'aws config first') await world.govern(config);
    world.advance(60_000);
    await world.govern(aliceChange(world.now()));
    if (order === 'cloudtrail first') await world.govern(config);
    const fix = await approvalOf(world, 'mtls-not-strict', 'payments-api');

    await world.click({ approvalId: fix.id, user: ALICE, messageTs: fix.slack!.ts });
    expect((await world.ledger.getApproval(fix.id))!.state).toBe('PENDING');
    expect(ephemerals(world).some((t) => SELF.test(t))).toBe(true);
  });
}
