/**
 * Credentials of the live Istio provider: a KubeConfig built in code for GKE (endpoint and CA
 * from the environment, a bearer token per request) against the emulator over HTTPS, and
 * kubeconfig files as kubectl reads them (KUBECONFIG lists, --kube-context).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  GKE_CA_CERT_ENV,
  GKE_ENDPOINT_ENV,
  gkeSettingsFromEnv,
  istioSource,
  KubeApiError,
  kubeConfigForGke,
  kubeConfigFromFile,
  LiveConfigError,
} from '../../../functions/providers/istio/live';
import { EMULATOR_TOKEN, kubeconfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesClientModule, type KubernetesEmulator } from '../../emulators/kubernetes';
import { makeRootCa } from '../../support/certs';
import { paymentsNamespace } from './cluster-fixture';

let k8s: KubernetesClientModule;
let emulator: KubernetesEmulator | undefined;
let dir: string;

beforeAll(async () => {
  k8s = await loadKubernetesClient();
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'meshgov-kubeconfig-'));
});

afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const PAYMENTS = { kind: 'istio-namespace', namespace: 'payments' } as const;

test('kubeConfigForGke: the endpoint and CA from the environment, a fresh bearer token on every request, over verified TLS', async () => {
  emulator = await startKubernetesEmulator({ tls: true });
  emulator.seed(paymentsNamespace());
  const env = {
    [GKE_ENDPOINT_ENV]: new URL(emulator.url).host,
    [GKE_CA_CERT_ENV]: Buffer.from(emulator.certificateAuthorityPem!, 'utf8').toString('base64'),
  };
  let tokensIssued = 0;
  const kubeConfig = kubeConfigForGke(gkeSettingsFromEnv(env), { client: k8s, accessToken: async () => (tokensIssued++, EMULATOR_TOKEN) });

  expect(kubeConfig.getCurrentCluster()).toMatchObject({ name: 'gke', server: emulator.url, skipTLSVerify: false });
  const source = istioSource({ kubeConfig, client: k8s });
  const inventory = await source.collect(PAYMENTS);

  expect(inventory.kubernetes.map((o) => o.source.file)).toContain('/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default');
  expect(tokensIssued).toBe(source.lastRead().requests);
});

test('kubeConfigForGke refuses a server whose certificate the configured CA did not sign, and a token it does not know', async () => {
  emulator = await startKubernetesEmulator({ tls: true });
  const otherCa = makeRootCa({ cn: 'some other cluster CA' });
  const host = new URL(emulator.url).host;
  const wrongCa = kubeConfigForGke({ endpoint: host, caCertBase64: Buffer.from(otherCa.certPem).toString('base64') }, { client: k8s, accessToken: async () => EMULATOR_TOKEN });
  const tlsFailure = await istioSource({ kubeConfig: wrongCa, client: k8s }).collect(PAYMENTS).catch((e: unknown) => e);
  expect(tlsFailure).toBeInstanceOf(KubeApiError);
  expect(tlsFailure).toMatchObject({ status: 0, attempts: 1 });

  const rightCa = Buffer.from(emulator.certificateAuthorityPem!).toString('base64');
  const wrongToken = kubeConfigForGke({ endpoint: `https://${host}`, caCertBase64: rightCa }, { client: k8s, accessToken: async () => 'ya29.expired' });
  const authFailure = await istioSource({ kubeConfig: wrongToken, client: k8s }).collect(PAYMENTS).catch((e: unknown) => e);
  expect(authFailure).toMatchObject({ status: 401, reason: 'Unauthorized' });
});

test('GKE settings that are missing or not a certificate are errors naming the variable', () => {
  expect(() => gkeSettingsFromEnv({ [GKE_CA_CERT_ENV]: 'LS0t' })).toThrow(expect.objectContaining({ setting: GKE_ENDPOINT_ENV }));
  expect(() => gkeSettingsFromEnv({ [GKE_ENDPOINT_ENV]: '34.118.12.40' })).toThrow(expect.objectContaining({ setting: GKE_CA_CERT_ENV }));
  expect(() => kubeConfigForGke({ endpoint: '34.118.12.40', caCertBase64: Buffer.from('not a certificate').toString('base64') }, { client: k8s, accessToken: async () => 't' })).toThrow(LiveConfigError);
});

test('kubeConfigFromFile reads a KUBECONFIG list as kubectl does, and --kube-context picks the cluster', async () => {
  emulator = await startKubernetesEmulator();
  emulator.seed(paymentsNamespace());
  // The first file sets the current context (a staging cluster that is not reachable here).
  const staging = path.join(dir, 'staging.yaml');
  writeFileSync(staging, kubeconfigFor('https://10.0.0.1:6443', { contextName: 'staging', token: 'staging-token' }));
  const prod = path.join(dir, 'prod.yaml');
  writeFileSync(prod, kubeconfigFor(emulator.url, { contextName: 'gke_acme-prod_us-central1_prod-gke' }));
  const env = { KUBECONFIG: [staging, path.join(dir, 'absent.yaml'), prod].join(path.delimiter) };

  const byDefault = kubeConfigFromFile(undefined, { client: k8s, env });
  expect(byDefault.getCurrentContext()).toBe('staging');
  expect(byDefault.getContexts().map((c) => c.name)).toEqual(['staging', 'gke_acme-prod_us-central1_prod-gke']);

  const kubeConfig = kubeConfigFromFile('gke_acme-prod_us-central1_prod-gke', { client: k8s, env });
  const inventory = await istioSource({ kubeConfig, client: k8s }).collect(PAYMENTS);
  expect(inventory.kubernetes.some((o) => o.doc.kind === 'PeerAuthentication' && o.doc.metadata.namespace === 'payments')).toBe(true);
});

test('an unknown context or no kubeconfig at all is an error that says what exists', () => {
  const file = path.join(dir, 'config');
  writeFileSync(file, kubeconfigFor('https://10.0.0.1:6443', { contextName: 'staging' }));
  expect(() => kubeConfigFromFile('prod-gke', { client: k8s, path: file })).toThrow(new LiveConfigError('prod-gke', 'kubeconfig has no context "prod-gke" (contexts: staging)'));
  const none = path.join(dir, 'missing');
  expect(() => kubeConfigFromFile(undefined, { client: k8s, env: { KUBECONFIG: none } })).toThrow(`no kubeconfig found at ${none}`);
  expect(() => kubeConfigFromFile(undefined, { client: k8s, env: { HOME: dir } })).toThrow(`no kubeconfig found at ${path.join(dir, '.kube', 'config')}`);
});
