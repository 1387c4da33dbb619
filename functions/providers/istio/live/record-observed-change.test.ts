import type { ObservedIstioChange, ObservedIstioObject } from '../../../core/link/messages';
import { MemoryLedger } from '../../../core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../core/ledger/types';
import { madeByMeshgov } from '../../../core/ledger/meshgov-changes';
import type { Trigger } from '../../../core/pipeline/trigger';
import { recordObservedIstioChange } from './record-observed-change';

const NOW = new Date('2026-11-20T14:47:20Z');
const UID = '3f1c8e2a-6b4d-4c9e-a7f1-0d2b5e8c9a14';

function dr(mode: string, resourceVersion: string, generation: number, uid = UID): ObservedIstioObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'payments-api', namespace: 'payments', uid, resourceVersion, generation },
    spec: { host: 'payments-api.payments.svc.cluster.local', trafficPolicy: { tls: { mode } } },
  };
}

const TRIGGER: Trigger = {
  source: 'gke-audit',
  eventId: '13268925375186001',
  eventTime: '2026-11-20T14:47:12.483917Z',
  actor: 'bob@example.com',
  summary: 'patch DestinationRule payments/payments-api by bob@example.com',
};

/** bob's patch of payments/payments-api from ISTIO_MUTUAL to DISABLE (generation 3). */
function bobsPatch(vary: Partial<ObservedIstioChange> = {}): ObservedIstioChange {
  return {
    id: 'chg-gke-audit-5c7e9a1b-3d5f-4e7a-9b1c-2d4f6a8b0c13',
    verb: 'patch',
    kind: 'DestinationRule',
    apiVersion: 'networking.istio.io/v1',
    namespace: 'payments',
    name: 'payments-api',
    actor: 'bob@example.com',
    at: '2026-11-20T14:47:12.483917Z',
    object: dr('DISABLE', '48215120', 3),
    objectFrom: 'audit-response',
    services: ['istio:payments/payments-api'],
    ...vary,
  };
}

/** meshgov's approved fix that set ISTIO_MUTUAL, leaving generation 2. */
function meshgovFix(after: ObservedIstioObject = dr('ISTIO_MUTUAL', '48214007', 2)): ChangeRecord {
  return {
    id: 'chg-0042',
    findingId: 'mtls-client-not-enforced:istio:payments/payments-api',
    approvalId: 'rmd-5d1f3b7a9c2e',
    provider: 'istio',
    action: 'istio.destinationrule.set-istio-mutual',
    target: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace: 'payments', name: 'payments-api', resourceVersion: after.metadata.resourceVersion },
    before: dr('SIMPLE', '48213990', after.metadata.generation! - 1, after.metadata.uid),
    after,
    reason: 'payments-api clients send TLS without a mesh certificate',
    trigger: { source: 'slack', eventId: 'rmd-5d1f3b7a9c2e', eventTime: '2026-11-20T09:12:00Z', actor: 'slack:U05JX7RB2LM', summary: 'approval rmd-5d1f3b7a9c2e by Slack user U05JX7RB2LM' },
    approvedBy: 'U05JX7RB2LM',
    at: '2026-11-20T09:12:00.000Z',
    outcome: 'verified',
    service: 'istio:payments/payments-api',
    expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400,
  };
}

async function ledgerWith(...changes: ChangeRecord[]): Promise<MemoryLedger> {
  const ledger = new MemoryLedger(() => NOW);
  for (const c of changes) await ledger.recordChange(c);
  return ledger;
}

test("bob's patch after meshgov's fix: recorded as a person's change, with meshgov's result as the spec it replaced, once", async () => {
  const ledger = await ledgerWith(meshgovFix());
  const first = await recordObservedIstioChange(bobsPatch(), TRIGGER, ledger, NOW);
  expect(first.status).toBe('recorded');
  expect(first.change).toEqual({
    id: 'chg-gke-audit-5c7e9a1b-3d5f-4e7a-9b1c-2d4f6a8b0c13',
    provider: 'istio',
    action: 'istio.destinationrule.patch',
    target: { kind: 'DestinationRule', apiVersion: 'networking.istio.io/v1', namespace: 'payments', name: 'payments-api', services: ['istio:payments/payments-api'], uid: UID, resourceVersion: '48215120', generation: 3 },
    before: dr('ISTIO_MUTUAL', '48214007', 2),
    after: dr('DISABLE', '48215120', 3),
    reason: 'patch DestinationRule payments/payments-api by bob@example.com, outside meshgov',
    trigger: TRIGGER,
    at: '2026-11-20T14:47:12.483917Z',
    outcome: 'applied',
    detail: 'previous spec from change chg-0042, which recorded generation 2',
    service: 'istio:payments/payments-api',
    expiresAt: Math.floor(NOW.getTime() / 1000) + 90 * 86_400,
  });
  expect(madeByMeshgov(first.change)).toBe(false);

  const again = await recordObservedIstioChange(bobsPatch(), TRIGGER, ledger, new Date(NOW.getTime() + 60_000));
  expect(again.status).toBe('already-recorded');
  expect((await ledger.listChanges('2026-11-20T00:00:00Z')).map((c) => c.id)).toEqual([first.change.id, 'chg-0042']);
});

test('the resourceVersion an update was conditional on finds the version it replaced exactly', async () => {
  const ledger = await ledgerWith(meshgovFix());
  const out = await recordObservedIstioChange(bobsPatch({ verb: 'update', replacedResourceVersion: '48214007' }), TRIGGER, ledger, NOW);
  expect(out.change).toMatchObject({ action: 'istio.destinationrule.update', before: { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } }, detail: 'previous spec from change chg-0042, at resourceVersion 48214007, which the request replaced' });
});

test.each([
  ['meshgov holds no copy', [] as ChangeRecord[], 'previous spec unknown: the change made generation 3, and meshgov holds no copy of the object (it saw no earlier change to it)'],
  ['a change was missed in between', [meshgovFix(dr('ISTIO_MUTUAL', '48213990', 1))], "previous spec unknown: the change made generation 3, and meshgov's latest copy is generation 1, and the changes in between were not seen"],
  ['the object was deleted and created again (another uid)', [meshgovFix(dr('ISTIO_MUTUAL', '48214007', 2, '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'))], 'previous spec unknown: the change made generation 3, and meshgov holds no copy of the object (it saw no earlier change to it)'],
])('the previous spec is unknown when %s, and the record says why', async (_name, held, detail) => {
  const out = await recordObservedIstioChange(bobsPatch(), TRIGGER, await ledgerWith(...held), NOW);
  expect(out.change.before).toBeUndefined();
  expect(out.change.detail).toBe(detail);
  expect(out.change.service).toBe('istio:payments/payments-api');
});

test('an update whose spec came from the request has no generation: unknown', async () => {
  const object = { ...dr('DISABLE', '', 0), metadata: { name: 'payments-api', namespace: 'payments' } };
  const out = await recordObservedIstioChange(bobsPatch({ verb: 'update', object, objectFrom: 'audit-request' }), TRIGGER, await ledgerWith(meshgovFix()), NOW);
  expect(out.change.before).toBeUndefined();
  expect(out.change.detail).toMatch(/^previous spec unknown: the update request gives the spec, but not the uid and generation it produced/);
});

test('a change that left the spec as it was (the generation was already on record) touches no service', async () => {
  const out = await recordObservedIstioChange(bobsPatch({ object: dr('ISTIO_MUTUAL', '48214500', 2) }), TRIGGER, await ledgerWith(meshgovFix()), NOW);
  expect(out.change.target.services).toEqual([]);
  expect(out.change.service).toBeUndefined();
  expect(out.change.detail).toMatch(/did not change the spec.*touches no service/);
});

test("a namespace-wide policy touching several services is keyed by the object itself, and lists them all", async () => {
  const pa: ObservedIstioObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments', uid: UID, resourceVersion: '9', generation: 1 }, spec: { mtls: { mode: 'PERMISSIVE' } } };
  const out = await recordObservedIstioChange(
    bobsPatch({ verb: 'create', kind: 'PeerAuthentication', apiVersion: 'security.istio.io/v1', name: 'default', object: pa, services: ['istio:payments/ledger', 'istio:payments/payments-api'] }),
    TRIGGER,
    await ledgerWith(),
    NOW,
  );
  expect(out.change).toMatchObject({ action: 'istio.peerauthentication.create', before: null, service: 'istio:payments/default', target: { services: ['istio:payments/ledger', 'istio:payments/payments-api'] }, detail: 'previous spec none: the change created the object' });
});

test('a delete keeps the deleted object as the previous spec when the response carried it', async () => {
  const out = await recordObservedIstioChange(bobsPatch({ verb: 'delete', object: null, deleted: dr('ISTIO_MUTUAL', '48214007', 2) }), TRIGGER, await ledgerWith(), NOW);
  expect(out.change).toMatchObject({ action: 'istio.destinationrule.delete', after: null, before: { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } }, target: { uid: UID } });
});
