/**
 * The environment a deployed agent gets from deploy-agent.sh, pointed at local stand-ins: the
 * Kubernetes emulator through a kubeconfig file (there is no GKE endpoint off GCP) and the hub
 * stand-in on loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KubernetesEmulator } from '../../emulators/kubernetes';

/** Test-only link secret (at least 32 characters, as the agent requires). */
export const LINK_SECRET = 'meshgov-test-link-secret-0123456789abcdef';
/** The agent's own service account: changes it makes must not start an audit. */
export const AGENT_SA = 'meshgov-agent@meshgov-demo.iam.gserviceaccount.com';

const written: string[] = [];

/** The emulator's kubeconfig in a temporary file (KUBECONFIG for the functions' process). */
export function kubeconfigFile(emulator: KubernetesEmulator): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-gcp-'));
  written.push(dir);
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(file, emulator.kubeconfig());
  return file;
}

/** Removes the files kubeconfigFile wrote. */
export function removeKubeconfigFiles(): void {
  for (const dir of written.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function agentEnvironment(options: { kubeconfig: string; hubUrl: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    MESHGOV_HUB_URL: options.hubUrl,
    MESHGOV_LINK_SECRET: LINK_SECRET,
    MESHGOV_GCP_PROJECT: 'meshgov-demo',
    MESHGOV_GKE_CLUSTER: 'prod-gke',
    MESHGOV_GKE_LOCATION: 'us-central1',
    MESHGOV_AGENT_SA: AGENT_SA,
    KUBECONFIG: options.kubeconfig,
    // Short backoff so a failing hub fails the test's delivery in well under a second.
    MESHGOV_HUB_ATTEMPTS: '2',
    MESHGOV_HUB_BACKOFF_MS: '50',
    MESHGOV_HUB_TIMEOUT_MS: '5000',
    ...options.extra,
  };
}
