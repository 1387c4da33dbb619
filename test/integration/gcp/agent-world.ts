import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { agentEnvironment, kubeconfigFile, LINK_SECRET, removeKubeconfigFiles } from './agent-environment';
import { startFunctionsServer, type FunctionsServer } from './functions-server';
import { startHubStandIn, type HubStandIn } from './hub-stand-in';

/** One agent function on the real functions-framework server, with the cluster and the hub it talks to. */
export interface AgentWorld {
  emulator: KubernetesEmulator;
  hub: HubStandIn;
  server: FunctionsServer;
  /** The kubeconfig file pointing at the emulator. */
  kubeconfig: string;
}

/** Starts the Kubernetes emulator, the hub stand-in and `target` on free loopback ports. */
export async function startAgentWorld(target: string): Promise<AgentWorld> {
  const emulator = await startKubernetesEmulator();
  const hub = await startHubStandIn({ secret: LINK_SECRET });
  const kubeconfig = kubeconfigFile(emulator);
  const server = await startFunctionsServer({ target, env: agentEnvironment({ kubeconfig, hubUrl: hub.url }) });
  return { emulator, hub, server, kubeconfig };
}

/** Stops what `startAgentWorld` started, whatever part of it did start. */
export async function stopAgentWorld(world: Partial<AgentWorld>): Promise<void> {
  await world.server?.stop();
  await world.hub?.stop();
  await world.emulator?.stop();
  removeKubeconfigFiles();
}
