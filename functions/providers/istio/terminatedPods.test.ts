import { deployment, docs, istioModelOf, namespaceYaml, peerAuthenticationYaml } from './testInventory';

/** A Pod of `app`, owned by the ReplicaSet `<app>-<hash>`, with a sidecar or not, in `phase`. */
function replicaSetPod(app: string, hash: string, opts: { sidecar: boolean; phase: string; deletionTimestamp?: string }): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${app}-${hash}-zq4xk
  namespace: shop
${opts.deletionTimestamp ? `  deletionTimestamp: "${opts.deletionTimestamp}"\n` : ''}  labels:
    app: ${app}
    pod-template-hash: ${hash}
${opts.sidecar ? `  annotations:\n    sidecar.istio.io/status: '{"containers":["istio-proxy"]}'\n` : ''}  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: ${app}-${hash}
    uid: 5b1c2d3e-0000-4000-8000-${hash.padEnd(12, '0').slice(0, 12)}
    controller: true
    blockOwnerDeletion: true
spec:
  containers:
  - name: server
    image: frontend:1
    ports:
    - containerPort: 8080
      name: http
${opts.sidecar ? '  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.24.2\n' : ''}status:
  phase: ${opts.phase}
${opts.phase === 'Failed' ? '  reason: Evicted\n  message: "The node was low on resource: ephemeral-storage."\n' : ''}`;
}

const fleet = (...extra: string[]) =>
  istioModelOf(
    docs(
      namespaceYaml('shop'),
      deployment('shop', 'frontend', { ports: [{ containerPort: 8080, name: 'http' }] }),
      replicaSetPod('frontend', '7d9f8b6c5', { sidecar: true, phase: 'Running' }),
      peerAuthenticationYaml('istio-system', 'default', 'PERMISSIVE'),
      ...extra,
    ),
  );

describe('terminated Pods are no workload evidence', () => {
  it('an evicted Pod of an old ReplicaSet without a sidecar leaves the Deployment in the mesh, so PERMISSIVE shows', () => {
    const model = fleet(replicaSetPod('frontend', '6c8d7f5b4', { sidecar: false, phase: 'Failed' }));
    expect(model.membership.map((m) => m.id)).toEqual([]);
    const server = model.servers.find((s) => s.id === 'istio:shop/Deployment/frontend:8080');
    expect(server).toMatchObject({ inMesh: true, mode: 'PERMISSIVE' });
  });

  it('a Succeeded or terminating Pod counts no more than an evicted one', () => {
    const model = fleet(
      replicaSetPod('frontend', '5b7c6d4e3', { sidecar: false, phase: 'Succeeded' }),
      replicaSetPod('frontend', '4a6b5c3d2', { sidecar: false, phase: 'Running', deletionTimestamp: '2026-11-26T08:00:00Z' }),
    );
    expect(model.membership).toEqual([]);
    expect(model.servers.find((s) => s.id === 'istio:shop/Deployment/frontend:8080')?.inMesh).toBe(true);
  });

  it('a running Pod without a sidecar still puts the Deployment outside the mesh', () => {
    const model = fleet(replicaSetPod('frontend', '6c8d7f5b4', { sidecar: false, phase: 'Running' }));
    expect(model.membership.map((m) => m.id)).toEqual(['istio:shop/Deployment/frontend']);
  });

  it('a completed Job Pod whose Job is not among the inputs is no workload of its own', () => {
    const model = fleet(`apiVersion: v1
kind: Pod
metadata:
  name: db-migrate-x7k2p
  namespace: shop
  labels:
    batch.kubernetes.io/job-name: db-migrate
    job-name: db-migrate
  annotations:
    sidecar.istio.io/inject: "false"
  ownerReferences:
  - apiVersion: batch/v1
    kind: Job
    name: db-migrate
    uid: 0f5e6d7c-1111-4222-8333-944455566677
    controller: true
spec:
  restartPolicy: Never
  containers:
  - name: migrate
    image: migrate:1
status:
  phase: Succeeded
`);
    expect(model.membership).toEqual([]);
    expect(model.servers.map((s) => s.id)).not.toContain('istio:shop/Job/db-migrate:*');
  });
});
