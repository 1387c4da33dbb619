/**
 * Injected failures and the call log, seen through the real @kubernetes/client-node.
 */
import { meshPeerAuthentications } from './fixtures';
import { loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesClientModule, type KubernetesEmulator } from './index';

const PA = { group: 'security.istio.io', version: 'v1', plural: 'peerauthentications' };

let k8s: KubernetesClientModule;
let emulator: KubernetesEmulator;

beforeAll(async () => {
  k8s = await loadKubernetesClient();
});

beforeEach(async () => {
  emulator = await startKubernetesEmulator();
  emulator.seed(meshPeerAuthentications());
});

afterEach(async () => {
  await emulator.stop();
});

interface Failure {
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

async function failureOf(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(k8s.ApiException);
    const apiError = error as { code: number; body: unknown; headers: Record<string, string> };
    // The generated client keeps the response text as the body, except for 401 where it drops it.
    const body = typeof apiError.body === 'string' ? (JSON.parse(apiError.body) as Record<string, unknown>) : {};
    return { code: apiError.code, body, headers: apiError.headers };
  }
  throw new Error('expected the call to fail');
}

async function customObjects(): Promise<InstanceType<KubernetesClientModule['CustomObjectsApi']>> {
  return (await loadKubeConfigFor(emulator)).makeApiClient(k8s.CustomObjectsApi);
}

test('an injected 429 reaches the client as an ApiException with Retry-After, then the call succeeds', async () => {
  const api = await customObjects();
  emulator.failNext('list peerauthentications', 429, 1, { retryAfterSeconds: 3 });

  const throttled = await failureOf(api.listClusterCustomObject(PA));
  expect(throttled.code).toBe(429);
  expect(throttled.headers['retry-after']).toBe('3');
  expect(throttled.body).toEqual({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'TooManyRequests', code: 429,
    message: 'Too many requests, please try again later.', details: { retryAfterSeconds: 3 },
  });

  const list = (await api.listClusterCustomObject(PA)) as { items: unknown[] };
  expect(list.items).toHaveLength(6);
  expect(emulator.pendingFailures()).toBe(0);
  expect(emulator.calls()).toEqual({ 'list peerauthentications': 2 });
  expect(emulator.requests().map((c) => c.status)).toEqual([429, 200]);
});

test('an injected 503 hits only the matching verb and resource, as many times as armed', async () => {
  const api = await customObjects();
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  emulator.failNext({ verb: 'patch', resource: 'peerauthentications', namespace: 'payments' }, 503, 2);

  // Reads and writes elsewhere are untouched.
  await api.getNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'default' });
  await api.patchNamespacedCustomObject({ ...PA, namespace: 'orders', name: 'default', body: { spec: { mtls: { mode: 'STRICT' } } } }, mergePatch);

  for (let attempt = 0; attempt < 2; attempt += 1) {
    const unavailable = await failureOf(api.patchNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'default', body: { spec: { mtls: { mode: 'STRICT' } } } }, mergePatch));
    expect(unavailable.code).toBe(503);
    expect(unavailable.body).toMatchObject({ status: 'Failure', reason: 'ServiceUnavailable', code: 503, message: 'the server is currently unable to handle the request' });
  }
  expect(emulator.get('pa', 'payments', 'default')!['spec']).toEqual({ mtls: { mode: 'PERMISSIVE' } });

  await api.patchNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'default', body: { spec: { mtls: { mode: 'STRICT' } } } }, mergePatch);
  expect(emulator.get('pa', 'payments', 'default')!['spec']).toEqual({ mtls: { mode: 'STRICT' } });
  expect(emulator.calls()).toEqual({ 'get peerauthentications': 1, 'patch peerauthentications': 4 });
});

test('500 and 403 failures carry the API server wording', async () => {
  const api = await customObjects();
  emulator.failNext('get', 500);
  emulator.failNext('delete peerauthentications', 403);

  const internal = await failureOf(api.getNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'default' }));
  expect(internal.code).toBe(500);
  expect(internal.body).toMatchObject({ reason: 'InternalError', message: 'Internal error occurred: etcdserver: request timed out' });

  const forbidden = await failureOf(api.deleteNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'default' }));
  expect(forbidden.code).toBe(403);
  expect(forbidden.body).toMatchObject({
    reason: 'Forbidden',
    message: 'peerauthentications.security.istio.io "default" is forbidden: User "system:serviceaccount:meshgov:meshgov-agent" cannot delete resource "peerauthentications" in API group "security.istio.io" in the namespace "payments"',
  });
  expect(emulator.get('pa', 'payments', 'default')).toBeDefined();
});

test('requests without the bearer token are refused with 401', async () => {
  const stranger = (await loadKubeConfigFor(emulator.url, { token: 'stolen-token' })).makeApiClient(k8s.CustomObjectsApi);
  const refused = await failureOf(stranger.listClusterCustomObject(PA));
  expect(refused.code).toBe(401);
  expect(emulator.requests()).toHaveLength(1);
  expect(emulator.requests()[0]!.status).toBe(401);
});

test('calls are counted per verb and resource and can be reset', async () => {
  const kubeConfig = await loadKubeConfigFor(emulator);
  const api = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  await api.listClusterCustomObject(PA);
  await api.listNamespacedCustomObject({ ...PA, namespace: 'payments' });
  await api.getNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'ledger-strict' });
  await core.listNamespace();
  await failureOf(core.readNamespacedPod({ namespace: 'payments', name: 'ledger-v1-7d9c5b8f6d-abcde' }));

  expect(emulator.calls()).toEqual({ 'list peerauthentications': 2, 'get peerauthentications': 1, 'list namespaces': 1, 'get pods': 1 });
  const [clusterWide, namespaced] = emulator.requests();
  expect(clusterWide!.namespace).toBeUndefined();
  expect(namespaced!.namespace).toBe('payments');
  emulator.resetCalls();
  expect(emulator.calls()).toEqual({});
});

test('a continue token from before a compaction answers 410 Expired', async () => {
  const api = await customObjects();
  const first = (await api.listClusterCustomObject({ ...PA, limit: 4 })) as { metadata: { continue: string } };
  emulator.expireContinueTokens();
  const expired = await failureOf(api.listClusterCustomObject({ ...PA, limit: 4, _continue: first.metadata.continue }));
  expect(expired.code).toBe(410);
  expect(expired.body).toMatchObject({ reason: 'Expired', code: 410 });

  const malformed = await failureOf(api.listClusterCustomObject({ ...PA, limit: 4, _continue: 'not-a-token' }));
  expect(malformed.code).toBe(400);
  expect(malformed.body).toMatchObject({ reason: 'BadRequest' });
});
