/**
 * How the live Istio provider gets `@kubernetes/client-node` 1.x, which is ESM-only.
 *
 * Production code is compiled to CommonJS; Node 20.19+ loads an ES module through `require`
 * (require(esm)), so the module is required lazily, on first use, and never at module top
 * level. Jest's module loader refuses ESM, so tests load the real package through
 * test/emulators/kubernetes/load-client.ts and pass it in: every entry point of this folder
 * takes the module as an option.
 */
import type * as KubernetesClient from '@kubernetes/client-node';

export type KubernetesClientModule = typeof KubernetesClient;
export type KubeConfig = KubernetesClient.KubeConfig;

let loaded: KubernetesClientModule | undefined;

/** The package, required on first use (Node's require(esm)). */
export function requireKubernetesClient(): KubernetesClientModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: see the file comment.
  loaded ??= require('@kubernetes/client-node') as KubernetesClientModule;
  return loaded;
}

/** The API server and credentials a reader or writer talks to, and the client package that carries them. */
export interface KubeConnection {
  kubeConfig: KubeConfig;
  /** The loaded package; required lazily when omitted. Tests pass the one from loadKubernetesClient(). */
  client?: KubernetesClientModule;
}
