/**
 * PeerAuthentications through the real @kubernetes/client-node against the emulator:
 * paginated cluster-wide lists, get, merge patch, optimistic concurrency and server-side apply.
 */
import { meshPeerAuthentications } from './fixtures';
import { decodeContinue, loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesClientModule, type KubernetesEmulator } from './index';

const PA = { group: 'security.istio.io', version: 'v1', plural: 'peerauthentications' };

interface PeerAuthenticationWire {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion: string; uid: string; generation: number; creationTimestamp: string; managedFields?: { manager: string; operation: string; fieldsV1: unknown }[] };
  spec: { mtls?: { mode: string }; selector?: unknown; portLevelMtls?: Record<string, { mode: string }> };
}

interface ListWire {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: PeerAuthenticationWire[];
}

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

async function customObjects(): Promise<InstanceType<KubernetesClientModule['CustomObjectsApi']>> {
  return (await loadKubeConfigFor(emulator)).makeApiClient(k8s.CustomObjectsApi);
}

async function rejection(promise: Promise<unknown>): Promise<{ code: number; body: unknown; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(k8s.ApiException);
    const apiError = error as { code: number; body: unknown; headers: Record<string, string> };
    return { code: apiError.code, body: typeof apiError.body === 'string' ? JSON.parse(apiError.body) : apiError.body, headers: apiError.headers };
  }
  throw new Error('expected the call to fail');
}

test('lists PeerAuthentications across namespaces in three pages of two', async () => {
  const api = await customObjects();
  const pages: ListWire[] = [];
  let token: string | undefined;
  do {
    const page = (await api.listClusterCustomObject({ ...PA, limit: 2, ...(token === undefined ? {} : { _continue: token }) })) as ListWire;
    pages.push(page);
    token = page.metadata.continue;
  } while (token);

  expect(pages).toHaveLength(3);
  expect(pages.map((p) => p.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`))).toEqual([
    ['checkout/default', 'istio-system/default'],
    ['legacy-batch/default', 'orders/default'],
    ['payments/default', 'payments/ledger-strict'],
  ]);
  expect(pages[0]!.kind).toBe('PeerAuthenticationList');
  expect(pages[0]!.apiVersion).toBe('security.istio.io/v1');
  expect(pages[0]!.items[0]!.kind).toBe('PeerAuthentication');
  expect(pages[0]!.metadata.remainingItemCount).toBe(4);
  expect(pages[1]!.metadata.remainingItemCount).toBe(2);
  expect(pages[2]!.metadata.continue).toBeUndefined();
  // Every page of one list reports the first page's resourceVersion.
  expect(new Set(pages.map((p) => p.metadata.resourceVersion)).size).toBe(1);
  expect(decodeContinue(pages[0]!.metadata.continue!)).toEqual({ resourceVersion: Number(pages[0]!.metadata.resourceVersion), afterKey: 'istio-system/default' });
  expect(emulator.calls()['list peerauthentications']).toBe(3);
});

test('serves one store under v1 and v1beta1, and lists one namespace', async () => {
  const api = await customObjects();
  const beta = (await api.listNamespacedCustomObject({ ...PA, version: 'v1beta1', namespace: 'payments' })) as ListWire;
  expect(beta.apiVersion).toBe('security.istio.io/v1beta1');
  expect(beta.items.map((i) => [i.apiVersion, i.metadata.name])).toEqual([
    ['security.istio.io/v1beta1', 'default'],
    ['security.istio.io/v1beta1', 'ledger-strict'],
  ]);
  expect(beta.metadata.continue).toBeUndefined();
  expect(Number(beta.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(beta.items[1]!.metadata.resourceVersion));
});

test('gets a PeerAuthentication with the metadata the API server fills in', async () => {
  const api = await customObjects();
  const pa = (await api.getNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'ledger-strict' })) as PeerAuthenticationWire;
  expect(pa.spec).toEqual({ selector: { matchLabels: { app: 'ledger' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '9090': { mode: 'PERMISSIVE' } } });
  expect(pa.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  expect(pa.metadata.generation).toBe(1);
  expect(pa.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(pa.metadata.resourceVersion).toBe(emulator.get('PeerAuthentication', 'payments', 'ledger-strict')!.metadata.resourceVersion);

  const missing = await rejection(api.getNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'absent' }));
  expect(missing.code).toBe(404);
  expect(missing.body).toEqual({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404,
    message: 'peerauthentications.security.istio.io "absent" not found',
    details: { name: 'absent', group: 'security.istio.io', kind: 'peerauthentications' },
  });
});

test('a merge patch moves payments to STRICT and bumps resourceVersion and generation', async () => {
  const api = await customObjects();
  const before = (await api.getNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'default' })) as PeerAuthenticationWire;
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

  const after = (await api.patchNamespacedCustomObject(
    { ...PA, namespace: 'payments', name: 'default', body: { metadata: { resourceVersion: before.metadata.resourceVersion }, spec: { mtls: { mode: 'STRICT' } } }, fieldManager: 'meshgov' },
    mergePatch,
  )) as PeerAuthenticationWire;

  expect(after.spec.mtls).toEqual({ mode: 'STRICT' });
  expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
  expect(after.metadata.generation).toBe(2);
  expect(after.metadata.uid).toBe(before.metadata.uid);
  expect(emulator.get('pa', 'payments', 'default')!['spec']).toEqual({ mtls: { mode: 'STRICT' } });
  // The writer now owns the field it changed; the seeding manager keeps the rest.
  const owners = Object.fromEntries(after.metadata.managedFields!.map((e) => [e.manager, e.fieldsV1]));
  expect(owners['meshgov']).toEqual({ 'f:spec': { 'f:mtls': { 'f:mode': {} } } });
  expect(owners['kubectl-client-side-apply']).toEqual({ 'f:metadata': { 'f:labels': { 'f:meshgov.io/migration': {} } } });

  // The same patch again changes nothing: no new resourceVersion (the API server skips no-op writes).
  const again = (await api.patchNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'default', body: { spec: { mtls: { mode: 'STRICT' } } } }, mergePatch)) as PeerAuthenticationWire;
  expect(again.metadata.resourceVersion).toBe(after.metadata.resourceVersion);
  expect(emulator.requests().filter((c) => c.verb === 'patch').map((c) => c.contentType)).toEqual(['application/merge-patch+json', 'application/merge-patch+json']);
});

test('a patch carrying a stale resourceVersion fails with a 409 Conflict Status', async () => {
  const api = await customObjects();
  const read = (await api.getNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'default' })) as PeerAuthenticationWire;
  // Someone else edits the object between our read and our write.
  const newer = emulator.bumpResourceVersion('peerauthentications', 'payments', 'default');
  expect(newer).not.toBe(read.metadata.resourceVersion);

  const failed = await rejection(
    api.patchNamespacedCustomObject(
      { ...PA, namespace: 'payments', name: 'default', body: { metadata: { resourceVersion: read.metadata.resourceVersion }, spec: { mtls: { mode: 'STRICT' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    ),
  );
  expect(failed.code).toBe(409);
  expect(failed.body).toEqual({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409,
    message: 'Operation cannot be fulfilled on peerauthentications.security.istio.io "default": the object has been modified; please apply your changes to the latest version and try again',
    details: { name: 'default', group: 'security.istio.io', kind: 'peerauthentications' },
  });
  const stored = emulator.get('PeerAuthentication', 'payments', 'default')!;
  expect(stored['spec']).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  expect(stored.metadata.resourceVersion).toBe(newer);
});

test('server-side apply with fieldManager meshgov: conflicts without force, takes ownership with it', async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(await loadKubeConfigFor(emulator));
  const desired = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments' }, spec: { mtls: { mode: 'STRICT' } } };

  // kubectl-client-side-apply owns spec.mtls.mode (it seeded PERMISSIVE): changing it is a conflict.
  const conflict = await rejection(objects.patch(desired, undefined, undefined, 'meshgov', false, k8s.PatchStrategy.ServerSideApply));
  expect(conflict.code).toBe(409);
  expect(conflict.body).toMatchObject({
    reason: 'Conflict',
    message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using security.istio.io/v1: .spec.mtls.mode',
    details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using security.istio.io/v1', field: '.spec.mtls.mode' }] },
  });

  const applied = (await objects.patch(desired, undefined, undefined, 'meshgov', true, k8s.PatchStrategy.ServerSideApply)) as unknown as PeerAuthenticationWire;
  expect(applied.spec.mtls).toEqual({ mode: 'STRICT' });
  const meshgov = applied.metadata.managedFields!.find((e) => e.manager === 'meshgov')!;
  expect(meshgov.operation).toBe('Apply');
  expect(meshgov.fieldsV1).toEqual({ 'f:spec': { 'f:mtls': { 'f:mode': {} } } });
  const kubectl = applied.metadata.managedFields!.find((e) => e.manager === 'kubectl-client-side-apply')!;
  expect(JSON.stringify(kubectl.fieldsV1)).not.toContain('f:mode');

  // Apply creates what does not exist yet, and answers 201.
  const workload = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'ledger-metrics', namespace: 'payments' }, spec: { selector: { matchLabels: { app: 'ledger' } }, portLevelMtls: { '9090': { mode: 'STRICT' } } } };
  const created = (await objects.patch(workload, undefined, undefined, 'meshgov', undefined, k8s.PatchStrategy.ServerSideApply)) as unknown as PeerAuthenticationWire;
  expect(created.metadata.uid).toBeDefined();
  expect(emulator.requests().at(-1)!.status).toBe(201);
  expect(emulator.get('pa', 'payments', 'ledger-metrics')!['spec']).toEqual(workload.spec);

  // A field the applier stops sending is removed, since nobody else owns it.
  await objects.patch({ ...workload, spec: { selector: workload.spec.selector } }, undefined, undefined, 'meshgov', undefined, k8s.PatchStrategy.ServerSideApply);
  expect(emulator.get('pa', 'payments', 'ledger-metrics')!['spec']).toEqual({ selector: { matchLabels: { app: 'ledger' } } });

  // Re-applying the same configuration is a no-op: same resourceVersion.
  const settled = emulator.get('pa', 'payments', 'ledger-metrics')!.metadata.resourceVersion;
  const reapplied = (await objects.patch({ ...workload, spec: { selector: workload.spec.selector } }, undefined, undefined, 'meshgov', undefined, k8s.PatchStrategy.ServerSideApply)) as unknown as PeerAuthenticationWire;
  expect(reapplied.metadata.resourceVersion).toBe(settled);

  const counts = emulator.calls();
  expect(counts['patch peerauthentications']).toBe(5);
  expect(emulator.requests().filter((c) => c.verb === 'patch').every((c) => c.fieldManager === 'meshgov' && c.contentType === 'application/apply-patch+yaml')).toBe(true);
});

test('server-side apply without a fieldManager is rejected as the API server does', async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(await loadKubeConfigFor(emulator));
  const failed = await rejection(
    objects.patch({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments' }, spec: { mtls: { mode: 'STRICT' } } }, undefined, undefined, undefined, undefined, k8s.PatchStrategy.ServerSideApply),
  );
  expect(failed.code).toBe(422);
  expect(failed.body).toMatchObject({ reason: 'Invalid', message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' });
});

test('an invalid mTLS mode is refused with the CRD schema error', async () => {
  const api = await customObjects();
  const failed = await rejection(
    api.patchNamespacedCustomObject({ ...PA, namespace: 'payments', name: 'default', body: { spec: { mtls: { mode: 'STRICTT' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)),
  );
  expect(failed.code).toBe(422);
  expect(failed.body).toMatchObject({
    reason: 'Invalid',
    message: 'PeerAuthentication.security.istio.io "default" is invalid: spec.mtls.mode: Unsupported value: "STRICTT": supported values: "UNSET", "DISABLE", "PERMISSIVE", "STRICT"',
  });
});
