/**
 * An automatic fix whose write landed but could not be checked is announced to the owning team,
 * like a verified one, saying what happened: nothing meshgov writes to a mesh goes unannounced.
 * Its record holds the spec it wrote and the version that write made, so it gets an Undo too,
 * which restores only while the node is still at that version.
 * The fault is the App Mesh emulator's own (503 ServiceUnavailable on the read-back, every retry
 * of it), armed by a middleware on the real SDK client once the write has been sent.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { appMeshExecutor } from '../../../functions/providers/appmesh/live';
import type { AppMeshEmulator } from '../../emulators/appmesh';
import { aliceChange } from './support/fleet';
import { blockOf, headerOf } from './support/lookups';
import { CHANNEL } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();

/** Fails every attempt of the first DescribeVirtualNode after the first UpdateVirtualNode: that write's read-back, and no other. */
function failFirstReadBack(client: AppMeshClient, emulator: () => AppMeshEmulator): void {
  let stage: 'before-write' | 'written' | 'done' = 'before-write';
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (stage === 'written' && context.commandName === 'DescribeVirtualNodeCommand') {
        stage = 'done';
        // The SDK's standard retry makes 3 attempts; each meets the emulator's 503.
        emulator().failNext('DescribeVirtualNode', 503, 3, 'Service is unavailable');
      }
      const output = await next(args);
      if (stage === 'before-write' && context.commandName === 'UpdateVirtualNodeCommand') stage = 'written';
      return output;
    },
    { step: 'initialize', name: 'failFirstReadBack' },
  );
}

describe('announcing automatic fixes that did not verify', () => {
  test('a fix whose read-back failed is announced with what happened, and with an Undo since its record holds what it wrote (a verified one: undo.test.ts)', async () => {
    let world: World | undefined;
    world = await startTestWorld({
      executors: ({ client, cache }) => {
        failFirstReadBack(client, () => world!.appmesh);
        return [appMeshExecutor({ client, cache, accountId: '111122223333' })];
      },
    });
    const run = await world.govern(aliceChange(world.now()), { autoFix: true });
    // payments-api's listener and client edits are one change, written once (changes.ts joinObjectFixes).
    const failed = run.changes.filter((c) => c.outcome === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].detail).toMatch(/^wrote VirtualNode prod-mesh\/[a-z-]+ \(version \d+\) but could not read it back: /);

    const announcements = world.slack.messages(CHANNEL).filter((m) => /^:(wrench|x|leftwards_arrow_with_hook): (Fixed automatically|Automatic fix)/.test(headerOf(m) ?? ''));
    expect(announcements).toHaveLength(run.changes.length);
    const failedMessage = announcements.find((m) => blockOf(m, 'meshgov_meta').elements[0].text.includes(failed[0].id))!;
    expect(headerOf(failedMessage)).toMatch(/^:x: Automatic fix failed: enforce client mTLS on [a-z-]+ \(prod-mesh\)$/);
    expect(failedMessage.text).toMatch(/^meshgov's automatic fix of mtls-client-not-enforced on [a-z-]+ \(prod-mesh\) failed: enforce client mTLS on /);
    expect(blockOf(failedMessage, 'meshgov_finding').text.text).toContain('*Result:* wrote VirtualNode prod-mesh/');
    expect(blockOf(failedMessage, 'meshgov_finding').text.text).toContain('but could not read it back');
    expect(blockOf(failedMessage, 'meshgov_undo').elements.map((e: { action_id: string }) => e.action_id)).toEqual(['meshgov_undo']);
    expect(failed[0]).toMatchObject({ wrote: true, after: expect.any(Object), target: { version: expect.any(Number) } });
    expect(await world.ledger.getApproval(`undo-${failed[0].id}`)).toMatchObject({ state: 'PENDING', undoOf: failed[0].id });

  });
});
