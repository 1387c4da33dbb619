import { ownersByField, recordUpdate } from './managed-fields';
import { serverSideApply, type ApplyRequest } from './server-side-apply';
import { StatusError } from './status-errors';
import type { Json, JsonObject, ManagedFieldsEntry } from './types';

const T0 = '2025-06-01T09:00:00Z';
const T1 = '2025-06-02T09:00:00Z';

/** payments/default as `kubectl apply` (client-side) created it. */
function livePeerAuthentication(): JsonObject {
  const object: JsonObject = {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: 'payments', resourceVersion: '1207', labels: { team: 'payments' } },
    spec: { mtls: { mode: 'PERMISSIVE' } },
  };
  const entries = recordUpdate([], undefined, object, { manager: 'kubectl-client-side-apply', operation: 'Update' }, 'security.istio.io/v1', T0, 'main');
  (object['metadata'] as JsonObject)['managedFields'] = entries as unknown as Json;
  return object;
}

function apply(live: JsonObject, spec: Json, overrides: Partial<ApplyRequest> = {}): JsonObject {
  const applied: JsonObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments' }, spec };
  return serverSideApply({ live, applied, owner: { manager: 'meshgov', operation: 'Apply' }, apiVersion: 'security.istio.io/v1', time: T1, force: false, scope: 'main', ...overrides });
}

const managed = (object: JsonObject): ManagedFieldsEntry[] => (object['metadata'] as unknown as { managedFields: ManagedFieldsEntry[] }).managedFields;

test('the creator owns every field it wrote, except the ones the API server owns', () => {
  expect(ownersByField(managed(livePeerAuthentication()))).toEqual({ 'kubectl-client-side-apply': ['.metadata.labels.team', '.spec.mtls.mode'] });
});

test('applying the value another manager already set shares the field without conflict', () => {
  const result = apply(livePeerAuthentication(), { mtls: { mode: 'PERMISSIVE' } });
  expect(ownersByField(managed(result))).toEqual({ 'kubectl-client-side-apply': ['.metadata.labels.team', '.spec.mtls.mode'], meshgov: ['.spec.mtls.mode'] });
  expect(managed(result).find((e) => e.manager === 'meshgov')).toMatchObject({ operation: 'Apply', time: T1, apiVersion: 'security.istio.io/v1' });
});

test('changing a field another manager owns conflicts unless forced, and force moves the ownership', () => {
  const live = livePeerAuthentication();
  let conflict: unknown;
  try {
    apply(live, { mtls: { mode: 'STRICT' } });
  } catch (error) {
    conflict = error;
  }
  expect(conflict).toBeInstanceOf(StatusError);
  expect((conflict as StatusError).status).toMatchObject({ code: 409, reason: 'Conflict', details: { causes: [{ field: '.spec.mtls.mode' }] } });

  const forced = apply(live, { mtls: { mode: 'STRICT' } }, { force: true });
  expect((forced['spec'] as JsonObject)['mtls']).toEqual({ mode: 'STRICT' });
  expect(ownersByField(managed(forced))).toEqual({ 'kubectl-client-side-apply': ['.metadata.labels.team'], meshgov: ['.spec.mtls.mode'] });
});

test('fields the applier stops sending go away unless someone else owns them', () => {
  const first = apply(livePeerAuthentication(), { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } });
  const second = apply(first, {});
  // portLevelMtls was meshgov's alone: removed. mtls.mode is still kubectl's: kept.
  expect(second['spec']).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  // The empty `spec: {}` it sent is itself a field it now owns (the map's existence).
  expect(ownersByField(managed(second))).toEqual({ 'kubectl-client-side-apply': ['.metadata.labels.team', '.spec.mtls.mode'], meshgov: ['.spec'] });
});

test('re-applying the same configuration is a no-op: the very same live object comes back', () => {
  const first = apply(livePeerAuthentication(), { mtls: { mode: 'PERMISSIVE' } });
  expect(apply(first, { mtls: { mode: 'PERMISSIVE' } }, { time: '2025-06-03T09:00:00Z' })).toBe(first);
});

test('an Update takes the fields it changes away from their previous owner', () => {
  const live = livePeerAuthentication();
  const edited = structuredClone(live);
  ((edited['spec'] as JsonObject)['mtls'] as JsonObject)['mode'] = 'STRICT';
  const entries = recordUpdate(managed(live), live, edited, { manager: 'kubectl-edit', operation: 'Update' }, 'security.istio.io/v1', T1, 'main');
  expect(ownersByField(entries)).toEqual({ 'kubectl-client-side-apply': ['.metadata.labels.team'], 'kubectl-edit': ['.spec.mtls.mode'] });
  expect(recordUpdate(entries, edited, edited, { manager: 'kubectl-edit', operation: 'Update' }, 'security.istio.io/v1', T1, 'main')).toBe(entries);
});
