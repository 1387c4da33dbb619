/**
 * An automatic fix that keeps failing is attempted again by every run while its finding is open;
 * the owning team hears about the failure once, not once per run.
 */
import { aliceChange, nightlyAudit } from './support/fleet';
import { headerOf } from './support/lookups';
import { CHANNEL } from './support/storyline';
import { worldPerTest } from './support/world';

const startTestWorld = worldPerTest();

describe('an automatic fix that fails on every run', () => {
  test('is announced once, however many runs attempt it', async () => {
    const world = await startTestWorld();
    // App Mesh refuses every write, as for a fix it will never take.
    world.appmesh.failNext('UpdateVirtualNode', 'BadRequestException', 1_000, 'Listener TLS configuration is invalid');
    const failedAnnouncements = () => world.slack.messages(CHANNEL).filter((m) => (headerOf(m) ?? '').startsWith(':x: Automatic fix failed'));

    const first = await world.govern(aliceChange(world.now()), { autoFix: true });
    const failed = first.changes.filter((c) => c.outcome === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failedAnnouncements()).toHaveLength(failed.length);

    for (let run = 0; run < 3; run++) {
      world.advance(3_600_000);
      const again = await world.govern(nightlyAudit(world.now()), { autoFix: true });
      expect(again.changes.filter((c) => c.outcome === 'failed')).toHaveLength(failed.length);
    }
    expect(failedAnnouncements()).toHaveLength(failed.length);
  });
});
