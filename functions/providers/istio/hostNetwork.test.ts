import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication } from './testInventory';

/*
 * Istio's injector never gives a hostNetwork pod a sidecar (pkg/kube/inject/inject.go
 * injectRequired: `if podSpec.HostNetwork { return false }`, before any label or annotation is
 * read), and ztunnel cannot capture one either (its rules would go into the node's network
 * namespace). Such a workload is outside the mesh whatever its namespace says.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

/** node-exporter as the prometheus-community chart deploys it: a DaemonSet on the node's network. */
const nodeExporter = (namespaceName: string, podLabels: Record<string, string> = {}) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
  namespace: ${namespaceName}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: node-exporter
  template:
    metadata:
      labels:
        app.kubernetes.io/name: node-exporter
${Object.entries(podLabels).map(([k, v]) => `        ${k}: "${v}"\n`).join('')}    spec:
      hostNetwork: true
      hostPID: true
      dnsPolicy: ClusterFirstWithHostNet
      containers:
      - name: node-exporter
        image: quay.io/prometheus/node-exporter:v1.8.2
        args: [--path.rootfs=/host/root, --web.listen-address=0.0.0.0:9100]
        ports:
        - name: metrics
          containerPort: 9100
          protocol: TCP
`;

describe('hostNetwork pods get no sidecar', () => {
  it('puts a hostNetwork DaemonSet in an injecting namespace outside the mesh, naming hostNetwork', () => {
    const model = istioModelOf(docs(namespace('monitoring'), peerAuthentication('monitoring', 'default', 'PERMISSIVE'), nodeExporter('monitoring')));
    expect(model.servers.map((s) => [s.id, s.inMesh])).toEqual([['istio:monitoring/DaemonSet/node-exporter:9100', false]]);
    expect(model.membership).toEqual([
      expect.objectContaining({
        id: 'istio:monitoring/DaemonSet/node-exporter',
        inMesh: false,
        resource: expect.objectContaining({ kind: 'DaemonSet', name: 'node-exporter', namespace: 'monitoring' }),
        reason: 'pod template of monitoring/DaemonSet/node-exporter sets hostNetwork: true, and Istio injects no sidecar into pods on the node\'s network',
      }),
    ]);
  });

  it('wins over an opt-in label, as the injector checks hostNetwork first', () => {
    const model = istioModelOf(docs(namespace('monitoring', {}), peerAuthentication('istio-system', 'default', 'STRICT'), nodeExporter('monitoring', { 'sidecar.istio.io/inject': 'true' })));
    expect(model.servers.map((s) => s.inMesh)).toEqual([false]);
  });

  it('is not enrolled by an ambient namespace', () => {
    const model = istioModelOf(docs(namespace('monitoring', { 'istio.io/dataplane-mode': 'ambient' }), peerAuthentication('istio-system', 'default', 'STRICT'), nodeExporter('monitoring')));
    expect(model.servers.map((s) => s.inMesh)).toEqual([false]);
    expect(model.membership.map((m) => m.id)).toEqual(['istio:monitoring/DaemonSet/node-exporter']);
  });

  it('is reported by mesh-sidecar-missing and never gets a STRICT fix of its own', () => {
    const findings = evaluateModel(
      istioModelOf(docs(namespace('monitoring'), peerAuthentication('monitoring', 'default', 'PERMISSIVE'), nodeExporter('monitoring'))),
      shippedPolicy(),
      NOW,
    );
    expect(findings.filter((f) => f.resource.name === 'node-exporter').map((f) => f.rule)).toEqual(['mesh-sidecar-missing']);
  });
});
