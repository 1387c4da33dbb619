/**
 * Discovery, Istio networking CRDs across versions, cert-manager Certificates, the status
 * subresource, finalizers and HTTPS, through the real @kubernetes/client-node.
 */
import { gatewayCertificate, ledgerDestinationRule, stripeServiceEntry } from './fixtures';
import { loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesClientModule, type KubernetesEmulator, type KubernetesObject } from './index';

let k8s: KubernetesClientModule;
let emulator: KubernetesEmulator;

const CERTS = { group: 'cert-manager.io', version: 'v1', plural: 'certificates' };
const DRS = { group: 'networking.istio.io', version: 'v1', plural: 'destinationrules' };

beforeAll(async () => {
  k8s = await loadKubernetesClient();
});

beforeEach(async () => {
  emulator = await startKubernetesEmulator();
  emulator.seed([ledgerDestinationRule(), stripeServiceEntry(), gatewayCertificate()]);
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

test('discovery documents name every group, version and resource the emulator serves', async () => {
  const kubeConfig = await loadKubeConfigFor(emulator);
  const groups = await kubeConfig.makeApiClient(k8s.ApisApi).getAPIVersions();
  const byName = Object.fromEntries(groups.groups.map((g) => [g.name, g]));
  expect(byName['networking.istio.io']!.versions.map((v) => v.groupVersion)).toEqual(['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3']);
  expect(byName['networking.istio.io']!.preferredVersion!.version).toBe('v1');
  expect(byName['security.istio.io']!.versions.map((v) => v.version)).toEqual(['v1', 'v1beta1']);
  expect(Object.keys(byName).sort()).toEqual([
    'admissionregistration.k8s.io',
    'apps',
    'batch',
    'cert-manager.io',
    'elbv2.k8s.aws',
    'gateway.networking.k8s.io',
    'monitoring.googleapis.com',
    'networking.gke.io',
    'networking.istio.io',
    'networking.k8s.io',
    'security.istio.io',
    'trust.cert-manager.io',
  ]);

  const core = await kubeConfig.makeApiClient(k8s.CoreApi).getAPIVersions();
  expect(core.versions).toEqual(['v1']);
  const resources = await kubeConfig.makeApiClient(k8s.CustomObjectsApi).getAPIResources({ group: 'networking.istio.io', version: 'v1alpha3' });
  expect(resources.resources.filter((r) => !r.name.includes('/')).map((r) => [r.kind, r.name, r.namespaced, r.shortNames])).toEqual([
    ['DestinationRule', 'destinationrules', true, ['dr']],
    ['ServiceEntry', 'serviceentries', true, ['se']],
    ['Sidecar', 'sidecars', true, undefined],
  ]);
  const version = await kubeConfig.makeApiClient(k8s.VersionApi).getCode();
  expect(version.major).toBe('1');
  expect(emulator.calls()['discovery /apis']).toBe(1);
});

test('KubernetesObjectApi finds DestinationRules through discovery under v1alpha3', async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(await loadKubeConfigFor(emulator));
  const list = await objects.list('networking.istio.io/v1alpha3', 'DestinationRule', 'payments');
  expect(list.items.map((i) => [i.apiVersion, i.metadata!.name])).toEqual([['networking.istio.io/v1alpha3', 'ledger']]);
  const serviceEntry = (await objects.read({ apiVersion: 'networking.istio.io/v1beta1', kind: 'ServiceEntry', metadata: { name: 'stripe-api', namespace: 'payments' } })) as KubernetesObject & { spec: { hosts: string[] } };
  expect(serviceEntry.apiVersion).toBe('networking.istio.io/v1beta1');
  expect(serviceEntry.spec.hosts).toEqual(['api.stripe.com']);
  expect(emulator.calls()['discovery /apis/networking.istio.io/v1alpha3']).toBe(1);
});

test('replace (PUT) of a custom resource needs the current resourceVersion', async () => {
  const api = (await loadKubeConfigFor(emulator)).makeApiClient(k8s.CustomObjectsApi);
  const current = (await api.getNamespacedCustomObject({ ...DRS, namespace: 'payments', name: 'ledger' })) as KubernetesObject & { spec: { trafficPolicy: { tls: { mode: string } } } };
  const edited = structuredClone(current);
  edited.spec.trafficPolicy.tls.mode = 'DISABLE';

  const { resourceVersion: _dropped, ...withoutVersion } = edited.metadata;
  const unconditional = await failureOf(api.replaceNamespacedCustomObject({ ...DRS, namespace: 'payments', name: 'ledger', body: { ...edited, metadata: withoutVersion } }));
  expect(unconditional.code).toBe(422);
  expect(unconditional.body).toMatchObject({ message: 'DestinationRule.networking.istio.io "ledger" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update' });

  const replaced = (await api.replaceNamespacedCustomObject({ ...DRS, namespace: 'payments', name: 'ledger', body: edited })) as KubernetesObject;
  expect(replaced.metadata.generation).toBe(2);
  const stale = await failureOf(api.replaceNamespacedCustomObject({ ...DRS, namespace: 'payments', name: 'ledger', body: edited }));
  expect(stale.code).toBe(409);
  expect(stale.body).toMatchObject({ reason: 'Conflict', details: { name: 'ledger', group: 'networking.istio.io', kind: 'destinationrules' } });

  const badMode = await failureOf(
    api.patchNamespacedCustomObject({ ...DRS, namespace: 'payments', name: 'ledger', body: { spec: { trafficPolicy: { tls: { mode: 'MTLS' } } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)),
  );
  expect(badMode.body).toMatchObject({ code: 422, details: { causes: [{ reason: 'FieldValueNotSupported', field: 'spec.trafficPolicy.tls.mode' }] } });

  // Custom resources have no strategic merge patch.
  const strategic = await failureOf(
    api.patchNamespacedCustomObject({ ...DRS, namespace: 'payments', name: 'ledger', body: { spec: {} } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)),
  );
  expect(strategic.code).toBe(415);
});

test('Certificate status is written through the status subresource only', async () => {
  const api = (await loadKubeConfigFor(emulator)).makeApiClient(k8s.CustomObjectsApi);
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const before = emulator.get('certificates.cert-manager.io', 'istio-system', 'payments-gateway')!;

  const renewed = (await api.patchNamespacedCustomObjectStatus(
    { ...CERTS, namespace: 'istio-system', name: 'payments-gateway', body: { status: { notAfter: '2025-11-29T07:14:08Z', revision: 4 } }, fieldManager: 'cert-manager-certificates-issuing' },
    mergePatch,
  )) as KubernetesObject & { status: { notAfter: string; revision: number; conditions: unknown[] } };
  expect(renewed.status.notAfter).toBe('2025-11-29T07:14:08Z');
  expect(renewed.status.conditions).toHaveLength(1);
  expect(renewed.metadata.generation).toBe(before.metadata.generation);
  expect(Number(renewed.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
  expect(renewed.metadata.managedFields!.find((e) => e.manager === 'cert-manager-certificates-issuing')).toMatchObject({ operation: 'Update', subresource: 'status' });

  // A status change sent to the main resource is dropped.
  const viaMain = (await api.patchNamespacedCustomObject({ ...CERTS, namespace: 'istio-system', name: 'payments-gateway', body: { spec: { renewBefore: '720h0m0s' }, status: { revision: 99 } } }, mergePatch)) as KubernetesObject & {
    spec: { renewBefore: string };
    status: { revision: number };
  };
  expect(viaMain.spec.renewBefore).toBe('720h0m0s');
  expect(viaMain.status.revision).toBe(4);
  expect(emulator.calls()).toMatchObject({ 'patch certificates/status': 1, 'patch certificates': 1 });

  const noSecret = await failureOf(
    api.createNamespacedCustomObject({ ...CERTS, namespace: 'istio-system', body: { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'no-secret' }, spec: { dnsNames: ['x.acme.example'], issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer' } } } }),
  );
  expect(noSecret.body).toMatchObject({ code: 422, message: 'Certificate.cert-manager.io "no-secret" is invalid: spec.secretName: Required value' });
});

test('finalizers hold a deleted object until they are cleared; deletecollection honours selectors', async () => {
  const api = (await loadKubeConfigFor(emulator)).makeApiClient(k8s.CustomObjectsApi);
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  await api.patchNamespacedCustomObject({ ...CERTS, namespace: 'istio-system', name: 'payments-gateway', body: { metadata: { finalizers: ['meshgov.io/cert-watch'] } } }, mergePatch);

  const deleting = (await api.deleteNamespacedCustomObject({ ...CERTS, namespace: 'istio-system', name: 'payments-gateway' })) as KubernetesObject;
  expect(deleting.metadata.deletionTimestamp).toBeDefined();
  expect(emulator.get('certificate', 'istio-system', 'payments-gateway')!.metadata.deletionTimestamp).toBe(deleting.metadata.deletionTimestamp);

  await api.patchNamespacedCustomObject({ ...CERTS, namespace: 'istio-system', name: 'payments-gateway', body: { metadata: { finalizers: null } } }, mergePatch);
  expect(emulator.get('certificate', 'istio-system', 'payments-gateway')).toBeUndefined();

  emulator.seed([
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'ledger-canary', namespace: 'payments', labels: { 'meshgov.io/generated': 'true' } }, spec: { host: 'ledger-canary.payments.svc.cluster.local' } },
  ]);
  const removed = (await api.deleteCollectionNamespacedCustomObject({ ...DRS, namespace: 'payments', labelSelector: 'meshgov.io/generated=true' })) as { kind: string; items: KubernetesObject[] };
  expect(removed.kind).toBe('DestinationRuleList');
  expect(removed.items.map((i) => i.metadata.name)).toEqual(['ledger-canary']);
  expect(emulator.list('destinationrules', 'payments').map((o) => o.metadata.name)).toEqual(['ledger']);
});

test('HTTPS mode: the client verifies the emulator against the CA in its kubeconfig', async () => {
  const secure = await startKubernetesEmulator({ tls: true });
  try {
    secure.seed([stripeServiceEntry()]);
    expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(secure.kubeconfig()).toContain('certificate-authority-data:');
    const api = (await loadKubeConfigFor(secure)).makeApiClient(k8s.CustomObjectsApi);
    const list = (await api.listNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', plural: 'serviceentries', namespace: 'payments' })) as { items: KubernetesObject[] };
    expect(list.items.map((i) => i.metadata.name)).toEqual(['stripe-api']);

    // Without the CA the TLS handshake fails: the client really verifies.
    const untrusting = (await loadKubeConfigFor(secure.url)).makeApiClient(k8s.CustomObjectsApi);
    // (Errors from the client come from Node's main realm, which `rejects.toThrow` does not
    // recognise as errors; read the message instead.)
    const handshake = await untrusting.listNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', plural: 'serviceentries', namespace: 'payments' }).then(
      () => 'succeeded',
      (error: { message: string }) => error.message,
    );
    expect(handshake).toMatch(/self-signed certificate/);
  } finally {
    await secure.stop();
  }
});
