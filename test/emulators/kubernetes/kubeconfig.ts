/**
 * Kubeconfig for a client pointed at the emulator: one cluster whose server is the emulator's
 * URL, one user authenticating with a bearer token, one context selecting both.
 *
 * @kubernetes/client-node refuses an `http:` server unless the cluster sets
 * `insecure-skip-tls-verify: true` ("HTTP protocol is not allowed when skipTLSVerify is not set
 * or false"), so a plain-HTTP emulator gets that flag; an HTTPS one gets its CA instead.
 */
import { loadKubernetesClient } from './load-client';
import type * as KubernetesClient from '@kubernetes/client-node';

/** The bearer token the emulator expects unless started with another. */
export const EMULATOR_TOKEN = 'meshgov-emulator-token';

export interface KubeconfigOptions {
  token?: string;
  /** Default namespace of the context; `default` when omitted. */
  namespace?: string;
  contextName?: string;
  /** PEM of the CA that signed the server certificate, for an https URL. */
  certificateAuthorityPem?: string;
}

/** A kubeconfig YAML document for the emulator at `url`. */
export function kubeconfigFor(url: string, options: KubeconfigOptions = {}): string {
  const context = options.contextName ?? 'emulator';
  const token = options.token ?? EMULATOR_TOKEN;
  const trust = url.startsWith('http:')
    ? ['    insecure-skip-tls-verify: true']
    : options.certificateAuthorityPem !== undefined
      ? [`    certificate-authority-data: ${Buffer.from(options.certificateAuthorityPem, 'utf8').toString('base64')}`]
      : [];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${context}`,
    '  cluster:',
    `    server: ${JSON.stringify(url)}`,
    ...trust,
    'users:',
    `- name: ${context}-user`,
    '  user:',
    `    token: ${JSON.stringify(token)}`,
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${context}`,
    `    user: ${context}-user`,
    `    namespace: ${options.namespace ?? 'default'}`,
    `current-context: ${context}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/**
 * A real `KubeConfig` for the emulator, ready for `makeApiClient`: pass the emulator itself
 * (its own kubeconfig, CA included) or a URL.
 */
export async function loadKubeConfigFor(target: string | { kubeconfig(): string }, options: KubeconfigOptions = {}): Promise<KubernetesClient.KubeConfig> {
  const k8s = await loadKubernetesClient();
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromString(typeof target === 'string' ? kubeconfigFor(target, options) : target.kubeconfig());
  return kubeConfig;
}
