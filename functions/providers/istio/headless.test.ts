import { evaluateModel } from '../../core/rules/engine';
import type { Finding } from '../../core/findings';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication } from './testInventory';

/*
 * Headless Services (`clusterIP: None`) are Passthrough in Istio. With the default
 * PILOT_ENABLE_EDS_FOR_HEADLESS_SERVICES=false a sidecar's cluster for them is ORIGINAL_DST
 * (cluster.go convertResolution): no endpoints, so no per-endpoint tlsMode match
 * (cluster_tls.go applyUpstreamTLSSettings skips it for ORIGINAL_DST). Auto mTLS decides once
 * for every pod (push_context.go BestEffortInferServiceMTLSMode): plaintext when any endpoint
 * has no sidecar, else the namespace-wide or mesh-wide mode. The listener binds podIP:port and
 * the cluster keeps the dialed port, so targetPort means nothing (Kubernetes ignores it too).
 */

const NOW = new Date('2026-11-26T00:00:00Z');

const headless = (opts: { targetPort?: number } = {}) => `apiVersion: v1
kind: Service
metadata:
  name: ledger-peers
  namespace: bank
spec:
  clusterIP: None
  selector:
    app: ledger
  ports:
  - name: tcp-raft
    port: 7000
    protocol: TCP${opts.targetPort !== undefined ? `\n    targetPort: ${opts.targetPort}` : ''}
`;

const clusterIp = `apiVersion: v1
kind: Service
metadata:
  name: ledger
  namespace: bank
spec:
  selector:
    app: ledger
  ports:
  - name: tcp-raft
    port: 7000
    protocol: TCP
    targetPort: 7000
`;

const ledger = deployment('bank', 'ledger', { kind: 'StatefulSet', labels: { app: 'ledger' }, ports: [7000] });
/** A replica set up by hand without a sidecar, behind the same Services. */
const ledgerRestore = deployment('bank', 'ledger-restore', {
  labels: { app: 'ledger', role: 'restore' },
  ports: [7000],
  annotations: { 'sidecar.istio.io/inject': 'false' },
});

const fleet = (...extra: string[]) => docs(namespace('bank'), namespace('web'), peerAuthentication('istio-system', 'default', 'STRICT'), ledger, deployment('web', 'teller'), ...extra);
const audit = (yaml: string): Finding[] => evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);
const conflicts = (findings: Finding[]) => findings.filter((f) => f.rule === 'mtls-conflict');

describe('headless Services', () => {
  it('one pod without a sidecar makes auto mTLS send plaintext to every pod, so the STRICT ones refuse it', () => {
    const found = conflicts(audit(fleet(headless(), clusterIp, ledgerRestore)));
    expect(found.map((f) => [f.resource.kind, f.resource.name, (f.detail.server as { name: string }).name])).toEqual([['Service', 'ledger-peers', 'ledger']]);
    expect(found[0]!.message).toContain('has no sidecar');
    expect(found[0]!.remediation).toMatchObject({ action: 'istio.destinationrule.create-istio-mutual', mode: 'approval' });
  });

  it('behind a ClusterIP Service the same pods are fine: each endpoint gets its own transport socket', () => {
    expect(conflicts(audit(fleet(clusterIp, ledgerRestore)))).toEqual([]);
  });

  it('with sidecars everywhere, auto mTLS sends mTLS to every pod, so a workload DISABLE under a STRICT mesh refuses it', () => {
    const found = conflicts(audit(fleet(headless(), peerAuthentication('bank', 'ledger', 'DISABLE', { app: 'ledger' }))));
    expect(found).toHaveLength(1);
    expect(found[0]!.detail).toMatchObject({ sends: 'MTLS', server: { name: 'ledger', port: 7000, mode: 'DISABLED' } });
    expect(conflicts(audit(fleet(clusterIp, peerAuthentication('bank', 'ledger', 'DISABLE', { app: 'ledger' }))))).toEqual([]);
  });

  it('a DestinationRule without tls settings leaves the same auto mTLS decision; one with tls settings decides as for any Service', () => {
    const rule = (tls: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ledger-peers
  namespace: bank
spec:
  host: ledger-peers.bank.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 200
${tls}`;
    const withoutTls = conflicts(audit(fleet(headless(), ledgerRestore, rule(''))));
    expect(withoutTls.map((f) => [f.resource.kind, f.detail.sends])).toEqual([['DestinationRule', 'PLAINTEXT']]);
    const mutual = conflicts(audit(fleet(headless(), ledgerRestore, rule('    tls:\n      mode: ISTIO_MUTUAL\n'))));
    expect(mutual.map((f) => (f.detail.server as { name: string }).name)).toEqual(['ledger-restore']);
  });

  it('all pods in the mesh and nothing refusing mTLS: no record, as for a ClusterIP Service', () => {
    const model = istioModelOf(fleet(headless()));
    expect(model.clients).toEqual([]);
  });

  it('clients reach the Service port on the pod: a headless targetPort is ignored', () => {
    const model = istioModelOf(fleet(headless({ targetPort: 7100 }), peerAuthentication('bank', 'ledger', 'DISABLE', { app: 'ledger' })));
    const client = model.clients.find((c) => c.destination.hosts[0] === 'ledger-peers.bank.svc.cluster.local')!;
    expect(client.destination.serverIds).toEqual(['istio:bank/StatefulSet/ledger:7000']);
    expect(model.servers.map((s) => s.resource.port)).not.toContain(7100);
  });
});

describe('a DestinationRule with loadBalancer simple: PASSTHROUGH', () => {
  /** ORIGINAL_DST by the rule's load balancer (cluster_builder.go applyLoadBalancer), inferred like a headless Service. */
  const passthroughRule = (portLevel = '') => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ledger-direct
  namespace: bank
spec:
  host: ledger.bank.svc.cluster.local
  trafficPolicy:
    loadBalancer:
      simple: PASSTHROUGH
${portLevel}`;

  it('makes a ClusterIP Service passthrough: one pod without a sidecar turns auto mTLS into plaintext for every pod', () => {
    const found = conflicts(audit(fleet(clusterIp, ledgerRestore, passthroughRule())));
    expect(found.map((f) => [f.resource.kind, f.resource.name, (f.detail.server as { name: string }).name])).toEqual([['DestinationRule', 'ledger-direct', 'ledger']]);
    expect(found[0]!.message).toContain('has no sidecar');
  });

  /*
   * Two decisions read two different load balancers (cluster_builder.go applyDestinationRule):
   * the inferred mode reads the rule's top-level one (`BestEffortInferServiceMTLSMode(
   * destinationRule.GetTrafficPolicy(), …)`), the cluster type the port's merged one
   * (applyLoadBalancer). A port-level loadBalancer changes the second only.
   */
  it('a port-level ROUND_ROBIN keeps per-pod matching, but Istio still infers from the top level: the pod without a sidecar makes it plaintext for all', () => {
    const roundRobin = `    portLevelSettings:
    - port:
        number: 7000
      loadBalancer:
        simple: ROUND_ROBIN
`;
    const found = conflicts(audit(fleet(clusterIp, ledgerRestore, passthroughRule(roundRobin))));
    expect(found.map((f) => [f.resource.name, f.detail.sends, (f.detail.server as { name: string }).name])).toEqual([['ledger-direct', 'PLAINTEXT', 'ledger']]);
  });

  it('a port-level PASSTHROUGH alone makes the port ORIGINAL_DST while Istio infers the mesh STRICT: mTLS goes to every pod, the one without a sidecar included', () => {
    const portOnly = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ledger-direct
  namespace: bank
spec:
  host: ledger.bank.svc.cluster.local
  trafficPolicy:
    portLevelSettings:
    - port:
        number: 7000
      loadBalancer:
        simple: PASSTHROUGH
`;
    const found = conflicts(audit(fleet(clusterIp, ledgerRestore, portOnly)));
    expect(found.map((f) => [f.resource.name, f.detail.sends, (f.detail.server as { name: string }).name])).toEqual([['ledger-direct', 'MTLS', 'ledger-restore']]);
    expect(found[0]!.message).toContain('has no sidecar to take it');
  });
});
