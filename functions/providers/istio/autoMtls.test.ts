import { evaluateModel } from '../../core/rules/engine';
import type { Finding } from '../../core/findings';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, meshConfigYaml, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml as service } from './testInventory';

/*
 * Istio auto mTLS infers a destination's mode from its namespace-wide or mesh-wide
 * PeerAuthentication only (pilot BestEffortInferServiceMTLSMode; istio.io "Auto mTLS has a
 * known limitation with workload level peer authentication"). A workload policy that departs
 * from it makes callers without a DestinationRule fail.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const fleet = (...extra: string[]) =>
  docs(namespace('shop'), namespace('web'), deployment('shop', 'api', { ports: [8080, 9090] }), service('shop', 'api', [8080, 9090]), deployment('web', 'frontend'), ...extra);

function audit(yaml: string): Finding[] {
  return evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);
}

const conflicts = (findings: Finding[]) => findings.filter((f) => f.rule === 'mtls-conflict');
const port = (f: Finding) => (f.detail.server as { port: number }).port;

describe('auto mTLS against workload PeerAuthentications', () => {
  it('a workload DISABLE under a STRICT mesh is no conflict: each endpoint is marked by its own policies, so auto mTLS sends it plaintext', () => {
    // EDS checkMtlsEnabled (Istio 1.12+) reads workload and port policies per endpoint.
    const findings = audit(fleet(peerAuthentication('istio-system', 'default', 'STRICT'), peerAuthentication('shop', 'api', 'DISABLE', { app: 'api' })));
    expect(conflicts(findings)).toEqual([]);
    expect(findings.filter((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'api').map((f) => f.remediation?.mode)).toEqual(['auto', 'auto']);
  });

  it('a workload STRICT under a DISABLE namespace: callers send plaintext; the fix gives the Service an ISTIO_MUTUAL rule', () => {
    const findings = audit(fleet(peerAuthentication('shop', 'default', 'DISABLE'), peerAuthentication('shop', 'api', 'STRICT', { app: 'api' })));
    const found = conflicts(findings);
    expect(found).toHaveLength(2);
    expect(found[0]!.message).toContain('auto mTLS sends plaintext');
    expect(found[0]!.message).toContain('namespace-wide PeerAuthentication shop/default');
    expect(found[0]!.remediation).toMatchObject({
      action: 'istio.destinationrule.create-istio-mutual',
      mode: 'approval',
      change: {
        operation: 'create',
        object: {
          apiVersion: 'networking.istio.io/v1',
          kind: 'DestinationRule',
          metadata: { namespace: 'shop' },
          spec: { host: 'api.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
        },
      },
    });
  });

  it('only the port whose portLevelMtls is STRICT under a DISABLE namespace conflicts', () => {
    const findings = audit(fleet(peerAuthentication('shop', 'default', 'DISABLE'), peerAuthentication('shop', 'api', 'UNSET', { app: 'api', ports: { 9090: 'STRICT' } })));
    expect(conflicts(findings).map(port)).toEqual([9090]);
  });

  it('policies that agree with the inferred mode do not conflict', () => {
    expect(conflicts(audit(fleet(peerAuthentication('shop', 'default', 'DISABLE'), peerAuthentication('shop', 'api', 'DISABLE', { app: 'api' }))))).toEqual([]);
    expect(conflicts(audit(fleet(peerAuthentication('istio-system', 'default', 'STRICT'), peerAuthentication('shop', 'api', 'STRICT', { app: 'api' }))))).toEqual([]);
    // PERMISSIVE takes both, whatever auto mTLS guesses.
    expect(conflicts(audit(fleet(peerAuthentication('shop', 'default', 'DISABLE'), peerAuthentication('shop', 'api', 'PERMISSIVE', { app: 'api' }))))).toEqual([]);
  });

  it('a DestinationRule without tls leaves auto mTLS in charge, and is named as the client', () => {
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-pool
  namespace: shop
spec:
  host: api.shop.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
`;
    const found = conflicts(audit(fleet(peerAuthentication('shop', 'default', 'DISABLE'), peerAuthentication('shop', 'api', 'STRICT', { app: 'api' }), rule)));
    expect(found.map((f) => f.resource)).toEqual([
      expect.objectContaining({ kind: 'DestinationRule', name: 'api-pool', namespace: 'shop' }),
      expect.objectContaining({ kind: 'DestinationRule', name: 'api-pool', namespace: 'shop' }),
    ]);
  });

  it('a DestinationRule with ISTIO_MUTUAL takes auto mTLS out of the way: no conflict toward a STRICT workload', () => {
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-mtls
  namespace: shop
spec:
  host: api.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`;
    expect(conflicts(audit(fleet(peerAuthentication('shop', 'default', 'DISABLE'), peerAuthentication('shop', 'api', 'STRICT', { app: 'api' }), rule)))).toEqual([]);
  });
});

describe('the gate and auto mTLS', () => {
  it('making a workload STRICT under a DISABLE mesh needs approval: its auto mTLS callers would keep sending plaintext', () => {
    const findings = audit(fleet(peerAuthentication('istio-system', 'default', 'DISABLE'), peerAuthentication('shop', 'api', 'PERMISSIVE', { app: 'api' })));
    const notStrict = findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'api' && f.resource.port === 8080)!;
    expect(notStrict.remediation).toMatchObject({ action: 'istio.peerauthentication.set-strict', mode: 'approval' });
    expect(notStrict.remediation!.reason).toContain('callers of shop/Deployment/api that use auto mTLS would keep sending plaintext');
  });

  it('a namespace-wide fix changes what auto mTLS infers, so it can go ahead', () => {
    const findings = audit(fleet(peerAuthentication('istio-system', 'default', 'DISABLE')));
    const notStrict = findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'api' && f.resource.port === 8080)!;
    expect(notStrict.remediation).toMatchObject({ action: 'istio.peerauthentication.create-strict', mode: 'auto' });
  });
});

describe('mTLS toward a workload without a sidecar', () => {
  it('is a conflict: the application receives a TLS handshake', () => {
    const outside = `apiVersion: v1
kind: Namespace
metadata:
  name: legacy
`;
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ledger-mtls
  namespace: web
spec:
  host: ledger.legacy.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`;
    const found = conflicts(audit(docs(namespace('web'), outside, deployment('legacy', 'ledger'), service('legacy', 'ledger'), rule)));
    expect(found).toHaveLength(1);
    expect(found[0]!.resource).toMatchObject({ kind: 'DestinationRule', name: 'ledger-mtls', namespace: 'web' });
    expect(found[0]!.message).toContain('has no sidecar to take it');
  });

  it('is not a conflict for MUTUAL or SIMPLE: the application may serve TLS itself', () => {
    const outside = `apiVersion: v1
kind: Namespace
metadata:
  name: legacy
`;
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ledger-tls
  namespace: web
spec:
  host: ledger.legacy.svc.cluster.local
  trafficPolicy:
    tls:
      mode: MUTUAL
      clientCertificate: /etc/certs/ledger-client.pem
      privateKey: /etc/certs/ledger-client-key.pem
`;
    expect(conflicts(audit(docs(namespace('web'), outside, deployment('legacy', 'ledger'), service('legacy', 'ledger'), rule)))).toEqual([]);
  });
});

describe('Prometheus scrape ports', () => {
  const scrapedFleet = (annotations: Record<string, string>, ...extra: string[]) =>
    docs(
      namespace('shop'),
      deployment('shop', 'api', { ports: [8080, 9090], annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', ...annotations } }),
      service('shop', 'api', [8080]),
      peerAuthentication('istio-system', 'default', 'STRICT'),
      peerAuthentication('shop', 'api', 'UNSET', { app: 'api', ports: { 9090: 'DISABLE' } }),
      ...extra,
    );
  const fixOf = (yaml: string) => audit(yaml).find((f) => f.rule === 'mtls-not-strict' && f.resource.port === 9090)!.remediation!;

  it('goes STRICT only with approval when the pod turns Istio metrics merging off: the scraper calls the port in plaintext', () => {
    const fix = fixOf(scrapedFleet({ 'prometheus.istio.io/merge-metrics': 'false' }));
    expect(fix).toMatchObject({ action: 'istio.peerauthentication.set-strict', mode: 'approval' });
    expect(fix.reason).toContain('port 9090 of shop/Deployment/api is a Prometheus scrape target (prometheus.io/port) without Istio');
  });

  it('the same when the MeshConfig turns merging off', () => {
    const meshConfig = meshConfigYaml('enablePrometheusMerge: false');
    expect(fixOf(scrapedFleet({}, meshConfig)).mode).toBe('approval');
  });

  it('without prometheus.io/port every declared port is a target, as the usual kubernetes-pods scrape job finds them', () => {
    const fleet = scrapedFleet({ 'prometheus.istio.io/merge-metrics': 'false' }).replace('prometheus.io/port: "9090"', 'prometheus.io/path: "/metrics"');
    expect(fleet).not.toContain('prometheus.io/port');
    const fix = fixOf(fleet);
    expect(fix.mode).toBe('approval');
    expect(fix.reason).toContain('port 9090 of shop/Deployment/api is a Prometheus scrape target (prometheus.io/scrape without prometheus.io/port, so every declared port is scraped)');
  });

  it('with merging on (the default) the scrape goes to the sidecar, so the fix can go ahead', () => {
    expect(fixOf(scrapedFleet({})).mode).toBe('auto');
  });
});
