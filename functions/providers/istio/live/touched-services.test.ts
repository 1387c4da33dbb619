import type { KubeObject } from '../../../core/model/inventory';
import { touchedServices } from './touched-services';

const service = (ns: string, name: string, selector?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { type: 'ClusterIP', ...(selector ? { selector } : {}), ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
});
const deployment = (ns: string, name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: { selector: { matchLabels: { app: labels.app! } }, template: { metadata: { labels }, spec: { containers: [{ name, image: `${name}:1.0` }] } } },
});

/** payments: payments-api (Deployment) and ledger (a StatefulSet's pod, read as a Pod), plus a selector-less Service; orders: orders-api. */
const CLUSTER: KubeObject[] = [
  service('payments', 'payments-api', { app: 'payments-api' }),
  service('payments', 'ledger', { app: 'ledger' }),
  service('payments', 'legacy-db'),
  deployment('payments', 'payments-api', { app: 'payments-api', version: 'v1' }),
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ledger-0', namespace: 'payments', labels: { app: 'ledger', version: 'v1' } }, spec: { containers: [{ name: 'ledger' }] } },
  service('orders', 'orders-api', { app: 'orders-api' }),
  deployment('orders', 'orders-api', { app: 'orders-api' }),
];

test.each([
  ['a DestinationRule toward an FQDN', 'DestinationRule', 'orders', { host: 'payments-api.payments.svc.cluster.local' }, ['istio:payments/payments-api']],
  ['a DestinationRule toward a short name (the rule namespace)', 'DestinationRule', 'payments', { host: 'ledger' }, ['istio:payments/ledger']],
  ['a DestinationRule toward <svc>.<ns>.svc', 'DestinationRule', 'orders', { host: 'ledger.payments.svc' }, ['istio:payments/ledger']],
  ['a DestinationRule toward a namespace wildcard', 'DestinationRule', 'orders', { host: '*.payments.svc.cluster.local' }, ['istio:payments/ledger', 'istio:payments/legacy-db', 'istio:payments/payments-api']],
  ['a DestinationRule toward an external host', 'DestinationRule', 'payments', { host: 'api.stripe.com' }, []],
  ['a DestinationRule toward every host', 'DestinationRule', 'payments', { host: '*' }, ['istio:orders/orders-api', 'istio:payments/ledger', 'istio:payments/legacy-db', 'istio:payments/payments-api']],
  ['a ServiceEntry naming an in-cluster host and an external one', 'ServiceEntry', 'payments', { hosts: ['ledger.payments.svc.cluster.local', 'api.stripe.com'] }, ['istio:payments/ledger']],
  ['a namespace-wide PeerAuthentication', 'PeerAuthentication', 'payments', { mtls: { mode: 'PERMISSIVE' } }, ['istio:payments/ledger', 'istio:payments/legacy-db', 'istio:payments/payments-api']],
  ['an empty selector is namespace-wide too', 'PeerAuthentication', 'orders', { selector: { matchLabels: {} }, mtls: { mode: 'STRICT' } }, ['istio:orders/orders-api']],
  ['the mesh-wide PeerAuthentication in the root namespace', 'PeerAuthentication', 'istio-system', { mtls: { mode: 'STRICT' } }, ['istio:orders/orders-api', 'istio:payments/ledger', 'istio:payments/legacy-db', 'istio:payments/payments-api']],
  ['a workload PeerAuthentication selecting a Deployment', 'PeerAuthentication', 'payments', { selector: { matchLabels: { app: 'payments-api' } }, mtls: { mode: 'DISABLE' } }, ['istio:payments/payments-api']],
  ['a workload PeerAuthentication selecting a Pod by two labels', 'PeerAuthentication', 'payments', { selector: { matchLabels: { app: 'ledger', version: 'v1' } }, portLevelMtls: { 7070: { mode: 'PERMISSIVE' } } }, ['istio:payments/ledger']],
  ['a selector matching no workload read: the namespace services', 'PeerAuthentication', 'payments', { selector: { matchLabels: { app: 'reporting' } }, mtls: { mode: 'DISABLE' } }, ['istio:payments/ledger', 'istio:payments/legacy-db', 'istio:payments/payments-api']],
] as Array<[string, string, string, Record<string, unknown>, string[]]>)('%s', (_name, kind, namespace, spec, expected) => {
  expect(touchedServices({ kind, namespace, specs: [spec] }, CLUSTER, 'istio-system')).toEqual(expected);
});

test('the specs before and after a host change both count; missing specs are skipped', () => {
  const specs = [{ host: 'ledger.payments.svc.cluster.local' }, undefined, { host: 'orders-api.orders.svc.cluster.local' }];
  expect(touchedServices({ kind: 'DestinationRule', namespace: 'payments', specs }, CLUSTER, 'istio-system')).toEqual(['istio:orders/orders-api', 'istio:payments/ledger']);
});

test('a workload PeerAuthentication selecting a CronJob\'s pods touches the Service that selects them', () => {
  const cronJob: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'settlement-export', namespace: 'payments' },
    spec: { schedule: '30 1 * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'settlement-export' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'export', image: 'settlement-export:3.1' }] } } } } },
  };
  const cluster = [...CLUSTER, cronJob, service('payments', 'settlement-export', { app: 'settlement-export' })];
  const spec = { selector: { matchLabels: { app: 'settlement-export' } }, mtls: { mode: 'STRICT' } };
  expect(touchedServices({ kind: 'PeerAuthentication', namespace: 'payments', specs: [spec] }, cluster, 'istio-system')).toEqual(['istio:payments/settlement-export']);
});
