/**
 * The kinds the remediation gate reads and trust-manager's Bundle, served as a real API server
 * serves them: built-in networking.k8s.io and admissionregistration.k8s.io kinds (lists omit
 * their items' apiVersion and kind), Gateway API, Google Managed Prometheus and trust-manager
 * CRDs (lists carry them), cluster-scoped ones without a namespace, and their validation.
 */
import { loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesClientModule, type KubernetesEmulator, type KubernetesObject } from './index';

let k8s: KubernetesClientModule;
let emulator: KubernetesEmulator;

const GATEWAY_API = 'gateway.networking.k8s.io';

function objects(): KubernetesObject[] {
  return [
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'gce' }, spec: { controller: 'k8s.io/ingress-gce' } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'checkout', namespace: 'shop', annotations: { 'kubernetes.io/ingress.class': 'gce' } },
      spec: { rules: [{ host: 'shop.acme.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'checkout', port: { number: 8080 } } } }] } }] },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'istio-revision-tag-default', labels: { 'istio.io/tag': 'default', 'istio.io/rev': '1-24-2' } },
      webhooks: [{ name: 'rev.namespace.sidecar-injector.istio.io', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { service: { name: 'istiod-1-24-2', namespace: 'istio-system', path: '/inject' } } }],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'cert-manager-webhook' },
      webhooks: [{ name: 'webhook.cert-manager.io', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { service: { name: 'cert-manager-webhook', namespace: 'cert-manager', path: '/mutate' } } }],
    },
    { apiVersion: `${GATEWAY_API}/v1`, kind: 'GatewayClass', metadata: { name: 'gke-l7-rilb' }, spec: { controllerName: 'networking.gke.io/gateway' } },
    { apiVersion: `${GATEWAY_API}/v1beta1`, kind: 'Gateway', metadata: { name: 'internal', namespace: 'shop' }, spec: { gatewayClassName: 'gke-l7-rilb', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] } },
    { apiVersion: `${GATEWAY_API}/v1`, kind: 'HTTPRoute', metadata: { name: 'checkout', namespace: 'shop' }, spec: { parentRefs: [{ name: 'internal' }], rules: [{ backendRefs: [{ name: 'checkout', port: 8080 }] }] } },
    { apiVersion: `${GATEWAY_API}/v1alpha2`, kind: 'TCPRoute', metadata: { name: 'checkout-db', namespace: 'shop' }, spec: { parentRefs: [{ name: 'internal' }], rules: [{ backendRefs: [{ name: 'checkout-db', port: 5432 }] }] } },
    { apiVersion: 'monitoring.googleapis.com/v1', kind: 'ClusterPodMonitoring', metadata: { name: 'envoy-stats' }, spec: { selector: { matchLabels: { 'security.istio.io/tlsMode': 'istio' } }, endpoints: [{ port: 15090, path: '/stats/prometheus' }] } },
    { apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: 'acme-roots' }, spec: { sources: [{ useDefaultCAs: true }], target: { configMap: { key: 'ca.crt' } } } },
  ];
}

beforeAll(async () => {
  k8s = await loadKubernetesClient();
});

beforeEach(async () => {
  emulator = await startKubernetesEmulator();
  emulator.seed(objects());
});

afterEach(async () => {
  await emulator.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, any> }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(k8s.ApiException);
    const apiError = error as { code: number; body: string };
    return { code: apiError.code, body: JSON.parse(apiError.body) as Record<string, any> };
  }
  throw new Error('expected the call to fail');
}

test('discovery: each group with its versions, each version with the kinds it serves and their scope', async () => {
  const kubeConfig = await loadKubeConfigFor(emulator);
  const groups = Object.fromEntries((await kubeConfig.makeApiClient(k8s.ApisApi).getAPIVersions()).groups.map((g) => [g.name, g.versions.map((v) => v.version)]));
  expect(groups).toMatchObject({
    'networking.k8s.io': ['v1'],
    'admissionregistration.k8s.io': ['v1'],
    [GATEWAY_API]: ['v1', 'v1beta1', 'v1alpha2'],
    'monitoring.googleapis.com': ['v1', 'v1alpha1'],
    'trust.cert-manager.io': ['v1alpha1'],
  });
  const api = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const served = async (group: string, version: string) =>
    (await api.getAPIResources({ group, version })).resources.filter((r) => !r.name.includes('/')).map((r) => `${r.name}${r.namespaced ? '' : ' (cluster)'}`);
  expect(await served(GATEWAY_API, 'v1')).toEqual(['gatewayclasses (cluster)', 'gateways', 'httproutes', 'grpcroutes']);
  expect(await served(GATEWAY_API, 'v1beta1')).toEqual(['gatewayclasses (cluster)', 'gateways', 'httproutes']);
  expect(await served(GATEWAY_API, 'v1alpha2')).toEqual(['tcproutes', 'tlsroutes']);
  expect(await served('networking.k8s.io', 'v1')).toEqual(['ingresses', 'ingressclasses (cluster)']);
  expect(await served('admissionregistration.k8s.io', 'v1')).toEqual(['mutatingwebhookconfigurations (cluster)']);
  expect(await served('monitoring.googleapis.com', 'v1alpha1')).toEqual(['podmonitorings', 'clusterpodmonitorings (cluster)']);
  expect(await served('trust.cert-manager.io', 'v1alpha1')).toEqual(['bundles (cluster)']);
  expect(await served('networking.istio.io', 'v1')).toContain('sidecars');
  // A kind is not served in a version of its group that its CRD lacks.
  const missing = await failureOf(api.listClusterCustomObject({ group: GATEWAY_API, version: 'v1alpha2', plural: 'httproutes' }));
  expect(missing.code).toBe(404);
});

test('built-in kinds list their items without apiVersion and kind; custom resources carry theirs, in the version asked for', async () => {
  const api = (await loadKubeConfigFor(emulator)).makeApiClient(k8s.CustomObjectsApi);
  type List = { kind: string; apiVersion: string; items: Array<Record<string, any>> };
  const list = (group: string, version: string, plural: string) => api.listClusterCustomObject({ group, version, plural }) as Promise<List>;

  const ingresses = await list('networking.k8s.io', 'v1', 'ingresses');
  expect(ingresses).toMatchObject({ kind: 'IngressList', apiVersion: 'networking.k8s.io/v1' });
  expect(ingresses.items.map((i) => [i['apiVersion'], i['kind'], i['metadata'].namespace, i['metadata'].name])).toEqual([[undefined, undefined, 'shop', 'checkout']]);
  const classes = await list('networking.k8s.io', 'v1', 'ingressclasses');
  expect(classes.items.map((i) => [i['apiVersion'], i['kind'], i['metadata'].namespace, i['metadata'].name])).toEqual([[undefined, undefined, undefined, 'gce']]);
  const webhooks = await list('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations');
  expect(webhooks.items.map((i) => [i['apiVersion'], i['kind'], i['metadata'].name])).toEqual([
    [undefined, undefined, 'cert-manager-webhook'],
    [undefined, undefined, 'istio-revision-tag-default'],
  ]);

  const gateways = await list(GATEWAY_API, 'v1', 'gateways');
  expect(gateways.items.map((i) => [i['apiVersion'], i['kind'], i['metadata'].name])).toEqual([[`${GATEWAY_API}/v1`, 'Gateway', 'internal']]);
  const older = await list(GATEWAY_API, 'v1beta1', 'gateways');
  expect(older.items.map((i) => i['apiVersion'])).toEqual([`${GATEWAY_API}/v1beta1`]);
  expect((await list(GATEWAY_API, 'v1alpha2', 'tcproutes')).items.map((i) => [i['apiVersion'], i['kind']])).toEqual([[`${GATEWAY_API}/v1alpha2`, 'TCPRoute']]);
  expect((await list('monitoring.googleapis.com', 'v1', 'clusterpodmonitorings')).items.map((i) => [i['kind'], i['metadata'].namespace])).toEqual([['ClusterPodMonitoring', undefined]]);
  expect((await list('trust.cert-manager.io', 'v1alpha1', 'bundles')).items.map((i) => [i['apiVersion'], i['kind'], i['metadata'].name])).toEqual([['trust.cert-manager.io/v1alpha1', 'Bundle', 'acme-roots']]);
});

test('the typed clients read them, and a label selector narrows the webhooks to revision tags', async () => {
  const kubeConfig = await loadKubeConfigFor(emulator);
  const ingresses = await kubeConfig.makeApiClient(k8s.NetworkingV1Api).listIngressForAllNamespaces();
  expect(ingresses.items.map((i) => i.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name)).toEqual(['checkout']);
  const tags = await kubeConfig.makeApiClient(k8s.AdmissionregistrationV1Api).listMutatingWebhookConfiguration({ labelSelector: 'istio.io/tag' });
  expect(tags.items.map((w) => w.metadata?.name)).toEqual(['istio-revision-tag-default']);
  expect(emulator.requests().find((r) => r.resource === 'mutatingwebhookconfigurations')).toMatchObject({ verb: 'list', group: 'admissionregistration.k8s.io', query: { labelSelector: 'istio.io/tag' } });
});

test('cluster-scoped kinds have no namespaced path, and lose a namespace they are seeded with', async () => {
  const api = (await loadKubeConfigFor(emulator)).makeApiClient(k8s.CustomObjectsApi);
  const namespaced = await failureOf(api.listNamespacedCustomObject({ group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses', namespace: 'shop' }));
  expect(namespaced.code).toBe(404);
  emulator.seed([{ apiVersion: 'monitoring.googleapis.com/v1', kind: 'ClusterPodMonitoring', metadata: { name: 'kube-state', namespace: 'gmp-public' }, spec: { selector: {}, endpoints: [{ port: 'metrics' }] } }]);
  expect(emulator.get('clusterpodmonitorings', undefined, 'kube-state')!.metadata.namespace).toBeUndefined();
});

test('writes are validated as the real types and CRD schemas validate them', async () => {
  const api = (await loadKubeConfigFor(emulator)).makeApiClient(k8s.CustomObjectsApi);
  const create = (group: string, version: string, plural: string, body: Record<string, unknown>, namespace?: string) =>
    failureOf(namespace ? api.createNamespacedCustomObject({ group, version, plural, namespace, body }) : api.createClusterCustomObject({ group, version, plural, body }));

  const noBackend = await create('networking.k8s.io', 'v1', 'ingresses', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'empty' }, spec: { ingressClassName: 'gce' } }, 'shop');
  expect(noBackend.body).toMatchObject({ code: 422, details: { causes: [{ reason: 'FieldValueRequired', field: 'spec.rules' }] } });
  const noController = await create('networking.k8s.io', 'v1', 'ingressclasses', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: {} });
  expect(noController.body).toMatchObject({ code: 422, message: 'IngressClass.networking.k8s.io "nginx" is invalid: spec.controller: Required value' });
  const noSideEffects = await create('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'legacy-injector' },
    webhooks: [{ name: 'inject.legacy.acme.example', admissionReviewVersions: ['v1'], clientConfig: { url: 'https://injector.acme.example/inject' } }],
  });
  expect(noSideEffects.body).toMatchObject({ code: 422, details: { causes: [{ field: 'webhooks[0].sideEffects' }] } });
  const noClass = await create(GATEWAY_API, 'v1', 'gateways', { apiVersion: `${GATEWAY_API}/v1`, kind: 'Gateway', metadata: { name: 'public' }, spec: { listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] } }, 'shop');
  expect(noClass.body).toMatchObject({ code: 422, details: { causes: [{ field: 'spec.gatewayClassName' }] } });
  const noEndpoints = await create('monitoring.googleapis.com', 'v1', 'podmonitorings', { apiVersion: 'monitoring.googleapis.com/v1', kind: 'PodMonitoring', metadata: { name: 'checkout' }, spec: { selector: { matchLabels: { app: 'checkout' } } } }, 'shop');
  expect(noEndpoints.body).toMatchObject({ code: 422, details: { causes: [{ field: 'spec.endpoints' }] } });
  const noSources = await create('trust.cert-manager.io', 'v1alpha1', 'bundles', { apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: 'empty' }, spec: { sources: [], target: { configMap: { key: 'ca.crt' } } } });
  expect(noSources.body).toMatchObject({ code: 422, details: { causes: [{ field: 'spec.sources' }] } });
  expect(() => emulator.seed([{ apiVersion: 'monitoring.googleapis.com/v1', kind: 'PodMonitoring', metadata: { name: 'bad', namespace: 'shop' }, spec: { selector: {}, endpoints: [{ path: '/metrics' }] } }])).toThrow(
    /cannot seed PodMonitoring shop\/bad: spec\.endpoints\[0\]\.port: Required value/,
  );
});
