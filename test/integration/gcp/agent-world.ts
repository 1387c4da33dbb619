import { startKubernetesEmulator, type KubernetesEmulator, type KubernetesObject } from '../../emulators/kubernetes';
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

export interface AgentWorldHooks {
  /** The cluster each test starts from (the emulator is reset to it); left as it is when absent. */
  seed?: () => KubernetesObject[];
}

/**
 * Registers the hooks a test file of one agent function needs: its world started before the
 * file's tests and stopped after them, and before each test the cluster reset (to `seed`), the
 * call counts, the hub's reports and the server's logs cleared. Call at the top level of the
 * file; the world's fields are there once its tests run.
 */
export function agentWorldPerFile(target: string, hooks: AgentWorldHooks = {}): AgentWorld {
  const world = {} as AgentWorld;
  beforeAll(async () => {
    Object.assign(world, await startAgentWorld(target));
  });
  afterAll(() => stopAgentWorld(world));
  beforeEach(() => {
    if (hooks.seed) {
      world.emulator.reset(); // also disarms injected failures
      world.emulator.seed(hooks.seed());
    }
    world.emulator.resetCalls();
    world.hub.reset();
    world.server.clearLogs();
  });
  return world;
}
