/**
 * One App Mesh emulator with the bench fleet, throttled like an account's API quota, and a
 * reader pointed at it through the real SDK client with the same client-side rate.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { appMeshSource, createAppMeshClient, MeshSnapshotCache, type AppMeshSource } from '../../functions/providers/appmesh/live';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../test/emulators/appmesh';
import { REGION, TEST_CREDENTIALS } from '../../test/emulators/appmesh/appMeshTestFixtures';
import type { FleetShape } from '../../test/integration/appmesh/support/mesh-fleet';

export interface ScanEnvironment {
  emulator: AppMeshEmulator;
  client: AppMeshClient;
  /** A reader with an empty snapshot cache (a cold Lambda container). */
  coldSource(): AppMeshSource;
  close(): Promise<void>;
}

export async function startScanEnvironment(fleet: FleetShape, quota: { rps: number; burst: number }): Promise<ScanEnvironment> {
  const emulator = await startAppMeshEmulator({ seed: fleet.seed, throttle: quota });
  const client = createAppMeshClient({ endpoint: emulator.url, region: REGION, credentials: TEST_CREDENTIALS, requestsPerSecond: quota.rps });
  return {
    emulator,
    client,
    coldSource: () => appMeshSource({ client, cache: new MeshSnapshotCache() }),
    close: async () => {
      client.destroy();
      await emulator.stop();
    },
  };
}

/** Calls the emulator answered with anything but 200 since `from` (throttled, failed). */
export function failedSince(emulator: AppMeshEmulator, from: number): number {
  return emulator.requests().slice(from).filter((r) => r.status !== 200).length;
}
