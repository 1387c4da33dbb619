import { emptyModel, type ClientPolicy, type FleetModel, type ServerEndpoint } from '../model/types';
import { parseSlos } from './parse-slos';
import { sloTopology } from './dependencies';
import { slosOfPolicy } from './definition';

/**
 * The model shapes are the providers' (functions/providers/appmesh ids.ts and clients.ts,
 * functions/providers/istio clients.ts): App Mesh clients are a virtual node's backends with the
 * listeners the virtual service resolves to; Istio clients are DestinationRule decisions with
 * the calling namespaces.
 */

const [CHECKOUT, PAYMENTS_ISTIO] = parseSlos([
  { name: 'checkout-api-latency', service: 'checkout-api', mesh: 'appmesh', meshName: 'prod-mesh', objective: 99, thresholdMs: 250, source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus' } } },
  { name: 'payments-api-latency', service: 'payments-api', mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 250, source: { prometheus: {} } },
]);

function node(name: string, mesh = 'prod-mesh'): ServerEndpoint {
  return {
    id: `appmesh:${mesh}/VirtualNode/${name}:8080`,
    provider: 'appmesh',
    resource: { kind: 'VirtualNode', name, mesh, port: 8080 },
    mode: 'STRICT',
    inMesh: true,
    cause: { kind: 'VirtualNode', name, mesh, scope: 'listener' },
    hosts: [`${name}.payments.svc.cluster.local`],
  };
}

function backend(from: string, service: string, to: string[], mesh = 'prod-mesh'): ClientPolicy {
  return {
    id: `appmesh:${mesh}/VirtualNode/${from}->virtualService/${service}`,
    provider: 'appmesh',
    resource: { kind: 'VirtualNode', name: from, mesh },
    sends: 'MTLS',
    reason: 'enforce: true with a client certificate',
    cause: { kind: 'VirtualNode', name: from, mesh, scope: 'backend' },
    destination: { hosts: [service], port: 8080, serverIds: to.map((n) => `appmesh:${mesh}/VirtualNode/${n}:8080`) },
  };
}

/** web → checkout-api → payments (router: v1, v2) → ledger → ledger-db → audit-log; checkout-api is reached through checkout.svc. */
function appMeshChain(): FleetModel {
  const model = emptyModel();
  model.servers.push(...['web', 'checkout-api', 'payments-api-v1', 'payments-api-v2', 'ledger', 'ledger-db', 'audit-log'].map((n) => node(n)), node('checkout-api', 'staging-mesh'));
  model.clients.push(
    backend('web', 'checkout.payments.svc.cluster.local', ['checkout-api']),
    backend('checkout-api', 'payments.payments.svc.cluster.local', ['payments-api-v1', 'payments-api-v2']),
    backend('payments-api-v1', 'ledger.payments.svc.cluster.local', ['ledger']),
    backend('ledger', 'ledger-db.payments.svc.cluster.local', ['ledger-db']),
    backend('ledger-db', 'audit-log.payments.svc.cluster.local', ['audit-log']),
    backend('checkout-api', 'fraud.payments.svc.cluster.local', ['fraud-api'], 'staging-mesh'),
  );
  return model;
}

const key = (name: string) => `appmesh:prod-mesh/${name}`;

describe('sloTopology on App Mesh', () => {
  it('follows backends through virtual services to the nodes behind them, three hops deep, in the SLO mesh only', () => {
    const topology = sloTopology(CHECKOUT, appMeshChain());
    expect(topology.service).toEqual([key('checkout.payments.svc.cluster.local')]);
    expect(topology.dependencies).toEqual([
      key('payments.payments.svc.cluster.local'),
      key('payments-api-v1'),
      key('payments-api-v2'),
      key('ledger.payments.svc.cluster.local'),
      key('ledger'),
      key('ledger-db.payments.svc.cluster.local'),
      key('ledger-db'),
    ]);
  });

  it.each([
    [1, [key('payments.payments.svc.cluster.local'), key('payments-api-v1'), key('payments-api-v2')]],
    [4, expect.arrayContaining([key('audit-log.payments.svc.cluster.local'), key('audit-log')])],
  ])('with %i hop(s)', (hops, expected) => {
    expect(sloTopology(CHECKOUT, appMeshChain(), hops).dependencies).toEqual(expected);
  });

  it('never lists the service itself as its own dependency (a call cycle)', () => {
    const model = appMeshChain();
    model.clients.push(backend('payments-api-v2', 'checkout.payments.svc.cluster.local', ['checkout-api']));
    const { service, dependencies } = sloTopology(CHECKOUT, model);
    expect(dependencies).not.toContain(key('checkout-api'));
    // The virtual service in front of checkout-api is its own, even when a dependency calls it back.
    expect(service).toEqual([key('checkout.payments.svc.cluster.local')]);
    expect(dependencies).not.toContain(key('checkout.payments.svc.cluster.local'));
    expect(dependencies).toContain(key('payments-api-v2'));
  });
});

/** An Istio DestinationRule decision, with the namespaces whose workloads use it (IstioClientPolicy). */
function rule(namespace: string, name: string, host: string, callers: string[], serverIds: string[] = []): ClientPolicy & { clientNamespaces: string[] } {
  return {
    id: `istio:${namespace}/DestinationRule/${name}->${host}:*`,
    provider: 'istio',
    resource: { kind: 'DestinationRule', name, namespace },
    sends: 'MTLS',
    reason: 'ISTIO_MUTUAL',
    cause: { kind: 'DestinationRule', name, namespace, scope: 'namespace' },
    destination: { hosts: [host], serverIds },
    clientNamespaces: callers,
  };
}

function workload(namespace: string, name: string, port: number, host: string): ServerEndpoint {
  return {
    id: `istio:${namespace}/Deployment/${name}:${port}`,
    provider: 'istio',
    resource: { kind: 'Deployment', name, namespace, port },
    mode: 'STRICT',
    inMesh: true,
    cause: { kind: 'PeerAuthentication', name: 'default', namespace: 'istio-system', scope: 'mesh' },
    hosts: [host],
  };
}

describe('sloTopology on Istio', () => {
  it("takes the rules payments' workloads use: a rule naming payments wins over the one for every other namespace", () => {
    const model = emptyModel();
    model.servers.push(workload('payments', 'payments-api', 8080, 'payments-api.payments.svc.cluster.local'), workload('ledger', 'ledger', 7070, 'ledger.ledger.svc.cluster.local'));
    model.clients.push(
      rule('payments', 'ledger-pool', 'ledger.ledger.svc.cluster.local', ['payments'], ['istio:ledger/Deployment/ledger:7070']),
      rule('ledger', 'ledger', 'ledger.ledger.svc.cluster.local', ['\u0000any', 'ledger'], ['istio:ledger/Deployment/ledger:7070']),
      rule('observability', 'otel-collector', 'otel-collector.observability.svc.cluster.local', ['\u0000any']),
      rule('orders', 'orders-only', 'inventory.orders.svc.cluster.local', ['orders']),
      rule('orders', 'payments-api-plaintext', 'payments-api.payments.svc.cluster.local', ['orders']),
    );
    const topology = sloTopology(PAYMENTS_ISTIO, model);
    expect(topology.service).toEqual(['istio:payments/payments-api']);
    expect(topology.dependencies).toEqual(['istio:ledger/ledger', 'istio:payments/ledger-pool', 'istio:observability/otel-collector']);
  });
});

describe('slosOfPolicy', () => {
  it("resolves a loaded policy's SLOs without parsing them again: defaults filled, the given window kept", () => {
    const spec = { name: 'orders-api-latency', mesh: 'istio', service: 'orders-api', namespace: 'orders', objective: 99.9, thresholdMs: 300, source: { prometheus: {} } };
    const [byDefault, given] = slosOfPolicy({ slos: [spec, { ...spec, name: 'orders-api-weekly', window: '7d' }] });
    expect(byDefault).toMatchObject({ window: '30d', alerting: { page: [{ long: '1h', short: '5m', factor: 14.4 }, { long: '6h', short: '30m', factor: 6 }], ticket: [{ long: '3d', short: '6h', factor: 1 }] } });
    expect(byDefault!.buckets.length).toBeGreaterThan(0);
    expect(given!.window).toBe('7d');
  });
});
