import { undoLoosensOnlyServers } from './revert-safety';

const listener = (mode: string) => ({ portMapping: { port: 8080, protocol: 'http' }, tls: { mode, certificate: { sds: { secretName: 'spiffe://prod-mesh.example.com/payments-api' } } } });
const enforced = { clientPolicy: { tls: { enforce: true, certificate: { sds: { secretName: 'spiffe://prod-mesh.example.com/payments-api' } }, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } } } } };
const backends = [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } }];

describe('undoLoosensOnlyServers', () => {
  it('an Istio PeerAuthentication change is a server\'s; a DestinationRule change is a client\'s', () => {
    expect(undoLoosensOnlyServers({ provider: 'istio', action: 'istio.peerauthentication.set-strict', before: { spec: { mtls: { mode: 'PERMISSIVE' } } }, after: { spec: { mtls: { mode: 'STRICT' } } } })).toBe(true);
    expect(undoLoosensOnlyServers({ provider: 'istio', action: 'istio.peerauthentication.create-strict', before: null, after: { spec: { mtls: { mode: 'STRICT' } } } })).toBe(true);
    expect(undoLoosensOnlyServers({ provider: 'istio', action: 'istio.destinationrule.set-istio-mutual', before: { spec: { trafficPolicy: { tls: { mode: 'DISABLE' } } } }, after: {} })).toBe(false);
  });

  it('an App Mesh change is a server\'s only when its backends and backend defaults did not move', () => {
    const spec = (mode: string, extra: Record<string, unknown> = {}) => ({ listeners: [listener(mode)], backends, ...extra });
    expect(undoLoosensOnlyServers({ provider: 'appmesh', action: 'appmesh.listener.set-strict', before: spec('PERMISSIVE'), after: spec('STRICT') })).toBe(true);
    expect(undoLoosensOnlyServers({ provider: 'appmesh', action: 'appmesh.listener.set-strict', before: spec('PERMISSIVE'), after: spec('STRICT', { backendDefaults: enforced }) })).toBe(false);
    expect(undoLoosensOnlyServers({ provider: 'appmesh', action: 'appmesh.client-policy.enforce', before: spec('STRICT'), after: { ...spec('STRICT'), backends: [{ virtualService: { ...backends[0]!.virtualService, ...enforced } }] } })).toBe(false);
    // The whole object recorded (spec inside), and nothing known of it.
    expect(undoLoosensOnlyServers({ provider: 'appmesh', action: 'appmesh.listener.set-strict', before: { spec: spec('PERMISSIVE') }, after: { spec: spec('STRICT') } })).toBe(true);
    expect(undoLoosensOnlyServers({ provider: 'appmesh', action: 'appmesh.listener.set-strict', before: undefined, after: spec('STRICT') })).toBe(false);
  });
});
