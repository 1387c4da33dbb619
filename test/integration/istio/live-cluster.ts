/**
 * One emulated cluster per test: the Kubernetes emulator seeded with the fixture, the real
 * @kubernetes/client-node (loaded the Jest-safe way) and a KubeConfig pointing at it.
 */
import { loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesClientModule, type KubernetesEmulator, type KubernetesObject } from '../../emulators/kubernetes';
import type { KubeConfig } from '../../../functions/providers/istio/live';
import { wholeCluster } from './cluster-fixture';

export interface LiveCluster {
  emulator: KubernetesEmulator;
  k8s: KubernetesClientModule;
  kubeConfig: KubeConfig;
  /** Waits the retry layer asked for, in order (no real sleeping). */
  sleeps: number[];
  sleep: (ms: number) => Promise<void>;
}

export async function startLiveCluster(objects: KubernetesObject[] = wholeCluster()): Promise<LiveCluster> {
  const k8s = await loadKubernetesClient();
  const emulator = await startKubernetesEmulator();
  emulator.seed(objects);
  const kubeConfig = await loadKubeConfigFor(emulator);
  const sleeps: number[] = [];
  return { emulator, k8s, kubeConfig, sleeps, sleep: async (ms) => void sleeps.push(ms) };
}

/** The paths of an inventory's objects, sorted. */
export function pathsOf(inventory: { kubernetes: { source: { file: string } }[] }): string[] {
  return inventory.kubernetes.map((o) => o.source.file).sort();
}
