/**
 * The live Istio provider: the reader (an InventorySource over the Kubernetes API), the writer
 * (a RemediationExecutor for the PeerAuthentication and DestinationRule fixes) and the
 * credentials for GKE (Cloud Functions) and kubeconfig files (CLI, any cluster).
 */
export { istioSource, type IstioSource, type IstioSourceOptions, type ReadStats } from './istio-source';
export { istioExecutor, CHANGE_ID_ANNOTATION, ISTIO_WRITER_ACTIONS, MESHGOV_FIELD_MANAGER, type IstioExecutorOptions } from './istio-executor';
export {
  kubeConfigForGke,
  kubeConfigFromFile,
  gkeSettingsFromEnv,
  googleAccessTokenSource,
  GKE_ENDPOINT_ENV,
  GKE_CA_CERT_ENV,
  LiveConfigError,
  type AccessTokenSource,
  type GkeSettings,
  type GkeKubeConfigOptions,
  type KubeconfigFileOptions,
} from './kube-config';
export { requireKubernetesClient, type KubeConnection, type KubernetesClientModule, type KubeConfig } from './kube-client';
export { KubeApiError } from './api-error';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
export type { RestClientOptions, SentRequest } from './rest-client';
export { ISTIO_READER_RULES, ISTIO_TLS_SECRET_READER_RULES, ISTIO_WRITER_RULES, type PolicyRule } from './rbac';
