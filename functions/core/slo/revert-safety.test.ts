import { undoLoosensOnlyServers } from './revert-safety';

const listener = (mode?: string) => ({ portMapping: { port: 8080, protocol: 'http' }, ...(mode ? { tls: { mode, certificate: { sds: { secretName: 'spiffe://prod-mesh.example.com/payments-api' } } } } : {}) });
const enforced = { clientPolicy: { tls: { enforce: true, certificate: { sds: { secretName: 'spiffe://prod-mesh.example.com/payments-api' } }, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } } } } };
const backends = [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } }];
const pa = (mode: string, ports?: Record<string, { mode: string }>) => ({ spec: { mtls: { mode }, ...(ports ? { portLevelMtls: ports } : {}) } });

describe('undoLoosensOnlyServers', () => {
  it('an Istio PeerAuthentication patch taken back to PERMISSIVE everywhere; not to DISABLE, not a created one, not a DestinationRule', () => {
    const strict = (before: unknown, action = 'istio.peerauthentication.set-strict') => undoLoosensOnlyServers({ provider: 'istio', action, before, after: pa('STRICT') });
    expect(strict(pa('PERMISSIVE'))).toBe(true);
    expect(strict(pa('DISABLE'))).toBe(false);
    expect(strict(pa('UNSET'))).toBe(false);
    expect(strict(pa('PERMISSIVE', { 8080: { mode: 'DISABLE' } }))).toBe(false);
    expect(strict(pa('PERMISSIVE', { 8080: { mode: 'PERMISSIVE' } }))).toBe(true);
    expect(strict(null, 'istio.peerauthentication.create-strict')).toBe(false);
    expect(undoLoosensOnlyServers({ provider: 'istio', action: 'istio.destinationrule.set-istio-mutual', before: { spec: { trafficPolicy: { tls: { mode: 'DISABLE' } } } }, after: {} })).toBe(false);
  });

  it('an App Mesh change: only listeners back to PERMISSIVE, and client policies untouched', () => {
    const spec = (mode?: string, extra: Record<string, unknown> = {}) => ({ listeners: [listener(mode)], backends, ...extra });
    const undo = (before: unknown, after: unknown) => undoLoosensOnlyServers({ provider: 'appmesh', action: 'appmesh.listener.set-strict', before, after });
    expect(undo(spec('PERMISSIVE'), spec('STRICT'))).toBe(true);
    // Back to DISABLED, or to a listener without TLS: clients that enforce TLS since are refused.
    expect(undo(spec('DISABLED'), spec('STRICT'))).toBe(false);
    expect(undo(spec(), spec('STRICT'))).toBe(false);
    expect(undo(spec('PERMISSIVE'), spec('STRICT', { backendDefaults: enforced }))).toBe(false);
    expect(undoLoosensOnlyServers({ provider: 'appmesh', action: 'appmesh.client-policy.enforce', before: spec('STRICT'), after: { ...spec('STRICT'), backends: [{ virtualService: { ...backends[0]!.virtualService, ...enforced } }] } })).toBe(false);
    // The whole object recorded (spec inside), and nothing known of it.
    expect(undo({ spec: spec('PERMISSIVE') }, { spec: spec('STRICT') })).toBe(true);
    expect(undo(undefined, spec('STRICT'))).toBe(false);
  });
});
