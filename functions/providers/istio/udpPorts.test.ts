import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication } from './testInventory';

/*
 * The sidecar captures TCP only (istio-iptables redirects `-p tcp`), and istiod builds no
 * listener or cluster for a UDP or SCTP Service port: mTLS never applies there, so a PERMISSIVE
 * policy on such a port is no finding, and a Service's UDP port sends nothing through a cluster.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

/** A DNS cache answering on 53 over UDP and TCP, and a statsd exporter on 8125/UDP beside its 9102 scrape port. */
const dnsCache = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: dns-cache
  namespace: platform
spec:
  selector:
    matchLabels:
      app: dns-cache
  template:
    metadata:
      labels:
        app: dns-cache
    spec:
      containers:
      - name: coredns
        image: registry.k8s.io/coredns/coredns:v1.11.3
        ports:
        - containerPort: 53
          name: dns
          protocol: UDP
        - containerPort: 53
          name: dns-tcp
          protocol: TCP
      - name: statsd-exporter
        image: docker.io/prom/statsd-exporter:v0.27.1
        ports:
        - containerPort: 8125
          name: statsd
          protocol: UDP
        - containerPort: 9102
          name: http-metrics
`;

const dnsService = `apiVersion: v1
kind: Service
metadata:
  name: dns-cache
  namespace: platform
spec:
  selector:
    app: dns-cache
  ports:
  - name: dns
    port: 53
    protocol: UDP
    targetPort: dns
  - name: dns-tcp
    port: 53
    protocol: TCP
    targetPort: dns-tcp
  - name: statsd
    port: 8125
    protocol: UDP
    targetPort: statsd
`;

const fleet = () => docs(namespace('platform'), peerAuthentication('platform', 'default', 'PERMISSIVE'), dnsCache, dnsService);

describe('UDP and SCTP ports', () => {
  it('are no servers: only the TCP ports of the workload are audited', () => {
    const ports = istioModelOf(fleet()).servers.map((s) => s.resource.port);
    expect(ports).toEqual([53, 9102]);
  });

  it('raise no mtls-not-strict finding, while the TCP ports do', () => {
    const findings = evaluateModel(istioModelOf(fleet()), shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-not-strict');
    expect(findings.map((f) => f.resource.port).sort((a, b) => a! - b!)).toEqual([53, 9102]);
  });

  it("a Service's UDP port reaches no server: the TCP port 53 reaches the dns-tcp container port", () => {
    const server = istioModelOf(fleet()).servers.find((s) => s.resource.port === 53)!;
    expect(server.servicePorts).toEqual([53]);
    expect(istioModelOf(fleet()).servers.some((s) => s.resource.port === 8125)).toBe(false);
  });
});
