/**
 * Automatic changes and Undo: under the shipped rules meshgov enforces client mTLS by itself
 * (payments-api's and payments-worker's backends), announces each change with an Undo button,
 * and Undo, approved under the same rules as any fix, restores the previous spec through the
 * App Mesh writer against the App Mesh emulator.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { aliceChange } from './support/fleet';
import { blockOf, findingIdOf, headerOf } from './support/lookups';
import { CAROL, CHANNEL, DAVE, MALLORY } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;

const ACK: APIGatewayProxyStructuredResultV2 = { statusCode: 200, body: '' };
const nodeSpec = (w: World, name: string) => (w.appmesh.state.describe('virtualNode', 'prod-mesh', name) as any).spec;
const nodeVersion = (w: World, name: string) => (w.appmesh.state.describe('virtualNode', 'prod-mesh', name) as any).metadata.version;

/** A world where meshgov has fixed payments-worker's client policy by itself and announced it. */
async function autoFixed() {
  world = await startTestWorld();
  const original = structuredClone(nodeSpec(world, 'payments-worker'));
  const run = await world.govern(aliceChange(world.now()), { autoFix: true });
  const findingId = await findingIdOf(world, 'mtls-client-not-enforced', 'payments-worker');
  const change = run.changes.find((c) => c.findingId === findingId)!;
  expect(change).toMatchObject({ outcome: 'verified', action: 'appmesh.client-policy.enforce' });
  const undoId = `undo-${change.id}`;
  const announcement = world.slack.messages(CHANNEL).find((m) => m.blocks?.some((b: any) => b.block_id === 'meshgov_undo' && b.elements[0].value === `undo:${undoId}`));
  expect(announcement).toBeDefined();
  return { original, change, undoId, announcement: announcement! };
}

describe('Undo', () => {
  test('an automatic change is announced with an Undo button behind a confirm dialog', async () => {
    const { change, announcement, original } = await autoFixed();
    expect(headerOf(announcement)).toBe(':wrench: Fixed automatically: enforce client mTLS on payments-worker (prod-mesh)');
    expect(blockOf(announcement, 'meshgov_undo').elements[0]).toMatchObject({ action_id: 'meshgov_undo', confirm: { title: { text: 'Undo this change?' } } });
    expect(blockOf(announcement, 'meshgov_finding').text.text).toContain('*Why automatic:* preconditions hold: every destination of this client accepts mTLS');
    expect(nodeSpec(world, 'payments-worker').backends[0].virtualService.clientPolicy.tls.enforce).toBe(true);
    expect(nodeSpec(world, 'payments-worker')).not.toEqual(original);
    expect(await world.ledger.getApproval(`undo-${change.id}`)).toMatchObject({ state: 'PENDING', undoOf: change.id, slack: { channel: CHANNEL, ts: announcement.ts } });
  });

  test('Undo restores the previous spec, once, and the message says so', async () => {
    const { original, change, undoId } = await autoFixed();
    const versionAfterFix = nodeVersion(world, 'payments-worker');
    const updatesBefore = world.appmesh.calls().UpdateVirtualNode;

    expect(await world.click({ verb: 'undo', approvalId: undoId, user: DAVE })).toEqual(ACK);
    const [outcome] = await world.drain();
    expect(outcome).toMatchObject({ status: 'finished', state: 'SUCCEEDED' });
    expect(nodeSpec(world, 'payments-worker')).toEqual(original);
    expect(nodeVersion(world, 'payments-worker')).toBe(versionAfterFix + 1);
    expect(world.appmesh.calls().UpdateVirtualNode).toBe(updatesBefore + 1);

    const undoChange = await world.ledger.getChange((outcome as any).change.id);
    expect(undoChange).toMatchObject({ approvalId: undoId, approvedBy: DAVE.id, action: 'appmesh.client-policy.enforce.undo', outcome: 'verified', trigger: { source: 'slack', summary: `Undo of change ${change.id} by Slack user ${DAVE.id}` } });
    const undoTs = (await world.ledger.getApproval(undoId))!.slack!.ts;
    const message = world.slack.messages(CHANNEL).find((m) => m.ts === undoTs)!;
    expect(headerOf(message)).toBe(`:leftwards_arrow_with_hook: Undone: undo change ${change.id} on payments-worker (prod-mesh)`);
    expect(message.blocks!.some((b) => b.type === 'actions')).toBe(false);

    // A second Undo click finds it done.
    expect(await world.click({ verb: 'undo', approvalId: undoId, user: CAROL })).toEqual(ACK);
    expect(world.slack.ephemerals().at(-1)?.text).toContain(`was already approved and applied by <@${DAVE.id}>`);
    expect(world.queue.size).toBe(0);
  });

  test('Undo follows the same authorisation rules: a non-approver is refused', async () => {
    const { undoId, original } = await autoFixed();
    expect(await world.click({ verb: 'undo', approvalId: undoId, user: MALLORY })).toEqual(ACK);
    expect(world.slack.ephemerals()).toEqual([expect.objectContaining({ user: MALLORY.id, text: expect.stringContaining('Only approvers of team *payments*') })]);
    expect(await world.drain()).toEqual([]);
    expect(nodeSpec(world, 'payments-worker')).not.toEqual(original);
  });

  test('Undo of a resource someone changed since meshgov wrote it is refused, and says so', async () => {
    const { undoId } = await autoFixed();
    world.appmesh.touch('prod-mesh', 'virtualNode', 'payments-worker');
    expect(await world.click({ verb: 'undo', approvalId: undoId, user: CAROL })).toEqual(ACK);
    const [outcome] = await world.drain();
    expect(outcome).toMatchObject({ status: 'finished', state: 'FAILED' });
    expect((outcome as any).detail).toMatch(/^not applied: /);
    const undoTs = (await world.ledger.getApproval(undoId))!.slack!.ts;
    const message = world.slack.messages(CHANNEL).find((m) => m.ts === undoTs)!;
    expect(headerOf(message)).toMatch(/^:x: Undo failed: /);
    expect(nodeSpec(world, 'payments-worker').backends[0].virtualService.clientPolicy.tls.enforce).toBe(true);
  });
});
