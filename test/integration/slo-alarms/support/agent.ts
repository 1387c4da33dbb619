import type { AgentDeps } from '../../../../functions/gcp/agent-deps';
import { MemoryNonceStore } from '../../../../functions/core/link';

/** The link key the test hub and agents share. */
export const LINK_SECRET = 'meshgov-test-link-secret-0123456789abcdef';

/**
 * The GCP agent's dependencies in process, dry-run, for the project meshgov-demo's prod-gke
 * cluster: one hub attempt (no waiting), the clock fixed at `now`, and the given source,
 * builders, policy and fetch (the hub and Prometheus as the test wires them).
 */
export function agentDeps(now: Date, parts: Pick<AgentDeps, 'source' | 'builders' | 'policy' | 'fetch'>): AgentDeps {
  return {
    config: {
      hubUrl: new URL('https://hub.example.com/agent/findings'),
      linkSecrets: [LINK_SECRET],
      identity: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' },
      ownPrincipals: [],
      rootNamespace: 'istio-system',
      dryRun: 'true',
      hubRetry: { attempts: 1, backoffMs: 1, timeoutMs: 5_000 },
    },
    executors: [],
    dryRun: true,
    nonceStore: new MemoryNonceStore({ clock: () => now }),
    clock: () => now,
    sleep: async () => undefined,
    ...parts,
  };
}
