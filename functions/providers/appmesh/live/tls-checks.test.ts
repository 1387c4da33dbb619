import { enforcedClientsCheck, samePostureCheck, strictListenersCheck } from './tls-checks';

const CERT = { file: { certificateChain: '/etc/appmesh/certs/payments-api.pem', privateKey: '/etc/appmesh/certs/payments-api.key' } };
const TRUST = { trust: { file: { certificateChain: '/etc/appmesh/certs/prod-mesh-ca-chain.pem' } } };

function nodeSpec(listenerTls: unknown, clientPolicy?: unknown, defaults?: unknown) {
  const spec: Record<string, any> = {
    listeners: [{ portMapping: { port: 8080, protocol: 'http' }, ...(listenerTls ? { tls: listenerTls } : {}) }],
    backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local', ...(clientPolicy ? { clientPolicy } : {}) } }],
    serviceDiscovery: { dns: { hostname: 'payments-api.payments.svc.cluster.local' } },
  };
  if (defaults) spec.backendDefaults = { clientPolicy: defaults };
  return spec;
}

describe('strictListenersCheck', () => {
  const before = nodeSpec({ mode: 'PERMISSIVE', certificate: CERT });

  it('passes when the changed listener reads back STRICT with validation', () => {
    const intended = nodeSpec({ mode: 'STRICT', certificate: CERT, validation: TRUST });
    expect(strictListenersCheck(before, intended)!(intended)).toBeUndefined();
  });

  it('fails when it reads back STRICT without validation (client certificates unchecked)', () => {
    const intended = nodeSpec({ mode: 'STRICT', certificate: CERT });
    expect(strictListenersCheck(before, intended)!(intended)).toBe(
      'listener 0 (port 8080) is TLS_NO_CLIENT_AUTH (tls.mode STRICT without validation.trust: client certificates are not verified)',
    );
  });

  it('has nothing to check when the change leaves every listener as it was', () => {
    expect(strictListenersCheck(before, nodeSpec({ certificate: CERT, mode: 'PERMISSIVE' }))).toBeUndefined();
  });
});

describe('enforcedClientsCheck', () => {
  const before = nodeSpec({ mode: 'STRICT', certificate: CERT, validation: TRUST });

  it('passes when the changed backend sends mTLS', () => {
    const intended = nodeSpec({ mode: 'STRICT', certificate: CERT, validation: TRUST }, { tls: { enforce: true, certificate: CERT, validation: TRUST } });
    expect(enforcedClientsCheck(before, intended)!(intended)).toBeUndefined();
  });

  it('fails when the changed backend has no client certificate', () => {
    const intended = nodeSpec({ mode: 'STRICT', certificate: CERT, validation: TRUST }, { tls: { enforce: true, validation: TRUST } });
    expect(enforcedClientsCheck(before, intended)!(intended)).toBe('backend ledger.payments.svc.cluster.local sends TLS (no client certificate)');
  });

  it('checks backendDefaults when the change is there (a gateway)', () => {
    const intended = nodeSpec(undefined, undefined, { tls: { enforce: true, certificate: CERT, validation: TRUST } });
    const check = enforcedClientsCheck(nodeSpec(undefined), intended)!;
    expect(check(intended)).toBeUndefined();
    expect(check(nodeSpec(undefined, undefined, { tls: { enforce: false, certificate: CERT } }))).toContain('backendDefaults sends PLAINTEXT');
  });
});

describe('samePostureCheck', () => {
  it('compares the TLS posture of every listener and client, not the spelling', () => {
    const restored = nodeSpec({ mode: 'PERMISSIVE', certificate: CERT });
    expect(samePostureCheck(restored)(nodeSpec({ certificate: CERT, mode: 'PERMISSIVE' }))).toBeUndefined();
    expect(samePostureCheck(restored)(nodeSpec({ mode: 'STRICT', certificate: CERT, validation: TRUST }))).toBe('listener 0 (port 8080) is STRICT, expected PERMISSIVE');
  });
});
