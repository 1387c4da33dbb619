import { deployment, istioModelOf } from './testInventory';
import { hasIstioProxy, podOwnerOf } from './workloads';

const docs = (...parts: string[]) => parts.join('---\n');
/** 1-based line where the document after `before` starts, once joined by `docs`. */
const lineAfter = (...before: string[]) => docs(...before).split('\n').length + 1;

const shop = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
    kubernetes.io/metadata.name: shop
`;

const disableShop = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: DISABLE
`;

interface PodOpts {
  name: string;
  labels: Record<string, string>;
  owner?: { kind: string; name: string; uid: string; apiVersion?: string; controller?: boolean };
  port?: number;
  sidecar?: 'container' | 'native' | 'init-no-restart' | 'none';
}

/** A Pod as `kubectl get pods -o yaml` prints it (trimmed to what the model reads). */
function pod({ name, labels, owner, port = 8080, sidecar = 'container' }: PodOpts): string {
  const app = labels['app'] ?? name;
  const ownerRefs = owner
    ? `  ownerReferences:
  - apiVersion: ${owner.apiVersion ?? 'apps/v1'}
    kind: ${owner.kind}
    name: ${owner.name}
    uid: ${owner.uid}
    controller: ${owner.controller ?? true}
    blockOwnerDeletion: true
`
    : '';
  const proxy = `  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.22.3
    args: [proxy, sidecar]
    ports:
    - containerPort: 15090
      name: http-envoy-prom
      protocol: TCP
`;
  const init =
    sidecar === 'native'
      ? `  initContainers:\n${proxy}    restartPolicy: Always\n`
      : sidecar === 'init-no-restart'
        ? `  initContainers:\n${proxy}`
        : '';
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
  labels:
${Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`).join('\n')}
${ownerRefs}spec:
${init}  containers:
  - name: ${app}
    image: registry.example.com/shop/${app}:2.1.0
    ports:
    - containerPort: ${port}
      name: http
      protocol: TCP
${sidecar === 'container' ? proxy : ''}  restartPolicy: Always
status:
  phase: Running
  podIP: 10.8.1.23
`;
}

const apiRs = { kind: 'ReplicaSet', name: 'api-7d9f8b6c5', uid: '5b0c2f7e-3a1d-4c8e-9f60-2d7a1e4b8c93' };
const apiPod = (suffix: string, opts: Partial<PodOpts> = {}) =>
  pod({ name: `api-7d9f8b6c5-${suffix}`, labels: { app: 'api', version: 'v2', 'pod-template-hash': '7d9f8b6c5' }, owner: apiRs, ...opts });
const legacyPod = (ordinal: number) =>
  pod({
    name: `legacy-${ordinal}`,
    labels: {
      app: 'legacy',
      'controller-revision-hash': 'legacy-6c4f8d9b7',
      'statefulset.kubernetes.io/pod-name': `legacy-${ordinal}`,
      'apps.kubernetes.io/pod-index': String(ordinal),
    },
    owner: { kind: 'StatefulSet', name: 'legacy', uid: 'e1a4c7d2-0b9f-4e36-8a15-7c3d2f6b9e01' },
    port: 9000,
    sidecar: 'none',
  });

describe('Pods whose controller is not among the inputs (kubectl get pods -A -o yaml)', () => {
  it('models them as their controller: the api Deployment serves plaintext, the legacy StatefulSet is outside the mesh', () => {
    const model = istioModelOf(docs(shop, disableShop, apiPod('abcde'), legacyPod(0)), 'cluster/pods.yaml');
    expect(model.servers.map((s) => [s.id, s.mode, s.inMesh])).toEqual([
      ['istio:shop/Deployment/api:8080', 'DISABLED', true],
      ['istio:shop/StatefulSet/legacy:9000', 'DISABLED', false],
    ]);
    expect(model.servers[0]!.resource).toMatchObject({ kind: 'Deployment', name: 'api', namespace: 'shop', port: 8080 });
    expect(model.membership).toEqual([
      expect.objectContaining({
        id: 'istio:shop/StatefulSet/legacy',
        inMesh: false,
        reason: 'pod legacy-0 runs without an istio-proxy sidecar',
        resource: { kind: 'StatefulSet', name: 'legacy', namespace: 'shop', file: 'cluster/pods.yaml', line: lineAfter(shop, disableShop, apiPod('abcde')) },
      }),
    ]);
  });

  it('gives three replicas one workload, at the first Pod, with the labels their template gave', () => {
    const first = apiPod('abcde');
    const model = istioModelOf(docs(shop, first, apiPod('fghij'), apiPod('klmno')));
    expect(model.servers).toHaveLength(1);
    expect(model.servers[0]).toMatchObject({
      id: 'istio:shop/Deployment/api:8080',
      inMesh: true,
      labels: { app: 'api', version: 'v2' },
      resource: { kind: 'Deployment', name: 'api', line: lineAfter(shop) },
    });
    expect(model.servers[0]!.labels).not.toHaveProperty('pod-template-hash');
    expect(model.membership).toEqual([]);
  });

  it('drops per-pod StatefulSet labels, so selectors see one workload', () => {
    const selectLegacy = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: legacy
  namespace: shop
spec:
  selector:
    matchLabels:
      app: legacy
  mtls:
    mode: STRICT
`;
    const model = istioModelOf(docs(shop, selectLegacy, legacyPod(0), legacyPod(1), legacyPod(2)));
    expect(model.servers.map((s) => s.id)).toEqual(['istio:shop/StatefulSet/legacy:9000']);
    expect(model.servers[0]!.labels).toEqual({ app: 'legacy' });
    expect(model.servers[0]!.cause).toMatchObject({ name: 'legacy', scope: 'workload' });
    expect(model.membership.map((m) => m.id)).toEqual(['istio:shop/StatefulSet/legacy']);
  });

  it('puts a group whose pods disagree outside the mesh, and says so', () => {
    const model = istioModelOf(docs(shop, apiPod('abcde'), apiPod('fghij', { sidecar: 'none' }), apiPod('klmno')));
    expect(model.servers.map((s) => [s.id, s.inMesh])).toEqual([['istio:shop/Deployment/api:8080', false]]);
    expect(model.membership).toEqual([
      expect.objectContaining({
        id: 'istio:shop/Deployment/api',
        reason: expect.stringMatching(/^pod api-7d9f8b6c5-fghij runs without an istio-proxy sidecar while 2 of the workload's 3 pods have one/),
      }),
    ]);
  });

  it('counts a native sidecar (init container with restartPolicy: Always) as a sidecar, a plain init container not', () => {
    expect(istioModelOf(docs(shop, apiPod('abcde', { sidecar: 'native' }))).servers.map((s) => s.inMesh)).toEqual([true]);
    expect(istioModelOf(docs(shop, apiPod('abcde', { sidecar: 'init-no-restart' }))).servers.map((s) => s.inMesh)).toEqual([false]);
  });

  it('names other owners as they are: a ReplicaSet without the Deployment hash; a CronJob run as its CronJob', () => {
    const model = istioModelOf(
      docs(
        shop,
        pod({ name: 'worker-x7k2p', labels: { app: 'worker' }, owner: { kind: 'ReplicaSet', name: 'worker', uid: '9d2e6b1a-4f7c-4a83-b05e-61c8f3a2d7e4' } }),
        pod({
          name: 'reindex-28861440-q9v4t',
          labels: { 'batch.kubernetes.io/job-name': 'reindex-28861440', 'job-name': 'reindex-28861440' },
          owner: { kind: 'Job', name: 'reindex-28861440', uid: '3f8a0c5d-7e21-4b96-a4d3-c0e9b7f15a28', apiVersion: 'batch/v1' },
          sidecar: 'none',
        }),
      ),
    );
    expect(model.servers.map((s) => s.id)).toEqual(['istio:shop/ReplicaSet/worker:8080', 'istio:shop/CronJob/reindex:8080']);
    expect(model.membership.map((m) => [m.resource.kind, m.resource.name])).toEqual([['CronJob', 'reindex']]);
  });

  it('keeps a Pod without owner, or with owners none of which is its controller, a workload of its own', () => {
    const model = istioModelOf(
      docs(
        shop,
        pod({ name: 'debug-shell', labels: { app: 'debug-shell' } }),
        pod({ name: 'adopted', labels: { app: 'adopted' }, owner: { kind: 'ReplicaSet', name: 'old-rs', uid: 'c2b7e9f4-1d3a-4865-9e0b-5a7f2c8d4e16', controller: false } }),
      ),
    );
    expect(model.servers.map((s) => s.id)).toEqual(['istio:shop/Pod/debug-shell:8080', 'istio:shop/Pod/adopted:8080']);
  });

  it('leaves Pods as evidence for their controller when the controller is among the inputs', () => {
    const model = istioModelOf(
      docs(shop, deployment('shop', 'api', { labels: { app: 'api' } }), apiPod('abcde'), apiPod('fghij'), deployment('shop', 'legacy', { kind: 'StatefulSet', ports: [9000] }), legacyPod(0)),
    );
    expect(model.servers.map((s) => [s.id, s.inMesh])).toEqual([
      ['istio:shop/Deployment/api:8080', true],
      ['istio:shop/StatefulSet/legacy:9000', false],
    ]);
    expect(model.servers[0]!.resource.line).toBe(lineAfter(shop));
    expect(model.membership.map((m) => m.id)).toEqual(['istio:shop/StatefulSet/legacy']);
  });
});

describe('podOwnerOf', () => {
  const meta = (labels: Record<string, string>, refs: unknown[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', labels, ownerReferences: refs } });
  it('reads the Deployment from a ReplicaSet only when the pod-template-hash is its suffix', () => {
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-7d9f8b6c5', uid: 'u', controller: true };
    expect(podOwnerOf(meta({ 'pod-template-hash': '7d9f8b6c5' }, [rs]))).toEqual({ kind: 'Deployment', name: 'api' });
    expect(podOwnerOf(meta({ 'pod-template-hash': '5c8b9f7d6' }, [rs]))).toEqual({ kind: 'ReplicaSet', name: 'api-7d9f8b6c5' });
    expect(podOwnerOf(meta({}, [rs]))).toEqual({ kind: 'ReplicaSet', name: 'api-7d9f8b6c5' });
  });

  it('follows the controller reference, not the first one', () => {
    const refs = [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'lease', uid: 'a' },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'node-agent', uid: 'b', controller: true },
    ];
    expect(podOwnerOf(meta({}, refs))).toEqual({ kind: 'DaemonSet', name: 'node-agent' });
  });
});

describe('hasIstioProxy', () => {
  it('counts an istio-proxy init container only as a native sidecar (restartPolicy: Always)', () => {
    const proxy = { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.3' };
    expect(hasIstioProxy({ initContainers: [{ ...proxy, restartPolicy: 'Always' }], containers: [{ name: 'api' }] }, {})).toBe(true);
    expect(hasIstioProxy({ initContainers: [proxy], containers: [{ name: 'api' }] }, {})).toBe(false);
    expect(hasIstioProxy({ containers: [{ name: 'api' }, proxy] }, {})).toBe(true);
    expect(hasIstioProxy({ containers: [{ name: 'api' }] }, { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' })).toBe(true);
  });
});
