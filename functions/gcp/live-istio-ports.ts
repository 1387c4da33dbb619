import { GKE_ENDPOINT_ENV, gkeSettingsFromEnv, istioExecutor, istioSource, kubeConfigForGke, kubeConfigFromFile, type KubeConfig } from '../providers/istio/live';
import type { IstioPorts } from './agent-deps';
import type { AgentConfig } from './config';

/** MESHGOV_KUBE_CONTEXT: the kubeconfig context to use when the agent runs off GKE (locally, in an end-to-end test). */
export const KUBE_CONTEXT_ENV = 'MESHGOV_KUBE_CONTEXT';

/**
 * The live Istio reader and writer over the Kubernetes API. On GKE (MESHGOV_GKE_ENDPOINT and
 * MESHGOV_GKE_CA_CERT set by the deploy script) they authenticate with the function's own
 * service-account token; anywhere else with a kubeconfig (KUBECONFIG, MESHGOV_KUBE_CONTEXT),
 * which is how `npx functions-framework --source dist/gcp` runs against a local cluster.
 */
export function liveIstioPorts(config: AgentConfig, env: NodeJS.ProcessEnv): IstioPorts {
  const kubeConfig: KubeConfig = env[GKE_ENDPOINT_ENV] ? kubeConfigForGke(gkeSettingsFromEnv(env)) : kubeConfigFromFile(env[KUBE_CONTEXT_ENV] || undefined, { env });
  return {
    // deploy-agent.sh --istio-namespace sets MESHGOV_ISTIO_ROOT_NAMESPACE and grants the CA Secrets
    // (cacerts, istio-ca-secret) there only: it is the control-plane namespace too, not istio-system.
    source: istioSource({ kubeConfig, rootNamespace: config.rootNamespace, controlPlaneNamespace: config.rootNamespace }),
    executors: [istioExecutor({ kubeConfig })],
  };
}
