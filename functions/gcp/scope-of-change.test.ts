import { destinationHostNamespace } from './destination-host-namespace';
import { scopeOf } from './istio-config-changed';
import type { IstioChange } from './k8s-audit-entry';

const base: IstioChange = { kind: 'PeerAuthentication', apiVersion: 'security.istio.io/v1', namespace: 'payments', name: 'default', verb: 'patch', cluster: {} };

test.each([
  ['a namespace policy', base, { kind: 'istio-namespace', namespace: 'payments' }],
  ['the mesh-wide policy in the root namespace', { ...base, namespace: 'istio-system' }, { kind: 'all', providers: ['istio', 'x509'] }],
  ['a collection with no namespace', { ...base, namespace: undefined }, { kind: 'all', providers: ['istio', 'x509'] }],
  ['a DestinationRule toward its own namespace', { ...base, kind: 'DestinationRule', namespace: 'payments', host: 'ledger.payments.svc.cluster.local' }, { kind: 'istio-namespace', namespace: 'payments' }],
  ['a DestinationRule toward another namespace', { ...base, kind: 'DestinationRule', namespace: 'orders', host: 'payments-api.payments.svc.cluster.local' }, { kind: 'all', providers: ['istio', 'x509'], namespaces: ['orders', 'payments'] }],
  ['a DestinationRule toward an external host', { ...base, kind: 'DestinationRule', namespace: 'payments', host: 'api.stripe.com' }, { kind: 'istio-namespace', namespace: 'payments' }],
  ['a deleted DestinationRule (no host logged)', { ...base, kind: 'DestinationRule', namespace: 'orders', verb: 'delete' }, { kind: 'istio-namespace', namespace: 'orders' }],
] as Array<[string, IstioChange, unknown]>)('%s', (_name, change, scope) => {
  expect(scopeOf(change as IstioChange, 'istio-system')).toEqual(scope);
});

test.each([
  ['payments-api.payments.svc.cluster.local', 'orders', 'payments'],
  ['payments-api.payments.svc', 'orders', 'payments'],
  ['*.payments.svc.cluster.local', 'orders', 'payments'],
  ['payments-api', 'orders', 'orders'],
  ['payments-api.payments', 'orders', undefined],
  ['api.stripe.com', 'payments', undefined],
  ['*', 'payments', undefined],
  ['*.svc.cluster.local', 'payments', undefined],
])('host %s in a rule of %s is in namespace %s', (host, ruleNamespace, expected) => {
  expect(destinationHostNamespace(host, ruleNamespace)).toBe(expected);
});
