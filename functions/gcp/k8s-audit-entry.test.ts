import { sharedEvent } from '../../test/support/shared-events';
import { classifyAuditEntry, type AuditEntryVerdict } from './k8s-audit-entry';

type Entry = Record<string, any>;

/** bob's patch of PeerAuthentication payments/default (the shared storyline), varied per case. */
function entry(vary: (e: Entry) => void = () => {}): Entry {
  const e = sharedEvent<Entry>('gcp/k8s-audit-peerauthentication.logentry.json');
  vary(e);
  return e;
}

/** Points the entry at another resource, as GKE writes resourceName and methodName for it. */
function at(resourceName: string, methodName: string): (e: Entry) => void {
  return (e) => {
    e.protoPayload.resourceName = resourceName;
    e.protoPayload.methodName = methodName;
    e.protoPayload.authorizationInfo[0].resource = resourceName;
    e.protoPayload.authorizationInfo[0].permission = methodName;
  };
}

test('bob patching PeerAuthentication payments/default is an Istio change with actor, time and cluster', () => {
  expect(classifyAuditEntry(entry())).toEqual({
    kind: 'istio-change',
    change: {
      kind: 'PeerAuthentication',
      apiVersion: 'security.istio.io/v1',
      namespace: 'payments',
      name: 'default',
      verb: 'patch',
      actor: 'bob@example.com',
      at: '2026-11-20T14:47:12.483917Z',
      cluster: { project: 'meshgov-demo', location: 'us-central1', name: 'prod-gke' },
    },
  });
});

const cases: Array<{ name: string; vary: (e: Entry) => void; expected: Partial<AuditEntryVerdict> & Record<string, unknown> }> = [
  {
    name: 'a DestinationRule update in orders',
    vary: at('networking.istio.io/v1/namespaces/orders/destinationrules/payments-api', 'io.istio.networking.v1.destinationrules.update'),
    expected: { kind: 'istio-change', change: expect.objectContaining({ kind: 'DestinationRule', apiVersion: 'networking.istio.io/v1', namespace: 'orders', name: 'payments-api', verb: 'update' }) },
  },
  {
    name: "a DestinationRule's host is taken from the object the API server returned",
    vary: (e) => {
      at('networking.istio.io/v1/namespaces/orders/destinationrules/payments-api-plaintext', 'io.istio.networking.v1.destinationrules.patch')(e);
      e.protoPayload.request = { '@type': 'k8s.io/Patch', spec: { trafficPolicy: { tls: { mode: 'DISABLE' } } } };
      e.protoPayload.response = { '@type': 'networking.istio.io/v1.DestinationRule', apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'payments-api-plaintext', namespace: 'orders' }, spec: { host: 'payments-api.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } } } };
    },
    expected: { kind: 'istio-change', change: expect.objectContaining({ kind: 'DestinationRule', host: 'payments-api.payments.svc.cluster.local' }) },
  },
  {
    name: 'a ServiceEntry delete in v1beta1',
    vary: at('networking.istio.io/v1beta1/namespaces/payments/serviceentries/ledger-external', 'io.istio.networking.v1beta1.serviceentries.delete'),
    expected: { kind: 'istio-change', change: expect.objectContaining({ kind: 'ServiceEntry', apiVersion: 'networking.istio.io/v1beta1', verb: 'delete', name: 'ledger-external' }) },
  },
  {
    name: 'a PeerAuthentication create in v1beta1',
    vary: at('security.istio.io/v1beta1/namespaces/checkout/peerauthentications/default', 'io.istio.security.v1beta1.peerauthentications.create'),
    expected: { kind: 'istio-change', change: expect.objectContaining({ namespace: 'checkout', verb: 'create' }) },
  },
  {
    name: 'a deletecollection of DestinationRules in a namespace (no name)',
    vary: at('networking.istio.io/v1/namespaces/orders/destinationrules', 'io.istio.networking.v1.destinationrules.deletecollection'),
    expected: { kind: 'istio-change', change: expect.not.objectContaining({ name: expect.anything() }) },
  },
  {
    name: 'an entry without methodName still counts: the decision keys on resourceName',
    vary: (e) => delete e.protoPayload.methodName,
    expected: { kind: 'istio-change', change: expect.objectContaining({ verb: 'unknown', namespace: 'payments' }) },
  },
  {
    name: 'a change by an unknown principal (no authenticationInfo) has no actor',
    vary: (e) => delete e.protoPayload.authenticationInfo,
    expected: { kind: 'istio-change', change: expect.not.objectContaining({ actor: expect.anything() }) },
  },
  {
    name: 'a Deployment patch is not an Istio kind',
    vary: at('apps/v1/namespaces/payments/deployments/payments-api', 'io.k8s.apps.v1.deployments.patch'),
    expected: { kind: 'ignored', reason: 'apps deployments is not an Istio kind meshgov audits' },
  },
  {
    name: 'a core Secret update is not an Istio kind',
    vary: at('core/v1/namespaces/istio-system/secrets/cacerts', 'io.k8s.core.v1.secrets.update'),
    expected: { kind: 'ignored', reason: 'secrets is not an Istio kind meshgov audits' },
  },
  {
    name: 'a VirtualService is Istio but not audited',
    vary: at('networking.istio.io/v1/namespaces/payments/virtualservices/payments-api', 'io.istio.networking.v1.virtualservices.patch'),
    expected: { kind: 'ignored', reason: 'networking.istio.io virtualservices is not an Istio kind meshgov audits' },
  },
  {
    name: 'a status update by istiod changes no policy',
    vary: at('security.istio.io/v1/namespaces/payments/peerauthentications/default/status', 'io.istio.security.v1.peerauthentications.status.update'),
    expected: { kind: 'ignored', reason: 'a change to the status subresource does not change the policy' },
  },
  {
    name: 'a refused patch (403) changed nothing',
    vary: (e) => (e.protoPayload.status = { code: 7, message: 'PERMISSION_DENIED' }),
    expected: { kind: 'ignored', reason: 'the request failed (status code 7: PERMISSION_DENIED), so nothing changed' },
  },
  {
    name: 'a get in a data-access entry changes nothing',
    vary: at('security.istio.io/v1/namespaces/payments/peerauthentications/default', 'io.istio.security.v1.peerauthentications.get'),
    expected: { kind: 'ignored', reason: 'get changes nothing' },
  },
  {
    name: 'a Cloud Storage audit entry is not a Kubernetes one',
    vary: (e) => (e.protoPayload.serviceName = 'storage.googleapis.com'),
    expected: { kind: 'ignored', reason: 'serviceName is storage.googleapis.com, not k8s.io: not a Kubernetes audit entry' },
  },
  {
    name: 'a server-side dry-run delete (DeleteOptions dryRun All) persists nothing',
    vary: (e) => {
      at('networking.istio.io/v1/namespaces/orders/destinationrules/payments-api', 'io.k8s.networking.istio.v1.destinationrules.delete')(e);
      e.protoPayload.request = { '@type': 'k8s.io/DeleteOptions', apiVersion: 'v1', kind: 'DeleteOptions', dryRun: ['All'], propagationPolicy: 'Background' };
    },
    expected: { kind: 'ignored', reason: 'a dry run (request.dryRun ["All"]) persists nothing' },
  },
  {
    name: "bob's patch sent with kubectl --dry-run=server (GKE's command.gke.io/dryRun label) persists nothing",
    vary: (e) => (e.labels['command.gke.io/dryRun'] = 'true'),
    expected: { kind: 'ignored', reason: 'a dry run (label command.gke.io/dryRun "true") persists nothing' },
  },
  {
    name: 'a delete whose DeleteOptions carry an empty dryRun is a real change',
    vary: (e) => {
      at('networking.istio.io/v1/namespaces/orders/destinationrules/payments-api', 'io.k8s.networking.istio.v1.destinationrules.delete')(e);
      e.protoPayload.request = { '@type': 'k8s.io/DeleteOptions', apiVersion: 'v1', kind: 'DeleteOptions', dryRun: [], propagationPolicy: 'Background' };
    },
    expected: { kind: 'istio-change', change: expect.objectContaining({ kind: 'DestinationRule', verb: 'delete' }) },
  },
  {
    name: 'a methodName in the io.k8s.<group> spelling is read the same way',
    vary: at('networking.istio.io/v1alpha3/namespaces/orders/destinationrules/payments-api', 'io.k8s.networking.istio.v1alpha3.destinationrules.patch'),
    expected: { kind: 'istio-change', change: expect.objectContaining({ kind: 'DestinationRule', apiVersion: 'networking.istio.io/v1alpha3', verb: 'patch' }) },
  },
  {
    name: 'a resourceName without the version is the same PeerAuthentication, its apiVersion from the logged object',
    vary: at('security.istio.io/namespaces/payments/peerauthentications/default', 'io.istio.security.v1.peerauthentications.patch'),
    expected: { kind: 'istio-change', change: expect.objectContaining({ kind: 'PeerAuthentication', apiVersion: 'security.istio.io/v1', namespace: 'payments', name: 'default', verb: 'patch' }) },
  },
  {
    name: 'a versionless DestinationRule delete (no object logged) keeps the bare group as apiVersion',
    vary: (e) => {
      at('networking.istio.io/namespaces/orders/destinationrules/payments-api', 'io.k8s.networking.istio.v1.destinationrules.delete')(e);
      e.protoPayload.request = { '@type': 'k8s.io/DeleteOptions', apiVersion: 'v1', kind: 'DeleteOptions' };
      delete e.protoPayload.response;
    },
    expected: { kind: 'istio-change', change: expect.objectContaining({ kind: 'DestinationRule', apiVersion: 'networking.istio.io', namespace: 'orders', name: 'payments-api', verb: 'delete' }) },
  },
  {
    name: 'a versionless collection in a namespace (a create with generateName) has no name',
    vary: at('networking.istio.io/namespaces/orders/destinationrules', 'io.k8s.networking.istio.v1.destinationrules.create'),
    expected: { kind: 'istio-change', change: expect.objectContaining({ kind: 'DestinationRule', namespace: 'orders' }) },
  },
  {
    name: 'a versionless status update is still a subresource',
    vary: at('security.istio.io/namespaces/payments/peerauthentications/default/status', 'io.istio.security.v1.peerauthentications.status.update'),
    expected: { kind: 'ignored', reason: 'a change to the status subresource does not change the policy' },
  },
  {
    name: 'a core resource without the version is read the same way',
    vary: at('core/namespaces/istio-system/secrets/cacerts', 'io.k8s.core.v1.secrets.update'),
    expected: { kind: 'ignored', reason: 'secrets is not an Istio kind meshgov audits' },
  },
  {
    name: 'a payload of another type (a request log, not an audit log) is malformed, naming protoPayload.@type',
    vary: (e) => (e.protoPayload['@type'] = 'type.googleapis.com/google.appengine.logging.v1.RequestLog'),
    expected: { kind: 'malformed', field: 'protoPayload.@type' },
  },
  { name: 'no protoPayload (a text log entry)', vary: (e) => delete e.protoPayload, expected: { kind: 'malformed', field: 'protoPayload' } },
  { name: 'no serviceName', vary: (e) => delete e.protoPayload.serviceName, expected: { kind: 'malformed', field: 'protoPayload.serviceName' } },
  { name: 'no resourceName', vary: (e) => delete e.protoPayload.resourceName, expected: { kind: 'malformed', field: 'protoPayload.resourceName' } },
  { name: 'a resourceName that is no API path', vary: (e) => (e.protoPayload.resourceName = 'payments default'), expected: { kind: 'malformed', field: 'protoPayload.resourceName' } },
];

test.each(cases)('$name', ({ vary, expected }) => {
  expect(classifyAuditEntry(entry(vary))).toEqual(expect.objectContaining(expected));
});

describe('Namespaces (their injection labels put workloads in or out of the mesh)', () => {
  test('a patch of a Namespace is a change of the namespace it names', () => {
    const verdict = classifyAuditEntry(entry(at('core/v1/namespaces/legacy-batch', 'io.k8s.core.v1.namespaces.patch')));
    expect(verdict).toMatchObject({ kind: 'istio-change', change: { kind: 'Namespace', apiVersion: 'v1', namespace: 'legacy-batch', name: 'legacy-batch', verb: 'patch' } });
  });

  test.each([
    ['core/v1/namespaces/legacy-batch/status', 'io.k8s.core.v1.namespaces.status.update'],
    ['core/v1/namespaces/legacy-batch/finalize', 'io.k8s.core.v1.namespaces.finalize.update'],
    ['core/v1/namespaces/legacy-batch/configmaps/istio-ca-root-cert', 'io.k8s.core.v1.configmaps.update'],
  ])('%s is not a change of the namespace itself', (resourceName, methodName) => {
    expect(classifyAuditEntry(entry(at(resourceName, methodName)))).toMatchObject({ kind: 'ignored' });
  });
});
