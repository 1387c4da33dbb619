/**
 * Core v1 and apps/v1 through the real @kubernetes/client-node: label and field selectors on
 * pods, deployments and their pods, create/delete semantics, namespaces.
 */
import { deployment, pod } from './fixtures';
import { loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesClientModule, type KubernetesEmulator } from './index';

let k8s: KubernetesClientModule;
let emulator: KubernetesEmulator;
let core: InstanceType<KubernetesClientModule['CoreV1Api']>;
let apps: InstanceType<KubernetesClientModule['AppsV1Api']>;

const NODE_A = 'gke-prod-europe-west1-pool-1-4f2a9c1e-k7xq';
const NODE_B = 'gke-prod-europe-west1-pool-1-4f2a9c1e-w3m8';

beforeAll(async () => {
  k8s = await loadKubernetesClient();
});

beforeEach(async () => {
  emulator = await startKubernetesEmulator();
  emulator.seed([
    deployment('payments', 'ledger', 'v1', 3),
    deployment('payments', 'ledger', 'v2', 1),
    deployment('payments', 'payments-api', 'v1', 2),
    pod('payments', 'ledger', 'v1', '7d9c5b8f6d', 'f4k2p', NODE_A),
    pod('payments', 'ledger', 'v1', '7d9c5b8f6d', 'hx9wq', NODE_B),
    pod('payments', 'ledger', 'v1', '7d9c5b8f6d', 'q2zlt', NODE_A),
    pod('payments', 'ledger', 'v2', '5f6b9c7d84', 'm8r4n', NODE_B),
    pod('payments', 'payments-api', 'v1', '66c8d9f7b5', 'b7j2x', NODE_A),
    pod('payments', 'payments-api', 'v1', '66c8d9f7b5', 'd9v5c', NODE_B),
    pod('orders', 'orders-api', 'v1', '8b4f7c9d2e', 't6s8k', NODE_A),
  ]);
  const kubeConfig = await loadKubeConfigFor(emulator);
  core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  apps = kubeConfig.makeApiClient(k8s.AppsV1Api);
});

afterEach(async () => {
  await emulator.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(k8s.ApiException);
    const apiError = error as { code: number; body: string };
    return { code: apiError.code, body: JSON.parse(apiError.body) as Record<string, unknown> };
  }
  throw new Error('expected the call to fail');
}

const names = (list: { items: { metadata?: { name?: string } }[] }): string[] => list.items.map((i) => i.metadata!.name!);

test('label selectors on pods: equality, inequality and set-based', async () => {
  expect(names(await core.listNamespacedPod({ namespace: 'payments', labelSelector: 'app=ledger' }))).toEqual([
    'ledger-v1-7d9c5b8f6d-f4k2p', 'ledger-v1-7d9c5b8f6d-hx9wq', 'ledger-v1-7d9c5b8f6d-q2zlt', 'ledger-v2-5f6b9c7d84-m8r4n',
  ]);
  expect(names(await core.listNamespacedPod({ namespace: 'payments', labelSelector: 'app==ledger,version!=v2' }))).toHaveLength(3);
  expect(names(await core.listNamespacedPod({ namespace: 'payments', labelSelector: 'app in (ledger, payments-api), version notin (v2)' }))).toHaveLength(5);
  expect(names(await core.listNamespacedPod({ namespace: 'payments', labelSelector: 'app=ledger,!canary' }))).toHaveLength(4);
  expect(names(await core.listNamespacedPod({ namespace: 'payments', labelSelector: 'canary' }))).toEqual([]);

  const meshPods = await core.listPodForAllNamespaces({ labelSelector: 'security.istio.io/tlsMode=istio' });
  expect(meshPods.items).toHaveLength(7);
  expect(meshPods.items.some((p) => p.metadata!.namespace === 'orders')).toBe(true);
  // Built-in list items come without kind and apiVersion, as the API server encodes typed lists.
  expect(meshPods.kind).toBe('PodList');
  expect(meshPods.items[0]!.kind).toBeUndefined();

  const onNodeA = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${NODE_A}`, labelSelector: 'app!=orders-api' });
  expect(names(onNodeA)).toEqual(['ledger-v1-7d9c5b8f6d-f4k2p', 'ledger-v1-7d9c5b8f6d-q2zlt', 'payments-api-v1-66c8d9f7b5-b7j2x']);

  const invalid = await failureOf(core.listNamespacedPod({ namespace: 'payments', labelSelector: 'app in ledger' }));
  expect(invalid.code).toBe(400);
  expect(invalid.body).toMatchObject({ reason: 'BadRequest' });
  const unsupportedField = await failureOf(core.listNamespacedPod({ namespace: 'payments', fieldSelector: 'spec.containers=x' }));
  expect(unsupportedField.body).toMatchObject({ code: 400, message: 'field label not supported: spec.containers' });
});

test("a Deployment's selector finds its pods, page by page", async () => {
  const ledgerV1 = await apps.readNamespacedDeployment({ namespace: 'payments', name: 'ledger-v1' });
  expect(ledgerV1.spec!.template.metadata!.labels).toEqual({ app: 'ledger', version: 'v1', 'app.kubernetes.io/part-of': 'payments' });
  const selector = Object.entries(ledgerV1.spec!.selector.matchLabels!).map(([k, v]) => `${k}=${v}`).join(',');

  const first = await core.listNamespacedPod({ namespace: 'payments', labelSelector: selector, limit: 2 });
  expect(first.items).toHaveLength(2);
  expect(first.metadata!._continue).toBeDefined();
  // With a selector the server cannot know how many items remain.
  expect(first.metadata!.remainingItemCount).toBeUndefined();
  const second = await core.listNamespacedPod({ namespace: 'payments', labelSelector: selector, limit: 2, _continue: first.metadata!._continue! });
  expect(names(second)).toEqual(['ledger-v1-7d9c5b8f6d-q2zlt']);
  expect(second.metadata!._continue).toBeUndefined();

  const all = await apps.listDeploymentForAllNamespaces();
  expect(names(all)).toEqual(['ledger-v1', 'ledger-v2', 'payments-api-v1']);
  expect(all.items[0]!.status!.readyReplicas).toBe(3);
});

test('a JSON patch scales a Deployment: generation moves, status is left to the controller', async () => {
  // AppsV1Api's patch sends application/json-patch+json by default.
  const scaled = await apps.patchNamespacedDeployment({
    namespace: 'payments', name: 'ledger-v2',
    body: [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'replace', path: '/spec/replicas', value: 3 }, { op: 'replace', path: '/status/replicas', value: 99 }],
  });
  expect(scaled.spec!.replicas).toBe(3);
  expect(scaled.metadata!.generation).toBe(2);
  expect(scaled.status!.replicas).toBe(1);
  expect(emulator.requests().at(-1)!.contentType).toBe('application/json-patch+json');

  const failedTest = await failureOf(apps.patchNamespacedDeployment({ namespace: 'payments', name: 'ledger-v2', body: [{ op: 'test', path: '/spec/replicas', value: 1 }] }));
  expect(failedTest.code).toBe(422);

  const broken = await failureOf(
    apps.patchNamespacedDeployment({ namespace: 'payments', name: 'ledger-v2', body: [{ op: 'replace', path: '/spec/selector/matchLabels/version', value: 'v3' }] }),
  );
  expect(broken.code).toBe(422);
  expect(broken.body).toMatchObject({ reason: 'Invalid', details: { causes: [{ field: 'spec.template.metadata.labels' }] } });
});

test('create, conflict on create, read and delete a ConfigMap and a Secret', async () => {
  const meshConfig = {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'istio', namespace: 'istio-system', labels: { 'istio.io/rev': 'default' } },
    data: { mesh: 'defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\nenableAutoMtls: true\n' },
  };
  const missingNamespace = await failureOf(core.createNamespacedConfigMap({ namespace: 'istio-system', body: meshConfig }));
  expect(missingNamespace.code).toBe(404);
  expect(missingNamespace.body).toMatchObject({ reason: 'NotFound', message: 'namespaces "istio-system" not found' });

  await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } } });
  const created = await core.createNamespacedConfigMap({ namespace: 'istio-system', body: meshConfig });
  expect(created.metadata!.uid).toBeDefined();
  expect(created.metadata!.resourceVersion).toBe(emulator.get('configmaps', 'istio-system', 'istio')!.metadata.resourceVersion);
  expect(emulator.requests().at(-1)!.status).toBe(201);

  const duplicate = await failureOf(core.createNamespacedConfigMap({ namespace: 'istio-system', body: meshConfig }));
  expect(duplicate.code).toBe(409);
  expect(duplicate.body).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "istio" already exists', details: { name: 'istio', kind: 'configmaps' } });

  await core.createNamespacedSecret({
    namespace: 'istio-system',
    body: { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'payments-gateway-tls' }, data: { 'tls.crt': 'LS0tLS1CRUdJTi...', 'tls.key': 'LS0tLS1CRUdJTi...' } },
  });
  const secret = await core.readNamespacedSecret({ namespace: 'istio-system', name: 'payments-gateway-tls' });
  expect(secret.type).toBe('kubernetes.io/tls');
  expect(secret.metadata!.namespace).toBe('istio-system');

  const deleted = await core.deleteNamespacedConfigMap({ namespace: 'istio-system', name: 'istio' });
  expect(deleted).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'istio', kind: 'configmaps', uid: created.metadata!.uid } });
  expect(emulator.get('ConfigMap', 'istio-system', 'istio')).toBeUndefined();
  const gone = await failureOf(core.readNamespacedConfigMap({ namespace: 'istio-system', name: 'istio' }));
  expect(gone.body).toMatchObject({ code: 404, message: 'configmaps "istio" not found' });
});

test('namespaces: the defaults, the seeded ones, and deletion of a namespace with its pods', async () => {
  const namespaces = await core.listNamespace();
  expect(names(namespaces)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system', 'orders', 'payments']);
  const payments = namespaces.items.find((n) => n.metadata!.name === 'payments')!;
  expect(payments.metadata!.labels).toEqual({ 'kubernetes.io/metadata.name': 'payments' });
  expect(payments.status!.phase).toBe('Active');

  const deleted = await core.deleteNamespace({ name: 'orders' });
  expect(deleted).toMatchObject({ kind: 'Namespace', status: { phase: 'Terminating' } });
  expect(emulator.list('pods', 'orders')).toEqual([]);
  expect(emulator.list('pods', 'payments')).toHaveLength(6);

  const pod = await core.deleteNamespacedPod({ namespace: 'payments', name: 'ledger-v2-5f6b9c7d84-m8r4n' });
  // Pods answer DELETE with the object itself.
  expect(pod).toMatchObject({ kind: 'Pod', metadata: { name: 'ledger-v2-5f6b9c7d84-m8r4n' } });
  expect(emulator.calls()['delete pods']).toBe(1);
  expect(emulator.calls()['delete namespaces']).toBe(1);
});

test('server-side dry run answers as a write would but stores nothing; generateName picks a name', async () => {
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'meshgov-plan-' }, data: { plan: '{"changes":1}' } };
  const before = emulator.list('configmaps', 'payments');
  const dryRun = await core.createNamespacedConfigMap({ namespace: 'payments', body, dryRun: 'All' });
  expect(dryRun.metadata!.name).toMatch(/^meshgov-plan-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  expect(emulator.list('configmaps', 'payments')).toEqual(before);

  const patchedDry = await apps.patchNamespacedDeployment({ namespace: 'payments', name: 'ledger-v1', dryRun: 'All', body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] });
  expect(patchedDry.spec!.replicas).toBe(0);
  expect(emulator.get('deployments', 'payments', 'ledger-v1')!['spec']).toMatchObject({ replicas: 3 });

  const created = await core.createNamespacedConfigMap({ namespace: 'payments', body });
  expect(emulator.get('cm', 'payments', created.metadata!.name!)).toBeDefined();
});
