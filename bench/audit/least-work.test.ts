import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildModel } from '../../functions/core/audit';
import { collectFiles } from '../../functions/providers/files/collect';
import { MODEL_BUILDERS } from '../../functions/providers/model-builders';
import { generateFleet } from '../fleet';
import { leastWork, readLeastWorkInput } from './least-work';

const NOW = new Date('2026-11-26T00:00:00Z');

// The audit bench reports the yardstick beside the engine; it means something only while it
// reaches the servers and clients the engine's model has.
describe('least-work yardstick', () => {
  it.each([
    [200, 1],
    [600, 7],
  ])('reaches the engine model’s servers and clients on a %i-workload fleet (seed %i)', async (workloads, seed) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-least-'));
    try {
      generateFleet(dir, workloads, seed);
      const least = leastWork(readLeastWorkInput(dir));
      const model = buildModel(await collectFiles([dir]), { builders: MODEL_BUILDERS, now: NOW });
      const modes = (servers: Array<{ id: string; mode: string; inMesh: boolean }>) =>
        Object.fromEntries(servers.map((s) => [s.id, `${s.mode}${s.inMesh ? '' : ' (no sidecar)'}`]));
      // Every server, with the mode the engine computed: the yardstick does the same work there.
      expect(modes(least.servers)).toEqual(modes(model.servers));
      expect(least.clients).toHaveLength(model.clients.length);
      const flagged = model.servers.filter((s) => !s.inMesh || s.mode !== 'STRICT').length;
      expect(flagged).toBeGreaterThan(0);
      expect(least.findings).toBeGreaterThanOrEqual(flagged);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
