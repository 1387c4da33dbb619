import type { KubeObject } from '../../../core/model/inventory';
import { destinationRuleConcerns, hostCanBeIn, isExportedTo, serviceEntryConcerns } from './namespace-dependencies';

describe('isExportedTo (Istio exportTo)', () => {
  test.each([
    ['empty: public', undefined, 'orders', [], true],
    ['empty, MeshConfig default "."', [], 'orders', ['.'], false],
    ['"*"', ['*'], 'orders', [], true],
    ['"." is the own namespace only', ['.'], 'orders', [], false],
    ['"." seen from the own namespace', ['.'], 'payments', [], true],
    ['a namespace name', ['orders', 'billing'], 'orders', [], true],
    ['"~": nobody', ['~'], 'orders', [], false],
  ])('%s', (_name, exportTo, namespace, meshDefault, expected) => {
    expect(isExportedTo(exportTo, 'payments', namespace, meshDefault)).toBe(expected);
  });
});

describe('hostCanBeIn: can a rule host name a service of the namespace', () => {
  test.each([
    ['FQDN in the namespace', 'payments-api.payments.svc.cluster.local', 'orders', true],
    ['FQDN elsewhere', 'orders-api.orders.svc.cluster.local', 'orders', false],
    ['short name: the rule namespace', 'payments-api', 'payments', true],
    ['short name of another namespace', 'payments-api', 'orders', false],
    ['namespace wildcard', '*.payments.svc.cluster.local', 'orders', true],
    ['cluster wildcard', '*.svc.cluster.local', 'orders', true],
    ['*.local', '*.local', 'orders', true],
    ['*', '*', 'orders', true],
    ['external host', 'api.stripe.com', 'orders', false],
  ])('%s', (_name, host, ruleNamespace, expected) => {
    expect(hostCanBeIn(host, ruleNamespace, 'payments')).toBe(expected);
  });
});

function object(kind: string, namespace: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind, metadata: { name: 'r', namespace }, spec };
}

test('a DestinationRule of another namespace concerns payments when exported to it or aimed at its hosts', () => {
  const privateAimedAtPayments = object('DestinationRule', 'orders', { host: 'payments-api.payments.svc.cluster.local', exportTo: ['.'] });
  const privateOwnHost = object('DestinationRule', 'orders', { host: 'orders-api', exportTo: ['.'] });
  const publicOwnHost = object('DestinationRule', 'orders', { host: 'orders-api' });
  expect(destinationRuleConcerns(privateAimedAtPayments, 'payments', [])).toBe(true);
  expect(destinationRuleConcerns(privateOwnHost, 'payments', [])).toBe(false);
  expect(destinationRuleConcerns(publicOwnHost, 'payments', [])).toBe(true);
  expect(destinationRuleConcerns(publicOwnHost, 'payments', ['.'])).toBe(false);
  expect(serviceEntryConcerns(object('ServiceEntry', 'legacy-batch', { hosts: ['db.warehouse.internal'], exportTo: ['.'] }), 'payments')).toBe(false);
  expect(serviceEntryConcerns(object('ServiceEntry', 'legacy-batch', { hosts: ['db.warehouse.internal'] }), 'payments')).toBe(true);
});
