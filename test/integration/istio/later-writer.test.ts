/**
 * Another writer edits an object right after meshgov's write landed (a person's `kubectl edit`,
 * an Argo CD sync): meshgov never rolls back, deletes or undoes over that edit. Only a write of
 * meshgov's own that did not hold, read back at the very version it made (a mutating admission
 * policy rewrote it), is rolled back; and the `after` a change records is what meshgov's write
 * made, never the re-read, so an Undo restores only what meshgov set.
 * Real parts: the Kubernetes emulator through the real client, the live Istio executor.
 */
import type { Remediation } from '../../../functions/core/findings';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import type { ApplyResult } from '../../../functions/core/pipeline/ports';
import type { Trigger } from '../../../functions/core/pipeline/trigger';
import { undoableFailure } from '../../../functions/core/remediation/undoable-failure';
import { CHANGE_ID_ANNOTATION, istioExecutor, type KubeConfig } from '../../../functions/providers/istio/live';
import type { KubernetesObject } from '../../emulators/kubernetes';
import { loadKubeConfigFor } from '../../emulators/kubernetes';
import { controlPlane, neighbourNamespaces, paymentsNamespace, wholeCluster } from './cluster-fixture';
import { startLiveCluster, type LiveCluster } from './live-cluster';
import { startMutatingAdmission, type MutatingAdmission } from './mutating-admission-proxy';

let live: LiveCluster | undefined;
let admission: MutatingAdmission | undefined;
afterEach(async () => {
  await admission?.stop();
  await live?.emulator.stop();
  admission = undefined;
  live = undefined;
});

const trigger: Trigger = { source: 'cloud-scheduler', eventId: 'sched-later-writer', eventTime: '2026-11-27T23:00:00Z', summary: 'scheduled audit' };

const PA = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication' };
const setStrict = (namespace: string, name: string, resourceVersion: string): Remediation => ({
  action: 'istio.peerauthentication.set-strict',
  mode: 'auto',
  reason: 'every caller has a sidecar',
  change: { operation: 'merge-patch', target: { ...PA, namespace, name, resourceVersion }, patch: { spec: { mtls: { mode: 'STRICT' } } } },
});
const createStrict = (namespace: string): Remediation => ({
  action: 'istio.peerauthentication.create-strict',
  mode: 'approval',
  reason: 'no policy of its own under a PERMISSIVE mesh',
  change: { operation: 'create', object: { ...PA, metadata: { name: 'default', namespace }, spec: { mtls: { mode: 'STRICT' } } } },
});
const setIstioMutual = (namespace: string, name: string, apiVersion: string, resourceVersion: string, tls: Record<string, unknown>): Remediation => ({
  action: 'istio.destinationrule.set-istio-mutual',
  mode: 'approval',
  reason: 'the server is STRICT',
  change: { operation: 'merge-patch', target: { apiVersion, kind: 'DestinationRule', namespace, name, resourceVersion }, patch: { spec: { trafficPolicy: { tls } } } },
});

/** A PERMISSIVE mesh: orders has no policy of its own, so its fix creates one. */
function permissiveMesh(): KubernetesObject[] {
  return [...controlPlane(), ...paymentsNamespace(), ...neighbourNamespaces()].map((o) =>
    o.kind === 'PeerAuthentication' && o.metadata.namespace === 'istio-system' ? { ...o, spec: { mtls: { mode: 'PERMISSIVE' } } } : o,
  );
}

/** The executor; `afterWrite` runs once, right after the first answered write of `method` (as someone else's edit would land). */
function executor(cluster: LiveCluster, afterWrite?: { method: 'PATCH' | 'POST'; edit: () => void }, kubeConfig: KubeConfig = cluster.kubeConfig) {
  let done = false;
  return istioExecutor({
    kubeConfig,
    client: cluster.k8s,
    sleep: cluster.sleep,
    onRequest: (request) => {
      if (afterWrite && !done && request.method === afterWrite.method && request.status >= 200 && request.status < 300) {
        done = true;
        afterWrite.edit();
      }
    },
  });
}

function recordOf(id: string, remediation: Remediation, result: ApplyResult): ChangeRecord {
  return {
    id,
    provider: 'istio',
    action: remediation.action,
    target: result.target,
    before: result.before,
    after: result.after,
    ...(result.afterWritten ? { afterWritten: true } : {}),
    reason: remediation.reason,
    trigger,
    at: '2026-11-27T23:00:05Z',
    outcome: result.outcome as ChangeRecord['outcome'],
    wrote: result.wrote ?? true,
    detail: result.detail,
    expiresAt: 2_000_000_000,
  };
}

const writes = (cluster: LiveCluster) => cluster.emulator.requests().filter((r) => ['patch', 'create', 'delete', 'update'].includes(r.verb));

describe('a fix that does not hold because someone wrote after it', () => {
  test('alice sets DISABLE right after the STRICT patch landed: not rolled back over, the change fails, and its Undo leaves her edit too', async () => {
    live = await startLiveCluster(wholeCluster());
    const cluster = live;
    const seen = cluster.emulator.get('pa', 'payments', 'default')!.metadata.resourceVersion!;
    const remediation = setStrict('payments', 'default', seen);
    const alice = () =>
      cluster.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => {
        (o['spec'] as any).mtls.mode = 'DISABLE';
        o.metadata.annotations = { ...o.metadata.annotations, 'edited-by': 'alice' };
      });
    const writer = executor(cluster, { method: 'PATCH', edit: alice });

    const result = await writer.apply(remediation, { trigger, changeId: 'chg-51' });

    expect(cluster.emulator.get('pa', 'payments', 'default')!['spec']).toEqual({ mtls: { mode: 'DISABLE' } });
    expect(writes(cluster).map((r) => [r.verb, r.status])).toEqual([['patch', 200]]);
    expect(result).toMatchObject({ outcome: 'failed', wrote: true, afterWritten: true, before: { spec: { mtls: { mode: 'PERMISSIVE' } } }, after: { spec: { mtls: { mode: 'STRICT' } } } });
    expect(result.detail).toMatch(/^the re-read object does not hold spec\.mtls\.mode: another writer changed PeerAuthentication payments\/default after meshgov's patch \(resourceVersion \d+, now \d+\); not rolled back over that write/);
    // `after` is the object meshgov's patch made, at its version, one before alice's.
    const written = (result.after as any).metadata.resourceVersion;
    expect(Number(cluster.emulator.get('pa', 'payments', 'default')!.metadata.resourceVersion)).toBe(Number(written) + 1);

    // The failed change is undoable, and its Undo sees alice's edit and leaves it.
    const change = recordOf('chg-51', remediation, result);
    expect(undoableFailure(change)).toBe(true);
    const undo = await writer.revert(change, { trigger, changeId: 'chg-51-undo' });
    expect(undo).toMatchObject({ outcome: 'aborted', wrote: false, detail: 'spec.mtls.mode changed again since change chg-51; not overwriting that edit' });
    expect(cluster.emulator.get('pa', 'payments', 'default')!['spec']).toEqual({ mtls: { mode: 'DISABLE' } });
  });

  test('an Argo CD sync puts the SIMPLE TLS of a DestinationRule back right after the ISTIO_MUTUAL patch: its sni and CA stay as Git has them', async () => {
    const simple: KubernetesObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'ledger-simple-tls', namespace: 'orders', annotations: { 'argocd.argoproj.io/tracking-id': 'orders:networking.istio.io/DestinationRule:orders/ledger-simple-tls' } },
      spec: { host: 'ledger.payments.svc.cluster.local', exportTo: ['.'], trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'ledger.payments.svc.cluster.local', caCertificates: '/etc/certs/ledger-ca.pem' } } },
    };
    live = await startLiveCluster([...wholeCluster(), simple]);
    const cluster = live;
    const seen = cluster.emulator.get('dr', 'orders', 'ledger-simple-tls')!.metadata.resourceVersion!;
    const sync = () => cluster.emulator.bumpResourceVersion('dr', 'orders', 'ledger-simple-tls', (o) => void (o['spec'] = structuredClone(simple['spec'])));
    const writer = executor(cluster, { method: 'PATCH', edit: sync });

    const result = await writer.apply(setIstioMutual('orders', 'ledger-simple-tls', 'networking.istio.io/v1', seen, { mode: 'ISTIO_MUTUAL', sni: null, caCertificates: null }), { trigger, changeId: 'chg-52' });

    expect(result).toMatchObject({ outcome: 'failed', wrote: true, afterWritten: true, after: { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } } });
    expect(result.detail).toContain("another writer changed DestinationRule orders/ledger-simple-tls after meshgov's patch");
    expect(cluster.emulator.get('dr', 'orders', 'ledger-simple-tls')!['spec']).toEqual(simple['spec']);
    expect(writes(cluster).map((r) => r.verb)).toEqual(['patch']);
  });

  test('a created policy alice edits right after the POST is not deleted; its Undo leaves it too', async () => {
    live = await startLiveCluster(permissiveMesh());
    const cluster = live;
    const hers = { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } };
    const alice = () =>
      cluster.emulator.bumpResourceVersion('pa', 'orders', 'default', (o) => {
        o['spec'] = structuredClone(hers);
        o.metadata.annotations = { ...o.metadata.annotations, owner: 'alice' };
      });
    const writer = executor(cluster, { method: 'POST', edit: alice });
    const remediation = createStrict('orders');

    const result = await writer.apply(remediation, { trigger, changeId: 'chg-53' });

    expect(cluster.emulator.get('pa', 'orders', 'default')!['spec']).toEqual(hers);
    expect(writes(cluster).map((r) => [r.verb, r.status])).toEqual([['create', 201]]);
    expect(result).toMatchObject({ outcome: 'failed', wrote: true, before: null, afterWritten: true, after: { spec: { mtls: { mode: 'STRICT' } } } });
    expect(result.detail).toMatch(/another writer changed PeerAuthentication orders\/default after meshgov created it \(resourceVersion \d+, now \d+\); not deleted/);

    const undo = await writer.revert(recordOf('chg-53', remediation, result), { trigger, changeId: 'chg-53-undo' });
    expect(undo).toMatchObject({ outcome: 'aborted', wrote: false });
    expect(cluster.emulator.get('pa', 'orders', 'default')!['spec']).toEqual(hers);
    expect(writes(cluster).map((r) => r.verb)).toEqual(['create']);
  });
});

describe("a fix meshgov's own write did not hold (a mutating admission policy rewrote it), read back at the version that write made", () => {
  async function behindPolicy(objects: KubernetesObject[], rewrite: Parameters<typeof startMutatingAdmission>[1]) {
    live = await startLiveCluster(objects);
    admission = await startMutatingAdmission(live.emulator.url, rewrite);
    return { cluster: live, kubeConfig: await loadKubeConfigFor(admission.url) };
  }

  test('a created policy a namespace policy turned PERMISSIVE is deleted, exactly the object that create made', async () => {
    // Kyverno-style: new PeerAuthentications in orders are admitted PERMISSIVE.
    const { cluster, kubeConfig } = await behindPolicy(permissiveMesh(), (method, path, body) =>
      method === 'POST' && path === '/apis/security.istio.io/v1/namespaces/orders/peerauthentications' ? { ...body, spec: { mtls: { mode: 'PERMISSIVE' } } } : undefined,
    );

    const result = await executor(cluster, undefined, kubeConfig).apply(createStrict('orders'), { trigger, changeId: 'chg-54' });

    expect(result).toMatchObject({ outcome: 'rolled-back', wrote: true, before: null, after: null, detail: 'the re-read object does not hold spec.mtls.mode; the created object was deleted' });
    expect(cluster.emulator.get('pa', 'orders', 'default')).toBeUndefined();
    expect(writes(cluster).map((r) => [r.verb, r.status])).toEqual([
      ['create', 201],
      ['delete', 200],
    ]);
  });

  test("is deleted too when only istiod's status writer wrote since (the resourceVersion moved, the generation and spec did not)", async () => {
    const { cluster, kubeConfig } = await behindPolicy(permissiveMesh(), (method, path, body) =>
      method === 'POST' && path === '/apis/security.istio.io/v1/namespaces/orders/peerauthentications' ? { ...body, spec: { mtls: { mode: 'PERMISSIVE' } } } : undefined,
    );
    // istiod's analysis writes its validation messages to status right after a new generation.
    const statusWrite = () =>
      cluster.emulator.bumpResourceVersion('pa', 'orders', 'default', (o) => void (o['status'] = { validationMessages: [{ documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0102/', level: 'Info', type: { code: 'IST0102' } }], observedGeneration: '1' }));

    const result = await executor(cluster, { method: 'POST', edit: statusWrite }, kubeConfig).apply(createStrict('orders'), { trigger, changeId: 'chg-58' });

    expect(result).toMatchObject({ outcome: 'rolled-back', detail: 'the re-read object does not hold spec.mtls.mode; the created object was deleted' });
    expect(cluster.emulator.get('pa', 'orders', 'default')).toBeUndefined();
  });
});

describe('a patch whose answer was lost', () => {
  test('records as its after the re-read that holds it, at the version and generation the API server gave it', async () => {
    live = await startLiveCluster(wholeCluster());
    const cluster = live;
    const seen = cluster.emulator.get('pa', 'payments', 'default')!;
    let patches = 0;
    // The write lands, then the API server times out answering it (503); the resend meets the new version (409).
    cluster.emulator.failNext(
      (call) => {
        if (call.verb !== 'patch' || call.resource !== 'peerauthentications' || ++patches !== 1) return false;
        cluster.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => {
          (o['spec'] as { mtls: { mode: string } }).mtls.mode = 'STRICT';
          o.metadata.annotations = { ...o.metadata.annotations, [CHANGE_ID_ANNOTATION]: 'chg-59' };
        });
        return true;
      },
      503,
      1,
      { retryAfterSeconds: 0 },
    );

    const result = await executor(cluster).apply(setStrict('payments', 'default', seen.metadata.resourceVersion!), { trigger, changeId: 'chg-59' });

    const stored = cluster.emulator.get('pa', 'payments', 'default')!;
    expect(result).toMatchObject({ outcome: 'verified', after: { spec: { mtls: { mode: 'STRICT' } }, metadata: { resourceVersion: stored.metadata.resourceVersion, generation: stored.metadata.generation } } });
  });

  test('records what the patch made, not a re-read that holds a port exception bob added meanwhile, so the Undo leaves his exception', async () => {
    live = await startLiveCluster(wholeCluster());
    const cluster = live;
    const seen = cluster.emulator.get('pa', 'payments', 'default')!;
    let patches = 0;
    cluster.emulator.failNext(
      (call) => {
        if (call.verb !== 'patch' || call.resource !== 'peerauthentications' || ++patches !== 1) return false;
        cluster.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => {
          (o['spec'] as { mtls: { mode: string } }).mtls.mode = 'STRICT';
          o.metadata.annotations = { ...o.metadata.annotations, [CHANGE_ID_ANNOTATION]: 'chg-60' };
        });
        // bob adds a port exception for the Prometheus scrape while meshgov waits for the lost answer.
        cluster.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => void ((o['spec'] as Record<string, unknown>)['portLevelMtls'] = { '15020': { mode: 'PERMISSIVE' } }));
        return true;
      },
      503,
      1,
      { retryAfterSeconds: 0 },
    );
    const remediation = setStrict('payments', 'default', seen.metadata.resourceVersion!);
    const writer = executor(cluster);
    const applied = await writer.apply(remediation, { trigger, changeId: 'chg-60' });
    expect(applied).toMatchObject({ outcome: 'verified', after: { spec: { mtls: { mode: 'STRICT' } } } });
    expect((applied.after as { spec: Record<string, unknown> }).spec['portLevelMtls']).toBeUndefined();

    await writer.revert(recordOf('chg-60', remediation, applied), { trigger, changeId: 'chg-60-undo' });
    expect(cluster.emulator.get('pa', 'payments', 'default')!['spec']).toEqual({ mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '15020': { mode: 'PERMISSIVE' } } });
  });
});

describe('the `after` of a verified fix is what its write made, so its Undo leaves a later edit alone', () => {
  test("a connectionPool another writer adds right after the ISTIO_MUTUAL patch survives the fix's Undo", async () => {
    live = await startLiveCluster(wholeCluster());
    const cluster = live;
    const dr = cluster.emulator.get('dr', 'orders', 'payments-api-plaintext')!;
    const pool = () => cluster.emulator.bumpResourceVersion('dr', 'orders', 'payments-api-plaintext', (o) => void ((o['spec'] as any).trafficPolicy.connectionPool = { tcp: { maxConnections: 100 } }));
    const writer = executor(cluster, { method: 'PATCH', edit: pool });
    const remediation = setIstioMutual('orders', 'payments-api-plaintext', 'networking.istio.io/v1beta1', dr.metadata.resourceVersion!, { mode: 'ISTIO_MUTUAL' });

    const applied = await writer.apply(remediation, { trigger, changeId: 'chg-55' });

    expect(applied.outcome).toBe('verified');
    expect((applied.after as any).spec).toEqual({ host: 'payments-api.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, exportTo: ['.'] });
    expect(Number((applied.after as any).metadata.resourceVersion)).toBe(Number(cluster.emulator.get('dr', 'orders', 'payments-api-plaintext')!.metadata.resourceVersion) - 1);
    expect(applied.target).toMatchObject({ resourceVersion: (applied.after as any).metadata.resourceVersion });

    const undone = await writer.revert(recordOf('chg-55', remediation, applied), { trigger, changeId: 'chg-55-undo' });

    expect(undone).toMatchObject({ outcome: 'verified', detail: 'restored spec.trafficPolicy.tls.mode as before change chg-55' });
    expect(cluster.emulator.get('dr', 'orders', 'payments-api-plaintext')!['spec']).toEqual({
      host: 'payments-api.payments.svc.cluster.local',
      trafficPolicy: { tls: { mode: 'DISABLE' }, connectionPool: { tcp: { maxConnections: 100 } } },
      exportTo: ['.'],
    });
  });

  test('a port exception added right after the STRICT patch survives its Undo, which puts back PERMISSIVE only', async () => {
    live = await startLiveCluster(wholeCluster());
    const cluster = live;
    const seen = cluster.emulator.get('pa', 'payments', 'default')!.metadata.resourceVersion!;
    const exception = () => cluster.emulator.bumpResourceVersion('pa', 'payments', 'default', (o) => void ((o['spec'] as any).portLevelMtls = { '15020': { mode: 'PERMISSIVE' } }));
    const writer = executor(cluster, { method: 'PATCH', edit: exception });
    const remediation = setStrict('payments', 'default', seen);

    const applied = await writer.apply(remediation, { trigger, changeId: 'chg-56' });
    expect(applied).toMatchObject({ outcome: 'verified', after: { spec: { mtls: { mode: 'STRICT' } } } });
    expect((applied.after as any).spec.portLevelMtls).toBeUndefined();

    const undone = await writer.revert(recordOf('chg-56', remediation, applied), { trigger, changeId: 'chg-56-undo' });

    expect(undone).toMatchObject({ outcome: 'verified', detail: 'restored spec.mtls.mode as before change chg-56' });
    expect(cluster.emulator.get('pa', 'payments', 'default')!['spec']).toEqual({ mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '15020': { mode: 'PERMISSIVE' } } });
  });

  test('a created policy someone adds a port exception to right after the POST: its Undo leaves it in place rather than delete their edit', async () => {
    live = await startLiveCluster(permissiveMesh());
    const cluster = live;
    const exception = () => cluster.emulator.bumpResourceVersion('pa', 'orders', 'default', (o) => void ((o['spec'] as any).portLevelMtls = { '9090': { mode: 'PERMISSIVE' } }));
    const writer = executor(cluster, { method: 'POST', edit: exception });
    const remediation = createStrict('orders');

    const created = await writer.apply(remediation, { trigger, changeId: 'chg-57' });
    expect(created).toMatchObject({ outcome: 'verified', before: null, after: { spec: { mtls: { mode: 'STRICT' } } } });

    const undone = await writer.revert(recordOf('chg-57', remediation, created), { trigger, changeId: 'chg-57-undo' });

    expect(undone).toMatchObject({ outcome: 'aborted', detail: 'the object change chg-57 created has been replaced or edited since; it is left in place' });
    expect(cluster.emulator.get('pa', 'orders', 'default')!['spec']).toEqual({ mtls: { mode: 'STRICT' }, portLevelMtls: { '9090': { mode: 'PERMISSIVE' } } });
  });
});
