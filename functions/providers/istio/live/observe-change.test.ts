import type { KubeObject } from '../../../core/model/inventory';
import { sharedEvent } from '../../../../test/support/shared-events';
import { observeIstioChange, type AuditedIstioWrite } from './observe-change';
import { bobsPeerAuthenticationPatch } from '../../../../test/support/observed-istio-change';

type Entry = Record<string, any>;

/** bob's `kubectl patch` of PeerAuthentication payments/default to PERMISSIVE (the shared storyline), as the adapter reads it. */
function bobsPatch(vary: (e: Entry) => void = () => {}): AuditedIstioWrite {
  const e = sharedEvent<Entry>('gcp/k8s-audit-peerauthentication.logentry.json');
  vary(e);
  const p = e.protoPayload;
  return {
    insertId: e.insertId,
    kind: 'PeerAuthentication',
    apiVersion: 'security.istio.io/v1',
    namespace: 'payments',
    name: 'default',
    verb: p.methodName.split('.').pop(),
    actor: p.authenticationInfo.principalEmail,
    at: e.timestamp,
    ...(p.request ? { request: p.request } : {}),
    ...(p.response ? { response: p.response } : {}),
  };
}

/** What the scoped audit of payments read right after the event (a later edit made it STRICT with a port exception). */
const READ: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments-api', namespace: 'payments' }, spec: { selector: { app: 'payments-api' } } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ledger', namespace: 'payments' }, spec: { selector: { app: 'ledger' } } },
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: 'payments', uid: '9b4d6f8a-2c1e-4a3b-8d5f-7e9a1c3b5d60', resourceVersion: '48213502', generation: 4 },
    spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } },
  },
];

test('a patch logged with its response: the object is the response, with the versions the change produced', () => {
  const observed = observeIstioChange(bobsPatch(), READ, 'istio-system');
  expect(observed).toEqual({ kind: 'observed', change: bobsPeerAuthenticationPatch() });
});

test('without the bodies (GKE did not log them): the object as the audit read it', () => {
  const observed = observeIstioChange(
    bobsPatch((e) => {
      delete e.protoPayload.request;
      delete e.protoPayload.response;
    }),
    READ,
    'istio-system',
  );
  expect(observed).toMatchObject({ kind: 'observed', change: { objectFrom: 'live-read', object: { metadata: { resourceVersion: '48213502', generation: 4 }, spec: { mtls: { mode: 'STRICT' } } } } });
});

test('an update whose object is gone from the read: the spec from the request, and the resourceVersion it replaced', () => {
  const write = bobsPatch((e) => {
    e.protoPayload.methodName = 'io.istio.security.v1.peerauthentications.update';
    e.protoPayload.request = { '@type': 'security.istio.io/v1.PeerAuthentication', apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments', resourceVersion: '48213001' }, spec: { mtls: { mode: 'DISABLE' } } };
    delete e.protoPayload.response;
  });
  const observed = observeIstioChange(write, READ.slice(0, 2), 'istio-system');
  expect(observed).toMatchObject({
    kind: 'observed',
    change: { verb: 'update', objectFrom: 'audit-request', replacedResourceVersion: '48213001', object: { metadata: { name: 'default', namespace: 'payments' }, spec: { mtls: { mode: 'DISABLE' } } } },
  });
  if (observed.kind === 'observed') expect(observed.change.object!.metadata.resourceVersion).toBeUndefined();
});

test('a delete leaves no object; a Status response is not the deleted object', () => {
  const observed = observeIstioChange(
    bobsPatch((e) => {
      e.protoPayload.methodName = 'io.istio.security.v1.peerauthentications.delete';
      e.protoPayload.request = { '@type': 'k8s.io/DeleteOptions', apiVersion: 'v1', kind: 'DeleteOptions' };
      e.protoPayload.response = { '@type': 'core.k8s.io/v1.Status', apiVersion: 'v1', kind: 'Status', status: 'Success' };
    }),
    READ.slice(0, 2),
    'istio-system',
  );
  expect(observed).toMatchObject({ kind: 'observed', change: { verb: 'delete', object: null, services: [] } });
  if (observed.kind === 'observed') expect(observed.change.deleted).toBeUndefined();
});

test.each([
  ['a deletecollection', (w: AuditedIstioWrite) => ({ ...w, verb: 'deletecollection' })],
  ['a write without a name', (w: AuditedIstioWrite) => ({ ...w, name: undefined })],
  ['an entry without insertId', (w: AuditedIstioWrite) => ({ ...w, insertId: '' })],
  ['a Sidecar', (w: AuditedIstioWrite) => ({ ...w, kind: 'Sidecar' })],
] as Array<[string, (w: AuditedIstioWrite) => AuditedIstioWrite]>)('%s is not recorded', (_name, vary) => {
  expect(observeIstioChange(vary(bobsPatch()), READ, 'istio-system')).toMatchObject({ kind: 'not-recorded' });
});
