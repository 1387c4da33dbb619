import { slimObject } from './slim-object';

describe('slimObject keeps of a Pod what the model reads', () => {
  const pod = (spec: Record<string, unknown>) => ({
    metadata: { name: 'node-exporter-7xk2p', namespace: 'observability', labels: { app: 'node-exporter' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'node-exporter', controller: true }] },
    spec: { containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2', ports: [{ containerPort: 9100, hostPort: 9100 }] }], ...spec },
    status: { phase: 'Running', podIP: '10.128.0.12' },
  });

  it('hostNetwork, which keeps the injector away (the model puts such a pod outside the mesh)', () => {
    expect(slimObject(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), 'v1', 'Pod').spec).toMatchObject({ hostNetwork: true });
  });

  it('nothing of it when the pod is on the pod network', () => {
    expect(slimObject(pod({}), 'v1', 'Pod').spec).not.toHaveProperty('hostNetwork');
  });
});
