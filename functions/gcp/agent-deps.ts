import { MemoryNonceStore, type NonceStore } from '../core/link';
import type { ModelBuilder } from '../core/model/provider';
import { resolveDryRun } from '../core/pipeline/govern';
import type { InventorySource, RemediationExecutor } from '../core/pipeline/ports';
import { loadPolicy } from '../core/policy/load';
import type { Policy } from '../core/policy/types';
import { buildIstioModel } from '../providers/istio';
import { buildCertificateModel } from '../providers/x509';
import { readAgentConfig, type AgentConfig, type EnvProblem } from './config';

/**
 * Everything the agent's functions need, built once per instance on first use: the
 * configuration, the rules, and the Istio reader and writer (index.ts passes the live ones,
 * which reach GKE with the function's token, or any cluster, the tests' emulator included,
 * through a kubeconfig). Building lazily keeps a bad setting from crashing the instance at
 * load: each invocation logs the problem instead, naming the variable.
 */
export interface AgentDeps {
  config: AgentConfig;
  source: InventorySource;
  executors: RemediationExecutor[];
  builders: ModelBuilder[];
  policy: Policy;
  /** MESHGOV_DRY_RUN, else the rules' `remediation.dryRun` (true by default): the agent then changes nothing. */
  dryRun: boolean;
  nonceStore: NonceStore;
  clock: () => Date;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
}

export type AgentDepsFactory = () => Promise<AgentDeps>;

/** The collect and act ports for Istio, made from the configuration. */
export interface IstioPorts {
  source: InventorySource;
  executors: RemediationExecutor[];
}

/** The environment does not configure the agent; every problem names its variable. */
export class AgentConfigError extends Error {
  constructor(readonly problems: EnvProblem[]) {
    super(`meshgov agent is not configured: ${problems.map((p) => p.message).join('; ')}`);
    this.name = 'AgentConfigError';
  }
}

/** The model builders a GKE agent runs: Istio's policies and the mesh's certificates. */
export const AGENT_BUILDERS: ModelBuilder[] = [buildIstioModel, buildCertificateModel];

/**
 * A factory that reads the environment, loads the rules and makes the Istio ports on the
 * first call, and returns the same deps afterwards. A failed build is not remembered, so a
 * transient failure (Secret Manager not yet mounted, API discovery down) heals on redelivery.
 */
export function agentDepsFromEnv(env: NodeJS.ProcessEnv, makeIstioPorts: (config: AgentConfig, env: NodeJS.ProcessEnv) => IstioPorts | Promise<IstioPorts>): AgentDepsFactory {
  let built: Promise<AgentDeps> | undefined;
  return () => {
    built ??= (async () => {
      const read = readAgentConfig(env);
      if (!read.ok) throw new AgentConfigError(read.problems);
      const policy = loadPolicy();
      const ports = await makeIstioPorts(read.config, env);
      return {
        config: read.config,
        source: ports.source,
        executors: ports.executors,
        builders: AGENT_BUILDERS,
        policy,
        dryRun: resolveDryRun(read.config.dryRun, policy),
        nonceStore: new MemoryNonceStore(),
        clock: () => new Date(),
        fetch: globalThis.fetch,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      };
    })();
    built.catch(() => (built = undefined));
    return built;
  };
}
