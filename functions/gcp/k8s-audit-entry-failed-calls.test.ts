import { sharedEvent } from '../../test/support/shared-events';
import { classifyAuditEntry } from './k8s-audit-entry';

type Entry = Record<string, any>;

/** bob's patch of payments/default, answered with `status` (google.rpc.Status) and no response body. */
function failed(status: Record<string, unknown>): Entry {
  const entry = sharedEvent<Entry>('gcp/k8s-audit-peerauthentication.logentry.json');
  entry.protoPayload.status = status;
  delete entry.protoPayload.response;
  return entry;
}

// The API server refused these before storing anything: auditing them would report a change that never happened.
test.each([
  [3, 'INVALID_ARGUMENT (422: the webhook or schema rejected it)'],
  [5, 'NOT_FOUND (404)'],
  [6, 'ALREADY_EXISTS (409 on create)'],
  [7, 'PERMISSION_DENIED (403)'],
  [9, 'FAILED_PRECONDITION'],
  [10, 'ABORTED (409 resourceVersion conflict)'],
  [16, 'UNAUTHENTICATED (401)'],
])('a request refused with status code %d, %s, is ignored', (code) => {
  expect(classifyAuditEntry(failed({ code, message: 'refused' }))).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^the request failed \(status code \d+: refused\), so nothing changed$/) });
});

// A timeout or server error does not say the write was refused: Kubernetes may have stored it (504
// Timeout: "the request may still be processing"), so the change is audited, marked as unconfirmed.
test.each([
  [4, 'DEADLINE_EXCEEDED', 'Timeout: request did not complete within requested timeout'],
  [13, 'INTERNAL', 'etcdserver: request timed out'],
  [14, 'UNAVAILABLE', 'the server is currently unable to handle the request'],
  [2, 'UNKNOWN', 'unknown'],
  [1, 'CANCELLED', 'the client closed the connection'],
])('a request answered with status code %d (%s) may have been stored: it is an Istio change whose outcome is unknown', (code, _name, message) => {
  expect(classifyAuditEntry(failed({ code, message }))).toEqual({
    kind: 'istio-change',
    change: expect.objectContaining({ kind: 'PeerAuthentication', namespace: 'payments', name: 'default', verb: 'patch', unconfirmed: { code, message } }),
  });
});

test('a successful request (status code 0, or an empty status) is not marked unconfirmed', () => {
  for (const status of [{ code: 0 }, {}]) {
    const verdict = classifyAuditEntry(failed(status));
    expect(verdict.kind).toBe('istio-change');
    expect(verdict.kind === 'istio-change' && 'unconfirmed' in verdict.change).toBe(false);
  }
});
