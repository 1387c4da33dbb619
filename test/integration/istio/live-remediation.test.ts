/**
 * The live Istio writer against the Kubernetes emulator through the real client: the fixes
 * the audit plans are applied as conditional merge patches (or a create), verified by a
 * re-read, rolled back when they do not hold, aborted on conflicts, and reverted on request.
 */
import { auditWithBuilders } from '../../../functions/core/audit';
import type { Finding, Remediation } from '../../../functions/core/findings';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import type { ApplyResult } from '../../../functions/core/pipeline/ports';
import type { AuditScope, Trigger } from '../../../functions/core/pipeline/trigger';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildIstioModel } from '../../../functions/providers/istio';
import { ISTIO_READER_RULES, ISTIO_WRITER_RULES, istioExecutor, istioSource } from '../../../functions/providers/istio/live';
import { buildCertificateModel } from '../../../functions/providers/x509';
import type { KubernetesObject } from '../../emulators/kubernetes';
import { controlPlane, neighbourNamespaces, paymentsNamespace, wholeCluster } from './cluster-fixture';
import { startLiveCluster, type LiveCluster } from './live-cluster';
import { startOlderApiServer } from './older-apiserver-proxy';
import { startMutatingAdmission } from './mutating-admission-proxy';
import { loadKubeConfigFor } from '../../emulators/kubernetes';

let cluster: LiveCluster | undefined;

afterEach(async () => {
  await cluster?.emulator.stop();
  cluster = undefined;
});

const policy = loadPolicy();

const trigger: Trigger = {
  source: 'gke-audit',
  eventId: '7e2b9c41-5d8a-4f3e-b1c6-0a9d8e7f6c52',
  eventTime: '2026-11-20T14:47:12.483917Z',
  actor: 'bob@example.com',
  summary: 'io.istio.security.v1.peerauthentications.patch payments/default by bob@example.com',
};

async function start(objects: KubernetesObject[] = wholeCluster()): Promise<LiveCluster> {
  cluster = await startLiveCluster(objects);
  return cluster;
}

async function findingsOf(live: LiveCluster, scope: AuditScope): Promise<Finding[]> {
  const inventory = await istioSource({ kubeConfig: live.kubeConfig, client: live.k8s }).collect(scope);
  return auditWithBuilders(inventory, { policy, now: new Date(), builders: [buildIstioModel, buildCertificateModel] }).findings;
}

async function fixFor(live: LiveCluster, scope: AuditScope, match: (f: Finding) => boolean): Promise<Remediation> {
  const finding = (await findingsOf(live, scope)).find(match);
  expect(finding?.remediation).toBeDefined();
  return finding!.remediation!;
}

const PAYMENTS: AuditScope = { kind: 'istio-namespace', namespace: 'payments' };
const paymentsApiNotStrict = (f: Finding) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api';

function writer(live: LiveCluster) {
  return istioExecutor({ kubeConfig: live.kubeConfig, client: live.k8s, sleep: live.sleep });
}

function recordOf(id: string, remediation: Remediation, result: ApplyResult): ChangeRecord {
  return {
    id,
    provider: 'istio',
    action: remediation.action,
    target: result.target,
    before: result.before,
    after: result.after,
    reason: remediation.reason,
    trigger,
    at: '2026-11-20T14:52:00.000Z',
    outcome: result.outcome as ChangeRecord['outcome'],
    detail: result.detail,
    expiresAt: 1_795_000_000,
  };
}

function paymentsPolicy(live: LiveCluster): KubernetesObject {
  return live.emulator.get('pa', 'payments', 'default')!;
}

test('set-strict patches the namespace policy with its resourceVersion, as meshgov, and verifies it', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  const readVersion = paymentsPolicy(live).metadata.resourceVersion;
  live.emulator.resetCalls();

  const result = await writer(live).apply(remediation, { trigger, changeId: 'chg-5f2a90c1' });

  expect(result.outcome).toBe('verified');
  expect(result.detail).toBe('patched and re-read: spec.mtls.mode="STRICT"');
  expect(result.before).toMatchObject({ kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments', resourceVersion: readVersion, uid: '9b4d6f8a-2c1e-4a3b-8d5f-7e9a1c3b5d60' }, spec: { mtls: { mode: 'PERMISSIVE' } } });
  expect(result.after).toMatchObject({ metadata: { generation: 4 }, spec: { mtls: { mode: 'STRICT' } } });
  const stored = paymentsPolicy(live);
  expect(result.target).toEqual({
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    namespace: 'payments',
    name: 'default',
    path: '/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default',
    resourceVersion: stored.metadata.resourceVersion,
  });
  expect(stored['spec']).toEqual({ mtls: { mode: 'STRICT' } });
  expect(stored.metadata.annotations?.['meshgov.io/change-id']).toBe('chg-5f2a90c1');
  expect(stored.metadata.managedFields!.find((m) => m.manager === 'meshgov')!.fieldsV1).toEqual({
    'f:metadata': { 'f:annotations': { 'f:meshgov.io/change-id': {} } },
    'f:spec': { 'f:mtls': { 'f:mode': {} } },
  });
  expect(live.emulator.requests().map((r) => [r.verb, r.contentType ?? '', r.fieldManager ?? '', r.status])).toEqual([
    ['get', '', '', 200],
    ['patch', 'application/merge-patch+json', 'meshgov', 200],
    ['get', '', '', 200],
  ]);

  const after = await findingsOf(live, PAYMENTS);
  expect(after.filter((f) => f.rule === 'mtls-not-strict')).toEqual([]);
});

test('a change without a resourceVersion is made conditional on the one the writer reads first', async () => {
  const live = await start();
  const planned = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  const { resourceVersion: _planned, ...target } = planned.change['target'] as Record<string, unknown>;
  const remediation = { ...planned, change: { ...planned.change, target } };
  // Someone edits another field after the audit: without a recorded version the fix still applies, on top of that edit.
  live.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => void (o['spec'] = { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } }));
  const fresh = paymentsPolicy(live).metadata.resourceVersion;

  const result = await writer(live).apply(remediation, { trigger, changeId: 'chg-0' });

  expect(result.outcome).toBe('verified');
  expect(result.before).toMatchObject({ metadata: { resourceVersion: fresh } });
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'STRICT' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } });

  // The version it read is the precondition of its write: another writer in between makes it a 409.
  live.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => void (o['spec'] = { mtls: { mode: 'PERMISSIVE' } }));
  live.emulator.failNext((call) => {
    if (call.verb === 'patch') live.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => void (o['spec'] = { mtls: { mode: 'DISABLE' } }));
    return false;
  }, 500);
  const raced = await writer(live).apply(remediation, { trigger, changeId: 'chg-0b' });
  expect(raced.outcome).toBe('aborted');
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'DISABLE' } });
});

test('a policy changed after the audit read it is not written: the change aborts', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  live.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => void (o['spec'] = { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } }));
  live.emulator.resetCalls();

  const result = await writer(live).apply(remediation, { trigger, changeId: 'chg-1' });

  expect(result.outcome).toBe('aborted');
  expect(result.detail).toMatch(/^PeerAuthentication payments\/default changed since the audit read it \(resourceVersion \d+, now \d+\)/);
  expect(live.emulator.requests().filter((r) => r.verb === 'patch')).toEqual([]);
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } });
});

test('another writer between our read and our write: the API server answers 409 and the change aborts', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  // Someone edits the policy just as our patch is on its way (the hook runs before the server handles it).
  live.emulator.failNext((call) => {
    if (call.verb === 'patch') live.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => void (o['spec'] = { mtls: { mode: 'DISABLE' } }));
    return false;
  }, 500);

  const result = await writer(live).apply(remediation, { trigger, changeId: 'chg-2' });

  expect(result.outcome).toBe('aborted');
  expect(result.wrote).toBe(false);
  expect(result.detail).toBe('merge patch of PeerAuthentication payments/default: the object changed since it was read (409 Conflict); nothing was written');
  expect(live.emulator.requests().filter((r) => r.verb === 'patch').map((r) => r.status)).toEqual([409]);
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'DISABLE' } });
  expect(paymentsPolicy(live).metadata.annotations?.['meshgov.io/change-id']).toBeUndefined();
});

test('a 409 on the patch aborts the change and reports it', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  live.emulator.failNext('patch peerauthentications', 409);

  const result = await writer(live).apply(remediation, { trigger, changeId: 'chg-3' });

  expect(result).toMatchObject({ outcome: 'aborted', before: { spec: { mtls: { mode: 'PERMISSIVE' } } }, target: { namespace: 'payments', name: 'default' } });
  expect(result.detail).toContain('409 Conflict');
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'PERMISSIVE' } });
});

test('a throttled patch is sent again after the Retry-After the server asked for', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  live.emulator.failNext('patch peerauthentications', 429, 2, { retryAfterSeconds: 3 });

  const result = await writer(live).apply(remediation, { trigger, changeId: 'chg-4' });

  expect(result.outcome).toBe('verified');
  expect(live.sleeps).toEqual([3000, 3000]);
  expect(live.emulator.requests().filter((r) => r.verb === 'patch').map((r) => r.status)).toEqual([429, 429, 200]);
});

/** A controller rewrites payments' PeerAuthentication right after meshgov's patch (as a mutating webhook or a GitOps sync would). */
function rewrittenAfterOurPatch(live: LiveCluster): void {
  let stage: 'before-patch' | 'patched' | 'done' = 'before-patch';
  live.emulator.failNext((call) => {
    if (stage === 'before-patch' && call.verb === 'patch') stage = 'patched';
    else if (stage === 'patched' && call.verb === 'get') {
      stage = 'done';
      live.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => void (o['spec'] = { mtls: { mode: 'UNSET' } }));
    }
    return false;
  }, 500);
}

test('a policy someone rewrites right after our patch is not rolled back over: the change fails and their edit stays', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  rewrittenAfterOurPatch(live);

  const result = await writer(live).apply(remediation, { trigger, changeId: 'chg-6' });

  expect(result).toMatchObject({ outcome: 'failed', wrote: true, afterWritten: true, after: { spec: { mtls: { mode: 'STRICT' } } } });
  expect(result.detail).toMatch(/^the re-read object does not hold spec\.mtls\.mode: another writer changed PeerAuthentication payments\/default after meshgov's patch \(resourceVersion \d+, now \d+\); not rolled back over that write: review it by hand$/);
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'UNSET' } });
  expect(live.emulator.requests().filter((r) => r.verb === 'patch').map((r) => [r.fieldManager, r.status])).toEqual([['meshgov', 200]]);
});

/** ledger's DestinationRule in orders, SIMPLE TLS with its own SNI and CA. */
const simpleToLedger = (): KubernetesObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'ledger-simple-tls', namespace: 'orders' },
  spec: { host: 'ledger.payments.svc.cluster.local', exportTo: ['.'], trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'ledger.payments.svc.cluster.local', caCertificates: '/etc/certs/ledger-ca.pem' } } },
});
const LEDGER_SIMPLE_TLS = '/apis/networking.istio.io/v1/namespaces/orders/destinationrules/ledger-simple-tls';

/**
 * The cluster behind a mutating admission policy that pins ledger-simple-tls to SIMPLE: our
 * ISTIO_MUTUAL patch is stored with its mode rewritten (its nulls get through), so the object it
 * makes does not hold it, at the very version it made. The writer is pointed at the policy.
 */
async function behindSimplePin(live: LiveCluster): Promise<{ executor: ReturnType<typeof istioExecutor>; stop: () => Promise<void> }> {
  const admission = await startMutatingAdmission(live.emulator.url, (method, path, body) =>
    method === 'PATCH' && path === LEDGER_SIMPLE_TLS && body['spec']?.trafficPolicy?.tls?.mode === 'ISTIO_MUTUAL'
      ? { ...body, spec: { ...body['spec'], trafficPolicy: { ...body['spec'].trafficPolicy, tls: { ...body['spec'].trafficPolicy.tls, mode: 'SIMPLE' } } } }
      : undefined,
  );
  const kubeConfig = await loadKubeConfigFor(admission.url);
  return { executor: istioExecutor({ kubeConfig, client: live.k8s, sleep: live.sleep }), stop: () => admission.stop() };
}

test('a change its own write did not hold (an admission policy rewrote it), still at the version it made, is rolled back to the previous spec', async () => {
  const live = await start([...wholeCluster(), simpleToLedger()]);
  const remediation = await fixFor(live, { kind: 'all', providers: ['istio'] }, (f) => f.rule === 'mtls-client-not-enforced' && f.resource.name === 'ledger-simple-tls');
  const pinned = await behindSimplePin(live);
  try {
    const result = await pinned.executor.apply(remediation, { trigger, changeId: 'chg-6b' });

    expect(result.outcome).toBe('rolled-back');
    expect(result.detail).toBe('the re-read object does not hold spec.trafficPolicy.tls.mode; the previous spec was restored');
    expect(live.emulator.get('dr', 'orders', 'ledger-simple-tls')!['spec']).toEqual(simpleToLedger()['spec']);
    expect(result.after).toMatchObject({ spec: simpleToLedger()['spec'] });
    expect(live.emulator.requests().filter((r) => r.verb === 'patch').map((r) => [r.fieldManager, r.status])).toEqual([
      ['meshgov', 200],
      ['meshgov', 200],
    ]);
  } finally {
    await pinned.stop();
  }
});

test('revert restores what the change set, and refuses when someone changed that field since', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  const executor = writer(live);
  const applied = await executor.apply(remediation, { trigger, changeId: 'chg-7' });
  expect(applied.outcome).toBe('verified');
  const change = recordOf('chg-7', remediation, applied);

  const reverted = await executor.revert(change, { trigger, changeId: 'chg-7-undo' });

  expect(reverted.outcome).toBe('verified');
  expect(reverted.detail).toBe('restored spec.mtls.mode as before change chg-7');
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  expect(paymentsPolicy(live).metadata.annotations?.['meshgov.io/change-id']).toBe('chg-7-undo');

  // Applied again, then someone moves the same field on: an undo must not overwrite that.
  const again = await executor.apply({ ...remediation, change: { ...remediation.change, target: { ...(remediation.change['target'] as object), resourceVersion: paymentsPolicy(live).metadata.resourceVersion } } }, { trigger, changeId: 'chg-8' });
  expect(again.outcome).toBe('verified');
  live.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => void (o['spec'] = { mtls: { mode: 'DISABLE' } }));
  const refused = await executor.revert(recordOf('chg-8', remediation, again), { trigger, changeId: 'chg-8-undo' });
  expect(refused.outcome).toBe('aborted');
  expect(refused.detail).toBe('spec.mtls.mode changed again since change chg-8; not overwriting that edit');
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'DISABLE' } });
});

test('set-istio-mutual clears the SIMPLE TLS fields of a DestinationRule, and revert puts them back', async () => {
  const simpleToLedger: KubernetesObject = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'ledger-simple-tls', namespace: 'orders' },
    spec: {
      host: 'ledger.payments.svc.cluster.local',
      exportTo: ['.'],
      trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'ledger.payments.svc.cluster.local' }, connectionPool: { tcp: { maxConnections: 100 } } },
    },
  };
  const live = await start([...wholeCluster(), simpleToLedger]);
  const remediation = await fixFor(live, { kind: 'all', providers: ['istio'] }, (f) => f.rule === 'mtls-client-not-enforced' && f.resource.name === 'ledger-simple-tls');
  expect(remediation.change).toMatchObject({ patch: { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: null } } } } });
  const executor = writer(live);

  const applied = await executor.apply(remediation, { trigger, changeId: 'chg-9' });

  expect(applied.outcome).toBe('verified');
  const stored = () => live.emulator.get('dr', 'orders', 'ledger-simple-tls')!['spec'];
  expect(stored()).toEqual({ host: 'ledger.payments.svc.cluster.local', exportTo: ['.'], trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, connectionPool: { tcp: { maxConnections: 100 } } } });

  const reverted = await executor.revert(recordOf('chg-9', remediation, applied), { trigger, changeId: 'chg-9-undo' });
  expect(reverted.outcome).toBe('verified');
  expect(stored()).toEqual(simpleToLedger['spec']);
});

test('create-strict creates the namespace policy, a second create aborts, and revert deletes it', async () => {
  // Mesh-wide PERMISSIVE: orders has no policy of its own, so the fix is a new namespace-wide one.
  const objects = [...controlPlane(), ...paymentsNamespace(), ...neighbourNamespaces()].map((o) =>
    o.kind === 'PeerAuthentication' && o.metadata.namespace === 'istio-system' ? { ...o, spec: { mtls: { mode: 'PERMISSIVE' } } } : o,
  );
  const live = await start(objects);
  const remediation = await fixFor(live, { kind: 'istio-namespace', namespace: 'orders' }, (f) => f.rule === 'mtls-not-strict' && f.resource.name === 'orders-api');
  expect(remediation.action).toBe('istio.peerauthentication.create-strict');
  const executor = writer(live);

  const created = await executor.apply(remediation, { trigger, changeId: 'chg-10' });

  expect(created.outcome).toBe('verified');
  expect(created.before).toBeNull();
  const stored = live.emulator.get('pa', 'orders', 'default')!;
  expect(stored['spec']).toEqual({ mtls: { mode: 'STRICT' } });
  expect(stored.metadata.annotations).toEqual({ 'meshgov.io/change-id': 'chg-10' });
  expect(live.emulator.requests().filter((r) => r.verb === 'create').map((r) => [r.path, r.fieldManager, r.status])).toEqual([
    ['/apis/security.istio.io/v1/namespaces/orders/peerauthentications', 'meshgov', 201],
  ]);

  const twice = await executor.apply(remediation, { trigger, changeId: 'chg-11' });
  expect(twice.outcome).toBe('aborted');
  expect(twice.detail).toBe('PeerAuthentication orders/default already exists; the next audit re-plans against it');

  const reverted = await executor.revert(recordOf('chg-10', remediation, created), { trigger, changeId: 'chg-10-undo' });
  expect(reverted).toMatchObject({ outcome: 'verified', detail: 'deleted the object change chg-10 created', after: null });
  expect(live.emulator.get('pa', 'orders', 'default')).toBeUndefined();
});

test('create-strict on a cluster whose PeerAuthentication is not served in v1 yet (Istio 1.18–1.21) creates it in v1beta1', async () => {
  const objects = [...controlPlane(), ...paymentsNamespace(), ...neighbourNamespaces()].map((o) =>
    o.kind === 'PeerAuthentication' && o.metadata.namespace === 'istio-system' ? { ...o, spec: { mtls: { mode: 'PERMISSIVE' } } } : o,
  );
  const live = await start(objects);
  const older = await startOlderApiServer(live.emulator.url, ['security.istio.io/v1/peerauthentications']);
  try {
    const kubeConfig = await loadKubeConfigFor(older.url);
    const inventory = await istioSource({ kubeConfig, client: live.k8s }).collect({ kind: 'istio-namespace', namespace: 'orders' });
    const finding = auditWithBuilders(inventory, { policy, now: new Date(), builders: [buildIstioModel, buildCertificateModel] }).findings.find(
      (f) => f.rule === 'mtls-not-strict' && f.resource.name === 'orders-api',
    );
    const remediation = finding!.remediation!;
    expect(remediation.action).toBe('istio.peerauthentication.create-strict');
    const executor = istioExecutor({ kubeConfig, client: live.k8s, sleep: live.sleep });

    const created = await executor.apply(remediation, { trigger, changeId: 'chg-20' });

    expect(created).toMatchObject({ outcome: 'verified', before: null, target: { apiVersion: 'security.istio.io/v1beta1', path: '/apis/security.istio.io/v1beta1/namespaces/orders/peerauthentications/default' } });
    expect(live.emulator.get('pa', 'orders', 'default')!['spec']).toEqual({ mtls: { mode: 'STRICT' } });
    expect(live.emulator.requests().filter((r) => r.verb === 'create').map((r) => [r.path, r.status])).toEqual([
      ['/apis/security.istio.io/v1beta1/namespaces/orders/peerauthentications', 201],
    ]);

    const reverted = await executor.revert(recordOf('chg-20', remediation, created), { trigger, changeId: 'chg-20-undo' });
    expect(reverted.outcome).toBe('verified');
    expect(live.emulator.get('pa', 'orders', 'default')).toBeUndefined();
  } finally {
    await older.stop();
  }
});

test('every request create-istio-mutual and its undo send is granted by the RBAC rules the agent is given', async () => {
  const live = await start();
  const remediation: Remediation = {
    action: 'istio.destinationrule.create-istio-mutual',
    mode: 'approval',
    reason: 'auto mTLS sends plaintext to a STRICT workload',
    change: {
      operation: 'create',
      object: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'ledger-istio-mutual', namespace: 'payments' },
        spec: { host: 'ledger.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
      },
    },
  };
  const executor = writer(live);
  const created = await executor.apply(remediation, { trigger, changeId: 'chg-30' });
  expect(created.outcome).toBe('verified');
  const reverted = await executor.revert(recordOf('chg-30', remediation, created), { trigger, changeId: 'chg-30-undo' });
  expect(reverted.outcome).toBe('verified');

  // Discovery is open to every authenticated user (system:discovery); everything else needs a rule.
  const rules = [...ISTIO_READER_RULES, ...ISTIO_WRITER_RULES];
  const denied = live.emulator
    .requests()
    .filter((r) => r.verb !== 'discovery')
    .filter((r) => !rules.some((rule) => rule.apiGroups.includes(r.group) && rule.resources.includes(r.resource) && rule.verbs.includes(r.verb) && (!rule.resourceNames || rule.resourceNames.includes(r.name ?? ''))))
    .map((r) => `${r.verb} ${r.group}/${r.resource}`);
  expect(denied).toEqual([]);
});

test('the writer handles the three Istio actions with a well-formed change, and nothing else', async () => {
  const live = await start();
  const executor = writer(live);
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  expect(executor.handles(remediation)).toBe(true);
  expect(executor.handles({ ...remediation, action: 'appmesh.listener.set-strict' })).toBe(false);
  expect(executor.handles({ ...remediation, change: { operation: 'merge-patch', target: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' }, patch: { data: {} } } })).toBe(false);
  const malformed = await executor.apply({ ...remediation, change: { operation: 'replace' } }, { trigger, changeId: 'chg-12' });
  expect(malformed).toEqual({ outcome: 'failed', detail: 'cannot apply istio.peerauthentication.set-strict: change.operation "replace" is neither merge-patch nor create', target: {}, wrote: false });
});

/** The next patch lands as `mutate` says, but its answer is lost (503): the client sends it again, now on a stale resourceVersion. */
function landThenLoseAnswer(live: LiveCluster, nth: number, mutate: (o: KubernetesObject) => void): void {
  let seen = 0;
  live.emulator.failNext((call) => {
    if (call.verb !== 'patch' || ++seen !== nth) return false;
    live.emulator.bumpResourceVersion('pa', 'payments', 'default', mutate);
    return true;
  }, 503);
}

test('undo does not restore over a policy that was deleted and created again since the change (another uid)', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  const executor = writer(live);
  const applied = await executor.apply(remediation, { trigger, changeId: 'chg-40' });
  expect(applied.outcome).toBe('verified');
  const firstUid = paymentsPolicy(live).metadata.uid;
  // Someone replaces the policy with their own STRICT one (kubectl replace --force, a GitOps re-create).
  live.emulator.seed([{ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments' }, spec: { mtls: { mode: 'STRICT' } } }]);
  expect(paymentsPolicy(live).metadata.uid).not.toBe(firstUid);
  live.emulator.resetCalls();

  const reverted = await executor.revert(recordOf('chg-40', remediation, applied), { trigger, changeId: 'chg-40-undo' });

  expect(reverted.outcome).toBe('aborted');
  expect(reverted.detail).toMatch(/deleted and created again/);
  expect(live.emulator.requests().filter((r) => r.verb === 'patch')).toEqual([]);
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'STRICT' } });
});

test('an undo whose patch landed but whose answer was lost (503, then 409 on the resend) is reported as done', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  const executor = writer(live);
  const applied = await executor.apply(remediation, { trigger, changeId: 'chg-41' });
  expect(applied.outcome).toBe('verified');
  live.emulator.resetCalls();
  landThenLoseAnswer(live, 1, (o) => {
    o['spec'] = { mtls: { mode: 'PERMISSIVE' } };
    o.metadata.annotations = { ...o.metadata.annotations, 'meshgov.io/change-id': 'chg-41-undo' };
  });

  const reverted = await executor.revert(recordOf('chg-41', remediation, applied), { trigger, changeId: 'chg-41-undo' });

  expect(live.emulator.requests().filter((r) => r.verb === 'patch').map((r) => r.status)).toEqual([503, 409]);
  expect(reverted).toMatchObject({ outcome: 'verified', detail: 'restored spec.mtls.mode as before change chg-41', after: { spec: { mtls: { mode: 'PERMISSIVE' } } }, wrote: true });
});

test('a rollback whose patch landed but whose answer was lost is reported as rolled back', async () => {
  const live = await start([...wholeCluster(), simpleToLedger()]);
  const remediation = await fixFor(live, { kind: 'all', providers: ['istio'] }, (f) => f.rule === 'mtls-client-not-enforced' && f.resource.name === 'ledger-simple-tls');
  const pinned = await behindSimplePin(live);
  let patches = 0;
  live.emulator.failNext((call) => {
    if (call.verb !== 'patch' || ++patches !== 2) return false;
    live.emulator.bumpResourceVersion('dr', 'orders', 'ledger-simple-tls', (o) => void (o['spec'] = simpleToLedger()['spec']));
    return true;
  }, 503);
  try {
    const result = await pinned.executor.apply(remediation, { trigger, changeId: 'chg-42' });

    expect(live.emulator.requests().filter((r) => r.verb === 'patch').map((r) => r.status)).toEqual([200, 503, 409]);
    expect(live.emulator.get('dr', 'orders', 'ledger-simple-tls')!['spec']).toEqual(simpleToLedger()['spec']);
    expect(result).toMatchObject({ outcome: 'rolled-back', after: { spec: simpleToLedger()['spec'] }, wrote: true });
  } finally {
    await pinned.stop();
  }
});

test('a patch that landed but whose answer was lost, and which cannot be read back after the resend meets 409, may have landed: aborted, but it wrote', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  let patches = 0;
  live.emulator.failNext(
    (call) => {
      if (call.resource !== 'peerauthentications') return false;
      if (call.verb === 'patch' && ++patches === 1) {
        live.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => {
          o['spec'] = { mtls: { mode: 'STRICT' } };
          o.metadata.annotations = { ...o.metadata.annotations, 'meshgov.io/change-id': 'chg-44' };
        });
        return true;
      }
      // After the resend, the reads that would tell whether it landed are shed too.
      return call.verb === 'get' && patches >= 2;
    },
    503,
    6,
    { retryAfterSeconds: 0 },
  );

  const result = await writer(live).apply(remediation, { trigger, changeId: 'chg-44' });

  expect(live.emulator.requests().filter((r) => r.verb === 'patch').map((r) => r.status)).toEqual([503, 409]);
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'STRICT' } });
  expect(result).toMatchObject({ outcome: 'aborted', wrote: true, detail: expect.stringContaining('perhaps by an earlier try of this write') });
});

test('the same change sent again after its first attempt landed (a taken-over approval) is not reported aborted, and its Undo leaves the policy alone', async () => {
  const live = await start();
  const remediation = await fixFor(live, PAYMENTS, paymentsApiNotStrict);
  const executor = writer(live);
  const first = await executor.apply(remediation, { trigger, changeId: 'chg-43' });
  expect(first.outcome).toBe('verified');
  live.emulator.resetCalls();

  // The hub never got the first answer, and runs the same change id again.
  const again = await executor.apply(remediation, { trigger, changeId: 'chg-43' });

  expect(again.outcome).toBe('verified');
  expect(again.detail).toMatch(/already applied by an earlier attempt of change chg-43/);
  // That attempt's write is this change's: it counts against the blast radius.
  expect(again.wrote).toBe(true);
  expect(again.before).toBeUndefined();
  expect(again.after).toMatchObject({ spec: { mtls: { mode: 'STRICT' } } });
  expect(live.emulator.requests().filter((r) => r.verb === 'patch')).toEqual([]);

  // Its record has no `before`: an Undo must not take that for "created by meshgov" and delete the policy.
  const undo = await executor.revert({ ...recordOf('chg-43', remediation, again), before: undefined }, { trigger, changeId: 'chg-43-undo' });
  expect(undo.outcome).toBe('failed');
  expect(live.emulator.requests().filter((r) => r.verb === 'delete' || r.verb === 'patch')).toEqual([]);
  expect(paymentsPolicy(live)['spec']).toEqual({ mtls: { mode: 'STRICT' } });
});
