import { evaluateModel } from './engine';
import { logicalServiceKey } from './logical-service';
import { model, server, shippedPolicy } from '../../../test/support/model';

const NOW = new Date('2026-11-26T00:00:00Z');

describe('logicalServiceKey', () => {
  it.each([
    ['payments-api.payments.svc.cluster.local', 'payments-api.payments'],
    ['payments-api.payments.svc', 'payments-api.payments'],
    ['Payments-API.payments.svc.cluster.local.', 'payments-api.payments'],
    ['api.stripe.com', 'api.stripe.com'],
  ])('%s → %s', (host, key) => expect(logicalServiceKey(host)).toBe(key));
});

describe('mtls-cross-mesh-drift', () => {
  const appmesh = (mode: 'STRICT' | 'PERMISSIVE') =>
    server({
      name: 'payments-api',
      provider: 'appmesh',
      id: 'appmesh:prod-mesh/VirtualNode/payments-api:8080',
      mode,
      resource: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 },
      hosts: ['payments-api.payments.svc.cluster.local'],
    });

  it('reports the weaker side when postures differ', () => {
    const istio = server({ name: 'payments-api', mode: 'STRICT', hosts: ['payments-api.payments.svc.cluster.local'] });
    const findings = evaluateModel(model({ servers: [istio, appmesh('PERMISSIVE')] }), shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-cross-mesh-drift');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ provider: 'appmesh', severity: 'medium', resource: { kind: 'VirtualNode', mesh: 'prod-mesh' } });
    expect(findings[0].detail).toMatchObject({ service: 'payments-api.payments', istio: { mode: 'STRICT' }, appmesh: { mode: 'PERMISSIVE' } });
  });

  it('is silent when both meshes agree or the service is in one mesh only', () => {
    const istio = server({ name: 'payments-api', mode: 'STRICT' });
    const other = server({ name: 'orders', namespace: 'orders', mode: 'PERMISSIVE' });
    const f = evaluateModel(model({ servers: [istio, other, appmesh('STRICT')] }), shippedPolicy(), NOW).filter((x) => x.rule === 'mtls-cross-mesh-drift');
    expect(f).toEqual([]);
  });
});
