/**
 * Kubernetes API server emulator for tests (see kubernetes-emulator.ts).
 */
export { startKubernetesEmulator, type KubernetesEmulator, type KubernetesEmulatorOptions } from './kubernetes-emulator';
export { EMULATOR_TOKEN, kubeconfigFor, loadKubeConfigFor, type KubeconfigOptions } from './kubeconfig';
export { loadKubernetesClient, type KubernetesClientModule } from './load-client';
export { decodeContinue, encodeContinue } from './continue-token';
export { ownersByField } from './managed-fields';
export type { FaultOptions, RequestMatcher } from './faults';
export type { KubernetesObject, ManagedFieldsEntry, RecordedCall } from './types';
