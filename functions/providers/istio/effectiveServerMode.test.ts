import { effectiveServerMode } from './effectiveServerMode';
import type { PeerAuthenticationPolicy } from './peerAuthentication';
import { deployment, istioModelOf } from './testInventory';

const meshedNamespace = (name: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    istio-injection: enabled
`;

const pa = (
  namespace: string,
  name: string,
  opts: { mode?: string; selector?: Record<string, string>; ports?: Record<number, string | null>; created?: string } = {},
) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: ${namespace}
${opts.created ? `  creationTimestamp: "${opts.created}"\n` : ''}spec:
${opts.selector ? `  selector:\n    matchLabels:\n${Object.entries(opts.selector).map(([k, v]) => `      ${k}: ${v}`).join('\n')}\n` : ''}${opts.mode ? `  mtls:\n    mode: ${opts.mode}\n` : ''}${
  opts.ports
    ? `  portLevelMtls:\n${Object.entries(opts.ports)
        .map(([p, m]) => (m === null ? `    ${p}: {}` : `    ${p}:\n      mode: ${m}`))
        .join('\n')}\n`
    : ''
}`;

const docs = (...parts: string[]) => parts.join('---\n');

function serverOf(yaml: string, id: string) {
  const model = istioModelOf(yaml);
  const server = model.servers.find((s) => s.id === id);
  if (!server) throw new Error(`no server ${id}; have ${model.servers.map((s) => s.id).join(', ')}`);
  return server;
}

describe('effective PeerAuthentication precedence (Istio ComposePeerAuthentication)', () => {
  const orders = deployment('orders', 'orders-api', { labels: { app: 'orders-api', version: 'v1' }, ports: [8080, 9090] });

  it.each([
    {
      rule: 'no policy at all is PERMISSIVE, caused by the built-in default at the workload document',
      yaml: docs(meshedNamespace('orders'), orders),
      port: 8080,
      mode: 'PERMISSIVE',
      cause: { scope: 'default', name: '(none)' },
    },
    {
      rule: 'a mesh-wide policy with UNSET mode is PERMISSIVE',
      yaml: docs(meshedNamespace('orders'), pa('istio-system', 'default'), orders),
      port: 8080,
      mode: 'PERMISSIVE',
      cause: { scope: 'mesh', name: 'default', namespace: 'istio-system' },
    },
    {
      rule: 'a mesh-wide STRICT applies to every namespace',
      yaml: docs(meshedNamespace('orders'), pa('istio-system', 'default', { mode: 'STRICT' }), orders),
      port: 8080,
      mode: 'STRICT',
      cause: { scope: 'mesh', name: 'default', namespace: 'istio-system' },
    },
    {
      rule: 'a namespace-wide UNSET inherits the mesh-wide mode',
      yaml: docs(meshedNamespace('orders'), pa('istio-system', 'default', { mode: 'STRICT' }), pa('orders', 'default'), orders),
      port: 8080,
      mode: 'STRICT',
      cause: { scope: 'mesh', name: 'default', namespace: 'istio-system' },
    },
    {
      rule: 'a namespace-wide mode overrides the mesh-wide one',
      yaml: docs(meshedNamespace('orders'), pa('istio-system', 'default', { mode: 'STRICT' }), pa('orders', 'default', { mode: 'DISABLE' }), orders),
      port: 8080,
      mode: 'DISABLED',
      cause: { scope: 'namespace', name: 'default', namespace: 'orders' },
    },
    {
      rule: 'a workload policy with UNSET mode inherits the namespace-wide mode',
      yaml: docs(meshedNamespace('orders'), pa('orders', 'default', { mode: 'STRICT' }), pa('orders', 'orders-api', { selector: { app: 'orders-api' } }), orders),
      port: 8080,
      mode: 'STRICT',
      cause: { scope: 'namespace', name: 'default', namespace: 'orders' },
    },
    {
      rule: 'a workload policy overrides the namespace-wide mode',
      yaml: docs(meshedNamespace('orders'), pa('orders', 'default', { mode: 'STRICT' }), pa('orders', 'orders-api', { selector: { app: 'orders-api' }, mode: 'PERMISSIVE' }), orders),
      port: 8080,
      mode: 'PERMISSIVE',
      cause: { scope: 'workload', name: 'orders-api', namespace: 'orders' },
    },
    {
      rule: 'portLevelMtls overrides the workload mode on that workload port',
      yaml: docs(meshedNamespace('orders'), pa('orders', 'orders-api', { selector: { app: 'orders-api' }, mode: 'STRICT', ports: { 9090: 'DISABLE' } }), orders),
      port: 9090,
      mode: 'DISABLED',
      cause: { scope: 'port', name: 'orders-api', namespace: 'orders' },
    },
    {
      rule: 'portLevelMtls leaves the other ports at the workload mode',
      yaml: docs(meshedNamespace('orders'), pa('orders', 'orders-api', { selector: { app: 'orders-api' }, mode: 'STRICT', ports: { 9090: 'DISABLE' } }), orders),
      port: 8080,
      mode: 'STRICT',
      cause: { scope: 'workload', name: 'orders-api', namespace: 'orders' },
    },
    {
      rule: 'a port-level UNSET inherits the workload-level result (itself inherited from the namespace)',
      yaml: docs(meshedNamespace('orders'), pa('orders', 'default', { mode: 'DISABLE' }), pa('orders', 'orders-api', { selector: { app: 'orders-api' }, ports: { 9090: null } }), orders),
      port: 9090,
      mode: 'DISABLED',
      cause: { scope: 'namespace', name: 'default', namespace: 'orders' },
    },
    {
      // CRD rule "portLevelMtls requires selector": the API server refuses the whole object, so its mtls never applies either.
      rule: 'a policy without a selector that has portLevelMtls is refused whole: the namespace keeps the mode it inherits',
      yaml: docs(meshedNamespace('orders'), pa('istio-system', 'default', { mode: 'STRICT' }), pa('orders', 'default', { mode: 'DISABLE', ports: { 9090: 'STRICT' } }), orders),
      port: 8080,
      mode: 'STRICT',
      cause: { scope: 'mesh', name: 'default', namespace: 'istio-system' },
    },
    {
      rule: 'a root-namespace policy with a selector is ignored',
      yaml: docs(meshedNamespace('orders'), pa('istio-system', 'orders-off', { selector: { app: 'orders-api' }, mode: 'DISABLE' }), orders),
      port: 8080,
      mode: 'PERMISSIVE',
      cause: { scope: 'default' },
    },
    {
      rule: 'of two namespace-wide policies only the oldest counts',
      yaml: docs(
        meshedNamespace('orders'),
        pa('orders', 'newer', { mode: 'DISABLE', created: '2026-09-01T08:00:00Z' }),
        pa('orders', 'older', { mode: 'STRICT', created: '2026-03-01T08:00:00Z' }),
        orders,
      ),
      port: 8080,
      mode: 'STRICT',
      cause: { scope: 'namespace', name: 'older' },
    },
    {
      rule: 'namespace-wide policies created in the same second: the first by name counts',
      yaml: docs(
        meshedNamespace('orders'),
        pa('orders', 'zz-permissive', { mode: 'PERMISSIVE', created: '2026-03-01T08:00:00Z' }),
        pa('orders', 'aa-strict', { mode: 'STRICT', created: '2026-03-01T08:00:00Z' }),
        orders,
      ),
      port: 8080,
      mode: 'STRICT',
      cause: { scope: 'namespace', name: 'aa-strict' },
    },
    {
      rule: 'of two mesh-wide policies only the oldest counts',
      yaml: docs(
        meshedNamespace('orders'),
        pa('istio-system', 'mesh-new', { mode: 'DISABLE', created: '2026-09-01T08:00:00Z' }),
        pa('istio-system', 'mesh-old', { mode: 'STRICT', created: '2025-01-01T08:00:00Z' }),
        orders,
      ),
      port: 8080,
      mode: 'STRICT',
      cause: { scope: 'mesh', name: 'mesh-old' },
    },
    {
      rule: 'of two workload policies matching the same workload the oldest wins, port settings included',
      yaml: docs(
        meshedNamespace('orders'),
        pa('orders', 'by-version', { selector: { version: 'v1' }, mode: 'DISABLE', ports: { 8080: 'PERMISSIVE' }, created: '2026-05-01T08:00:00Z' }),
        pa('orders', 'by-app', { selector: { app: 'orders-api' }, mode: 'STRICT', created: '2026-02-01T08:00:00Z' }),
        orders,
      ),
      port: 8080,
      mode: 'STRICT',
      cause: { scope: 'workload', name: 'by-app' },
    },
    {
      rule: 'a selector that names a label the workload lacks does not match',
      yaml: docs(meshedNamespace('orders'), pa('orders', 'canary', { selector: { app: 'orders-api', track: 'canary' }, mode: 'DISABLE' }), orders),
      port: 8080,
      mode: 'PERMISSIVE',
      cause: { scope: 'default' },
    },
  ])('$rule', ({ yaml, port, mode, cause }) => {
    const server = serverOf(yaml, `istio:orders/Deployment/orders-api:${port}`);
    expect(server.mode).toBe(mode);
    expect(server.cause).toMatchObject({ kind: 'PeerAuthentication', ...cause });
  });

  it('reports portLevelMtls on a namespace-wide policy, which the CRD refuses', () => {
    const model = istioModelOf(docs(meshedNamespace('orders'), pa('orders', 'default', { mode: 'STRICT', ports: { 9090: 'DISABLE' } }), orders), 'k8s/orders.yaml');
    expect(model.problems).toEqual([
      expect.objectContaining({ file: 'k8s/orders.yaml', line: 8, field: 'spec.portLevelMtls', kind: 'PeerAuthentication', name: 'default' }),
    ]);
  });

  it('points the server resource at the winning policy document, or at the workload when none applies', () => {
    const yaml = docs(meshedNamespace('orders'), pa('orders', 'orders-api', { selector: { app: 'orders-api' }, mode: 'STRICT' }), orders);
    const model = istioModelOf(yaml, 'k8s/orders.yaml');
    const withPolicy = model.servers.find((s) => s.id === 'istio:orders/Deployment/orders-api:8080')!;
    expect(withPolicy.resource).toEqual({ kind: 'Deployment', name: 'orders-api', namespace: 'orders', port: 8080, file: 'k8s/orders.yaml', line: 8 });
    expect(withPolicy.cause.source).toEqual({ file: 'k8s/orders.yaml', line: 8 });

    const bare = istioModelOf(docs(meshedNamespace('orders'), orders), 'k8s/orders.yaml').servers[0]!;
    expect(bare.resource).toMatchObject({ file: 'k8s/orders.yaml', line: 8 }); // the Deployment's document
  });

  it.each([
    ['Deployment', deployment('orders', 'worker', { labels: { app: 'worker' } })],
    ['StatefulSet', deployment('orders', 'worker', { labels: { app: 'worker' }, kind: 'StatefulSet' })],
    ['DaemonSet', deployment('orders', 'worker', { labels: { app: 'worker' }, kind: 'DaemonSet' })],
    [
      'Pod',
      `apiVersion: v1
kind: Pod
metadata:
  name: worker
  namespace: orders
  labels:
    app: worker
spec:
  containers:
  - name: worker
    image: registry.example.com/orders/worker:2.0.1
    ports:
    - containerPort: 8080
`,
    ],
  ])('a workload selector matches the pod labels of a %s', (kind, workloadYaml) => {
    const server = serverOf(
      docs(meshedNamespace('orders'), pa('orders', 'worker-strict', { selector: { app: 'worker' }, mode: 'STRICT' }), workloadYaml),
      `istio:orders/${kind}/worker:8080`,
    );
    expect(server.mode).toBe('STRICT');
    expect(server.cause.scope).toBe('workload');
  });

  it('a Pod owned by a controller is not a workload of its own', () => {
    const ownedPod = `apiVersion: v1
kind: Pod
metadata:
  name: worker-7d9f8c6b5-x2x9k
  namespace: orders
  labels:
    app: worker
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: worker-7d9f8c6b5
    uid: 0f5b7c1e-3a2d-4c8e-9b61-7e2d4a9c1f30
    controller: true
spec:
  containers:
  - name: worker
    image: registry.example.com/orders/worker:2.0.1
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.2
status:
  phase: Running
`;
    const model = istioModelOf(docs(meshedNamespace('orders'), deployment('orders', 'worker', { labels: { app: 'worker' } }), ownedPod));
    expect(model.servers.map((s) => s.id)).toEqual(['istio:orders/Deployment/worker:8080']);
  });
});

describe('effectiveServerMode on its own', () => {
  const policy = (mode: PeerAuthenticationPolicy['mode'], extra: Partial<PeerAuthenticationPolicy> = {}): PeerAuthenticationPolicy => ({
    name: 'p',
    namespace: 'orders',
    apiVersion: 'security.istio.io/v1',
    source: { file: 'f.yaml', line: 1 },
    doc: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'p' } },
    mode,
    portLevelMtls: new Map(),
    ...extra,
  });

  it.each([
    { mesh: undefined, ns: undefined, wl: undefined, port: 80, want: 'PERMISSIVE', scope: 'default' },
    { mesh: 'DISABLE', ns: 'UNSET', wl: undefined, port: 80, want: 'DISABLED', scope: 'mesh' },
    { mesh: 'DISABLE', ns: 'STRICT', wl: 'UNSET', port: 80, want: 'STRICT', scope: 'namespace' },
    { mesh: 'STRICT', ns: 'STRICT', wl: 'PERMISSIVE', port: 80, want: 'PERMISSIVE', scope: 'workload' },
    { mesh: undefined, ns: 'STRICT', wl: 'UNSET', port: 15021, want: 'DISABLED', scope: 'port', ports: [[15021, 'DISABLE']] },
    { mesh: undefined, ns: 'STRICT', wl: 'PERMISSIVE', port: 15021, want: 'PERMISSIVE', scope: 'workload', ports: [[15021, 'UNSET']] },
    { mesh: undefined, ns: 'STRICT', wl: 'UNSET', port: undefined, want: 'STRICT', scope: 'namespace', ports: [[15021, 'DISABLE']] },
  ] as const)('mesh=$mesh namespace=$ns workload=$wl port=$port → $want ($scope)', (row) => {
    const result = effectiveServerMode(
      {
        ...(row.mesh ? { mesh: policy(row.mesh) } : {}),
        ...(row.ns ? { namespace: policy(row.ns) } : {}),
        ...(row.wl ? { workload: policy(row.wl, { selector: { app: 'a' }, portLevelMtls: new Map((('ports' in row ? row.ports : []) as any) ?? []) }) } : {}),
      },
      row.port,
    );
    expect(result.mode).toBe(row.want);
    expect(result.scope).toBe(row.scope);
  });
});
