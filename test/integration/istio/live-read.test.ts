/**
 * The live Istio reader against the Kubernetes emulator through the real client: paging,
 * scopes, served versions, retries, expired lists and what it keeps of each object.
 */
import type { AuditScope } from '../../../functions/core/pipeline/trigger';
import { KubeApiError, istioSource } from '../../../functions/providers/istio/live';
import { startOlderApiServer } from './older-apiserver-proxy';
import { pathsOf, startLiveCluster, type LiveCluster } from './live-cluster';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadKubeConfigFor } from '../../emulators/kubernetes';
import { buildIstioModel } from '../../../functions/providers/istio';
import { gmpScrapes, narrowSidecar, outsideHttpRoute, outsideIngresses, outsideL4Route, revisionTagToCanary, trustManagerBundle, wholeCluster } from './cluster-fixture';

let cluster: LiveCluster;

beforeEach(async () => {
  cluster = await startLiveCluster();
});

afterEach(async () => {
  await cluster.emulator.stop();
});

const ALL: AuditScope = { kind: 'all', providers: ['istio', 'x509'] };

const CLUSTER_WIDE = [
  '/api/v1/namespaces/default',
  '/api/v1/namespaces/istio-system',
  '/api/v1/namespaces/istio-system/configmaps/istio',
  '/api/v1/namespaces/istio-system/configmaps/istio-ca-root-cert',
  '/api/v1/namespaces/istio-system/secrets/cacerts',
  '/api/v1/namespaces/kube-node-lease',
  '/api/v1/namespaces/kube-public',
  '/api/v1/namespaces/kube-system',
  '/api/v1/namespaces/legacy-batch',
  '/api/v1/namespaces/legacy-batch/pods/batch-runner-6c9f8b7d5-z9x8c',
  '/api/v1/namespaces/observability',
  '/api/v1/namespaces/orders',
  '/api/v1/namespaces/orders/configmaps/istio-ca-root-cert',
  '/api/v1/namespaces/orders/pods/orders-api-5f7c9d8b4-q2w7e',
  '/api/v1/namespaces/orders/services/orders-api',
  '/api/v1/namespaces/payments',
  '/api/v1/namespaces/payments/configmaps/istio-ca-root-cert',
  '/api/v1/namespaces/payments/pods/ledger-0',
  '/api/v1/namespaces/payments/pods/payments-api-7d4b9c8f6-m8kzt',
  '/api/v1/namespaces/payments/pods/payments-api-7d4b9c8f6-x2x9q',
  '/api/v1/namespaces/payments/services/ledger',
  '/api/v1/namespaces/payments/services/payments-api',
  '/apis/apps/v1/namespaces/legacy-batch/deployments/batch-runner',
  '/apis/apps/v1/namespaces/orders/deployments/orders-api',
  '/apis/apps/v1/namespaces/payments/deployments/payments-api',
  '/apis/apps/v1/namespaces/payments/statefulsets/ledger',
  '/apis/cert-manager.io/v1/namespaces/payments/certificates/payments-api-tls',
  '/apis/networking.istio.io/v1/namespaces/legacy-batch/destinationrules/reporting',
  '/apis/networking.istio.io/v1/namespaces/legacy-batch/serviceentries/warehouse-db',
  '/apis/networking.istio.io/v1/namespaces/observability/destinationrules/otel-collector',
  '/apis/networking.istio.io/v1/namespaces/orders/destinationrules/payments-api-plaintext',
  '/apis/networking.istio.io/v1/namespaces/payments/destinationrules/ledger',
  '/apis/networking.istio.io/v1/namespaces/payments/serviceentries/stripe-api',
  '/apis/security.istio.io/v1/namespaces/istio-system/peerauthentications/default',
  '/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default',
];

test('a full read lists every kind cluster-wide in pages of two and keeps the API shape', async () => {
  const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, pageSize: 2 });
  const inventory = await source.collect(ALL);

  expect(pathsOf(inventory)).toEqual(CLUSTER_WIDE);
  expect(inventory.problems).toEqual([]);
  // Typed lists of built-in kinds omit apiVersion and kind on their items; the reader restores them.
  const byPath = new Map(inventory.kubernetes.map((o) => [o.source.file, o]));
  expect(byPath.get('/api/v1/namespaces/payments/services/ledger')!.doc).toMatchObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ledger', namespace: 'payments' } });
  expect(byPath.get('/apis/apps/v1/namespaces/payments/statefulsets/ledger')!.doc).toMatchObject({ apiVersion: 'apps/v1', kind: 'StatefulSet' });
  expect(byPath.get('/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default')!).toEqual({
    source: { file: '/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default', line: 1 },
    doc: expect.objectContaining({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', spec: { mtls: { mode: 'PERMISSIVE' } } }),
  });
  // The DestinationRule created as v1beta1 is read in the newest served version, like the rest.
  expect(byPath.get('/apis/networking.istio.io/v1/namespaces/orders/destinationrules/payments-api-plaintext')!.doc.apiVersion).toBe('networking.istio.io/v1');

  // Every list went through pages: limit=2 on each request, continue on the later ones.
  const lists = cluster.emulator.requests().filter((r) => r.verb === 'list');
  expect(lists.every((r) => r.query['limit'] === '2')).toBe(true);
  const podPages = lists.filter((r) => r.resource === 'pods');
  expect(podPages.map((r) => r.query['continue'] !== undefined)).toEqual([false, true, true]);
  expect(podPages.every((r) => r.namespace === undefined)).toBe(true);
  expect(cluster.emulator.calls()['list namespaces']).toBe(5); // 9 namespaces
  expect(source.lastRead()).toEqual({ requests: cluster.emulator.requests().length, retries: 0, objects: CLUSTER_WIDE.length });
});

test('what is kept of each object: no field bookkeeping, pods cut to their containers, no private keys', async () => {
  const inventory = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, tlsSecrets: ['payments'] }).collect(ALL);
  const byPath = new Map(inventory.kubernetes.map((o) => [o.source.file, o.doc]));

  const policy = byPath.get('/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default')!;
  expect(policy.metadata.managedFields).toBeUndefined();
  expect(policy.metadata.annotations).toEqual({});
  expect(policy.metadata.uid).toBe('9b4d6f8a-2c1e-4a3b-8d5f-7e9a1c3b5d60');
  expect(policy.metadata.resourceVersion).toBe(cluster.emulator.get('pa', 'payments', 'default')!.metadata.resourceVersion);

  const pod = byPath.get('/api/v1/namespaces/payments/pods/ledger-0')!;
  expect(pod.spec).toEqual({
    containers: [
      { name: 'ledger', ports: [{ containerPort: 7070, protocol: 'TCP' }] },
      { name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }] },
    ],
    initContainers: [{ name: 'istio-init' }],
  });
  expect(pod.status).toEqual({ phase: 'Running' });
  expect(pod.metadata.annotations?.['sidecar.istio.io/status']).toContain('istio-proxy');
  expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'StatefulSet', name: 'ledger' })]);

  expect(Object.keys(byPath.get('/api/v1/namespaces/istio-system/secrets/cacerts')!.data!).sort()).toEqual(['ca-cert.pem', 'cert-chain.pem', 'root-cert.pem']);
  const tls = byPath.get('/api/v1/namespaces/payments/secrets/payments-api-tls')!;
  expect(tls.type).toBe('kubernetes.io/tls');
  expect(Object.keys(tls.data!).sort()).toEqual(['ca.crt', 'tls.crt']);
  // Only the MeshConfig of istio-system's ConfigMaps: not the injector's, not the leader lease.
  expect([...byPath.keys()].filter((p) => p.startsWith('/api/v1/namespaces/istio-system/configmaps/'))).toEqual([
    '/api/v1/namespaces/istio-system/configmaps/istio',
    '/api/v1/namespaces/istio-system/configmaps/istio-ca-root-cert',
  ]);
  const secretLists = cluster.emulator.requests().filter((r) => r.verb === 'list' && r.resource === 'secrets');
  // Where tlsSecrets lets Secrets be listed: kubernetes.io/tls ones, and trust-manager's copies.
  expect(secretLists.map((r) => [r.namespace, r.query['fieldSelector'] ?? r.query['labelSelector']]).sort()).toEqual([
    ['payments', 'trust.cert-manager.io/bundle'],
    ['payments', 'type=kubernetes.io/tls'],
  ]);
});

test('a namespace scope reads payments and exactly what its findings depend on', async () => {
  const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s });
  const inventory = await source.collect({ kind: 'istio-namespace', namespace: 'payments' });

  expect(pathsOf(inventory)).toEqual([
    '/api/v1/namespaces/istio-system/configmaps/istio',
    '/api/v1/namespaces/istio-system/secrets/cacerts',
    '/api/v1/namespaces/payments',
    '/api/v1/namespaces/payments/configmaps/istio-ca-root-cert',
    '/api/v1/namespaces/payments/pods/ledger-0',
    '/api/v1/namespaces/payments/pods/payments-api-7d4b9c8f6-m8kzt',
    '/api/v1/namespaces/payments/pods/payments-api-7d4b9c8f6-x2x9q',
    '/api/v1/namespaces/payments/services/ledger',
    '/api/v1/namespaces/payments/services/payments-api',
    '/apis/apps/v1/namespaces/payments/deployments/payments-api',
    '/apis/apps/v1/namespaces/payments/statefulsets/ledger',
    '/apis/cert-manager.io/v1/namespaces/payments/certificates/payments-api-tls',
    // observability's rule is public (exported to payments); orders' rule is private but its host is payments-api.
    '/apis/networking.istio.io/v1/namespaces/observability/destinationrules/otel-collector',
    '/apis/networking.istio.io/v1/namespaces/orders/destinationrules/payments-api-plaintext',
    '/apis/networking.istio.io/v1/namespaces/payments/destinationrules/ledger',
    '/apis/networking.istio.io/v1/namespaces/payments/serviceentries/stripe-api',
    // The mesh-wide policy of the root namespace.
    '/apis/security.istio.io/v1/namespaces/istio-system/peerauthentications/default',
    '/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default',
  ]);
  const requests = cluster.emulator.requests();
  // Workloads, pods and policies are listed in payments only; DestinationRules and ServiceEntries
  // cluster-wide, because exportTo and hosts cannot be selected on by the API.
  const listed = (resource: string) => requests.filter((r) => r.verb === 'list' && r.resource === resource).map((r) => r.namespace ?? '*');
  expect(listed('pods')).toEqual(['payments']);
  expect(listed('deployments')).toEqual(['payments']);
  expect(listed('peerauthentications').sort()).toEqual(['istio-system', 'payments']);
  expect(listed('destinationrules')).toEqual(['*']);
  expect(listed('serviceentries')).toEqual(['*']);
  expect(requests.filter((r) => r.verb === 'get').map((r) => `${r.resource} ${r.namespace ?? ''}/${r.name}`).sort()).toEqual([
    'configmaps payments/istio-ca-root-cert',
    'namespaces /payments',
    'secrets istio-system/cacerts',
    'secrets istio-system/istio-ca-secret',
  ]);
});

test('429 and 503 during listing are retried, honouring Retry-After', async () => {
  cluster.emulator.failNext('list pods', 429, 1, { retryAfterSeconds: 2 });
  cluster.emulator.failNext('list destinationrules', 503, 2, { retryAfterSeconds: 1 });
  cluster.emulator.failNext({ verb: 'list', resource: 'services' }, 500, 1);
  const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, sleep: cluster.sleep, pageSize: 2 });

  const inventory = await source.collect(ALL);

  expect(pathsOf(inventory)).toEqual(CLUSTER_WIDE);
  expect(cluster.emulator.pendingFailures()).toBe(0);
  expect(source.lastRead().retries).toBe(4);
  // The API server's Retry-After is honoured; a 500 without it backs off by jittered doubling.
  expect(cluster.sleeps.filter((ms) => ms === 2000)).toHaveLength(1);
  expect(cluster.sleeps.filter((ms) => ms === 1000)).toHaveLength(2);
  expect(cluster.sleeps.filter((ms) => ms !== 1000 && ms !== 2000).every((ms) => ms >= 0 && ms <= 250)).toBe(true);
  const statuses = cluster.emulator.requests().filter((r) => r.resource === 'pods').map((r) => r.status);
  expect(statuses).toEqual([429, 200, 200, 200]);
});

test('a server that keeps failing ends the read with the error, after the retry budget', async () => {
  cluster.emulator.failNext('list services', 503, 10);
  const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, sleep: cluster.sleep, retry: { maxAttempts: 3 } });

  const failure = await source.collect(ALL).catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(KubeApiError);
  expect(failure).toMatchObject({ status: 503, reason: 'ServiceUnavailable', method: 'GET', path: '/api/v1/services', attempts: 3 });
  expect(cluster.emulator.calls()['list services']).toBe(3);
});

test('an expired continue token starts the list again from the first page', async () => {
  let expired = false;
  // The first later page of the pod list finds its revision compacted; the cluster has moved on since.
  cluster.emulator.failNext(
    (call) => {
      if (!expired && call.verb === 'list' && call.resource === 'pods' && call.query['continue'] !== undefined) {
        expired = true;
        cluster.emulator.expireContinueTokens();
        cluster.emulator.bumpResourceVersion('pods', 'payments', 'ledger-0');
      }
      return false;
    },
    500,
  );
  const inventory = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, pageSize: 2 }).collect(ALL);

  expect(pathsOf(inventory)).toEqual(CLUSTER_WIDE);
  const podPages = cluster.emulator.requests().filter((r) => r.resource === 'pods');
  expect(podPages.map((r) => [r.query['continue'] !== undefined, r.status])).toEqual([
    [false, 200],
    [true, 410],
    [false, 200],
    [true, 200],
    [true, 200],
  ]);
});

test('a list that expires every time gives up after the relist budget', async () => {
  cluster.emulator.failNext(
    (call) => {
      if (call.verb === 'list' && call.resource === 'pods' && call.query['continue'] !== undefined) {
        cluster.emulator.expireContinueTokens();
        cluster.emulator.bumpResourceVersion('pods', 'payments', 'ledger-0');
      }
      return false;
    },
    500,
  );
  const failure = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, pageSize: 2, maxRelists: 2 })
    .collect(ALL)
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(KubeApiError);
  expect((failure as KubeApiError).status).toBe(410);
  expect((failure as KubeApiError).message).toMatch(/^list of \/api\/v1\/pods expired 3 times while paging/);
  expect(cluster.emulator.requests().filter((r) => r.resource === 'pods' && r.status === 410)).toHaveLength(3);
});

test('Istio kinds are read in v1beta1 where v1 is not served, and a cluster without cert-manager reads fine', async () => {
  const older = await startOlderApiServer(cluster.emulator.url, ['security.istio.io/v1', 'networking.istio.io/v1', 'cert-manager.io']);
  try {
    const kubeConfig = await loadKubeConfigFor(older.url);
    const inventory = await istioSource({ kubeConfig, client: cluster.k8s }).collect({ kind: 'istio-namespace', namespace: 'payments' });

    const istio = inventory.kubernetes.filter((o) => o.doc.apiVersion.includes('istio.io'));
    expect(istio.map((o) => [o.doc.apiVersion, o.source.file]).sort()).toEqual([
      ['networking.istio.io/v1beta1', '/apis/networking.istio.io/v1beta1/namespaces/observability/destinationrules/otel-collector'],
      ['networking.istio.io/v1beta1', '/apis/networking.istio.io/v1beta1/namespaces/orders/destinationrules/payments-api-plaintext'],
      ['networking.istio.io/v1beta1', '/apis/networking.istio.io/v1beta1/namespaces/payments/destinationrules/ledger'],
      ['networking.istio.io/v1beta1', '/apis/networking.istio.io/v1beta1/namespaces/payments/serviceentries/stripe-api'],
      ['security.istio.io/v1beta1', '/apis/security.istio.io/v1beta1/namespaces/istio-system/peerauthentications/default'],
      ['security.istio.io/v1beta1', '/apis/security.istio.io/v1beta1/namespaces/payments/peerauthentications/default'],
    ]);
    expect(inventory.kubernetes.some((o) => o.doc.kind === 'Certificate')).toBe(false);
    expect(inventory.problems).toEqual([]);
    expect(cluster.emulator.requests().some((r) => r.version === 'v1' && r.group.endsWith('istio.io'))).toBe(false);
  } finally {
    await older.stop();
  }
});

test('a group version that does not serve a kind (security.istio.io/v1 on Istio 1.18–1.21 has no PeerAuthentication) is skipped for that kind', async () => {
  // The group still lists v1 (AuthorizationPolicy and RequestAuthentication are served there), but
  // /apis/security.istio.io/v1/peerauthentications answers 404 until Istio 1.22.
  const older = await startOlderApiServer(cluster.emulator.url, ['security.istio.io/v1/peerauthentications']);
  try {
    const kubeConfig = await loadKubeConfigFor(older.url);
    const inventory = await istioSource({ kubeConfig, client: cluster.k8s }).collect({ kind: 'istio-namespace', namespace: 'payments' });

    const policies = inventory.kubernetes.filter((o) => o.doc.kind === 'PeerAuthentication');
    expect(policies.map((o) => o.source.file).sort()).toEqual([
      '/apis/security.istio.io/v1beta1/namespaces/istio-system/peerauthentications/default',
      '/apis/security.istio.io/v1beta1/namespaces/payments/peerauthentications/default',
    ]);
    expect(policies.every((o) => o.doc.apiVersion === 'security.istio.io/v1beta1')).toBe(true);
    // The other kinds keep the newest version their group-version serves.
    expect(inventory.kubernetes.some((o) => o.source.file === '/apis/networking.istio.io/v1/namespaces/payments/destinationrules/ledger')).toBe(true);
  } finally {
    await older.stop();
  }
});

test('a Secret the service account may not read is a problem of the read, which goes on', async () => {
  cluster.emulator.failNext({ verb: 'get', resource: 'secrets', name: 'cacerts' }, 403);
  const inventory = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s }).collect(ALL);

  expect(inventory.kubernetes.some((o) => o.doc.kind === 'Secret')).toBe(false);
  expect(inventory.kubernetes.some((o) => o.doc.kind === 'Pod')).toBe(true);
  expect(inventory.problems).toEqual([
    {
      file: '/api/v1/namespaces/istio-system/secrets/cacerts',
      line: 1,
      kind: 'Secret',
      name: 'cacerts',
      provider: 'x509',
      message: expect.stringMatching(/^cannot read Secret istio-system\/cacerts: secrets "cacerts" is forbidden: User "system:serviceaccount:meshgov:meshgov-agent" cannot get resource "secrets"/),
    },
  ]);
});

test('a forbidden PeerAuthentication list fails the read instead of passing for a clean cluster', async () => {
  cluster.emulator.failNext('list peerauthentications', 403);
  const failure = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s }).collect(ALL).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(KubeApiError);
  expect(failure).toMatchObject({ status: 403, reason: 'Forbidden', path: '/apis/security.istio.io/v1/peerauthentications' });
});

test('scopes of other providers read nothing; an x509-only run reads only certificate sources', async () => {
  const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s });
  const appMesh = await source.collect({ kind: 'appmesh-resource', mesh: 'prod-mesh', resourceType: 'virtualNode', name: 'payments-api' });
  expect(appMesh.kubernetes).toEqual([]);
  expect(cluster.emulator.requests()).toEqual([]);

  const certificates = await source.collect({ kind: 'all', providers: ['x509'] });
  expect(pathsOf(certificates)).toEqual([
    '/api/v1/namespaces/istio-system/configmaps/istio-ca-root-cert',
    '/api/v1/namespaces/istio-system/secrets/cacerts',
    '/api/v1/namespaces/orders/configmaps/istio-ca-root-cert',
    '/api/v1/namespaces/payments/configmaps/istio-ca-root-cert',
    '/apis/cert-manager.io/v1/namespaces/payments/certificates/payments-api-tls',
  ]);
  expect(cluster.emulator.requests().some((r) => r.resource === 'pods' || r.resource === 'peerauthentications')).toBe(false);
});

test('an API server that accepts the connection and never answers times out, and is retried within the budget', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const kubeConfig = await loadKubeConfigFor(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    const source = istioSource({ kubeConfig, client: cluster.k8s, timeoutMs: 150, retry: { maxAttempts: 2 }, sleep: cluster.sleep });
    const failure = await source.collect(ALL).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KubeApiError);
    expect(failure).toMatchObject({ status: 0, reason: 'ETIMEDOUT', attempts: 2, path: '/api/v1/namespaces/istio-system/configmaps' });
    expect(cluster.sleeps).toHaveLength(1);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

describe('Jobs and CronJobs', () => {
  /**
   * A nightly export in orders (injection on) that opts out of the sidecar, as jobs often do (a
   * sidecar keeps a Job's pod from completing), and the Job it last made.
   */
  const nightlyExport = [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly-export', namespace: 'orders', uid: '5d0c3b8e-2f4a-4e61-9a7b-1c8d2e3f4a5b' },
      spec: {
        schedule: '0 2 * * *',
        jobTemplate: { spec: { template: { metadata: { labels: { app: 'nightly-export', 'sidecar.istio.io/inject': 'false' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'export', image: 'registry.example.com/data/export:2.4.1' }] } } } },
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'nightly-export-29400480', namespace: 'orders', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly-export', uid: '5d0c3b8e-2f4a-4e61-9a7b-1c8d2e3f4a5b', controller: true }] },
      spec: { template: { metadata: { labels: { app: 'nightly-export', 'sidecar.istio.io/inject': 'false' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'export', image: 'registry.example.com/data/export:2.4.1' }] } } },
    },
  ];

  test('are read cluster-wide and for a namespace, as the file audit reads them, and one that opts out of the sidecar is outside the mesh', async () => {
    await cluster.emulator.stop();
    cluster = await startLiveCluster([...wholeCluster(), ...nightlyExport]);
    const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s });
    const paths = pathsOf(await source.collect(ALL));
    expect(paths).toEqual(expect.arrayContaining(['/apis/batch/v1/namespaces/orders/cronjobs/nightly-export', '/apis/batch/v1/namespaces/orders/jobs/nightly-export-29400480']));

    const inventory = await source.collect({ kind: 'istio-namespace', namespace: 'orders' });
    expect(pathsOf(inventory)).toEqual(expect.arrayContaining(['/apis/batch/v1/namespaces/orders/cronjobs/nightly-export']));
    const model = buildIstioModel(inventory, { now: new Date("2026-11-26T00:00:00Z") });
    expect(model.membership.find((m) => m.resource.kind === 'CronJob')).toMatchObject({ inMesh: false, resource: { name: 'nightly-export', namespace: 'orders' } });
    // The CronJob's Job folds into it: one workload per CronJob, not one per run.
    expect(model.membership.some((m) => m.resource.kind === 'Job')).toBe(false);
  });
});

describe('what only the remediation gate reads, and trust-manager', () => {
  const GATE_AND_TRUST = [
    '/api/v1/namespaces/cert-manager',
    '/api/v1/namespaces/istio-system/configmaps/istio-canary',
    '/api/v1/namespaces/observability/configmaps/mesh-trust',
    '/api/v1/namespaces/payments/configmaps/mesh-trust',
    '/api/v1/namespaces/storefront',
    '/api/v1/namespaces/storefront/pods/storefront-web-6b8d9f7c5-h4k2p',
    '/api/v1/namespaces/storefront/services/storefront-web',
    '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-revision-tag-prod',
    '/apis/apps/v1/namespaces/storefront/deployments/storefront-web',
    '/apis/gateway.networking.k8s.io/v1/gatewayclasses/envoy',
    '/apis/gateway.networking.k8s.io/v1/gatewayclasses/gke-l7-global-external-managed',
    '/apis/gateway.networking.k8s.io/v1/gatewayclasses/mesh-edge',
    '/apis/gateway.networking.k8s.io/v1/namespaces/payments/gateways/edge',
    '/apis/gateway.networking.k8s.io/v1/namespaces/payments/gateways/envoy-edge',
    '/apis/gateway.networking.k8s.io/v1/namespaces/payments/gateways/external',
    '/apis/gateway.networking.k8s.io/v1/namespaces/payments/httproutes/ledger',
    '/apis/gateway.networking.k8s.io/v1/namespaces/payments/httproutes/payments-api',
    '/apis/gateway.networking.k8s.io/v1alpha2/namespaces/payments/tlsroutes/ledger-tls',
    '/apis/monitoring.googleapis.com/v1/clusterpodmonitorings/ledger-metrics',
    '/apis/monitoring.googleapis.com/v1/namespaces/payments/podmonitorings/payments-api',
    '/apis/networking.istio.io/v1/namespaces/storefront/sidecars/default',
    '/apis/networking.k8s.io/v1/ingressclasses/mesh-ingress',
    '/apis/networking.k8s.io/v1/namespaces/payments/ingresses/ledger-internal',
    '/apis/networking.k8s.io/v1/namespaces/payments/ingresses/payments-api-public',
    '/apis/trust.cert-manager.io/v1alpha1/bundles/mesh-trust',
  ];
  const EVIDENCE_RESOURCES = [
    'sidecars', 'ingresses', 'ingressclasses', 'gateways', 'gatewayclasses', 'httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes',
    'podmonitorings', 'clusterpodmonitorings', 'mutatingwebhookconfigurations', 'bundles',
  ];

  beforeEach(async () => {
    await cluster.emulator.stop();
    cluster = await startLiveCluster([
      ...wholeCluster(),
      ...outsideIngresses(),
      ...outsideHttpRoute(),
      ...outsideL4Route('TLSRoute'),
      ...narrowSidecar().filter((o) => o.kind === 'Sidecar'),
      ...gmpScrapes(),
      ...revisionTagToCanary(),
      ...trustManagerBundle(),
    ]);
  });

  test('the full read lists them cluster-wide in pages, with the API shape of each, and only the labelled webhooks and ConfigMaps', async () => {
    const inventory = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, pageSize: 2 }).collect(ALL);

    expect(pathsOf(inventory)).toEqual([...CLUSTER_WIDE, ...GATE_AND_TRUST].sort());
    expect(inventory.problems).toEqual([]);
    expect(inventory.partial).toBeUndefined();
    const byPath = new Map(inventory.kubernetes.map((o) => [o.source.file, o.doc]));
    // Built-in kinds: their list items carry no apiVersion and kind; the reader restores them.
    expect(byPath.get('/apis/networking.k8s.io/v1/namespaces/payments/ingresses/payments-api-public')).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', spec: { defaultBackend: { service: { name: 'payments-api' } } } });
    expect(byPath.get('/apis/networking.k8s.io/v1/ingressclasses/mesh-ingress')).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', spec: { controller: 'istio.io/ingress-controller' } });
    const tag = byPath.get('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-revision-tag-prod')!;
    expect(tag).toMatchObject({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { labels: { 'istio.io/tag': 'prod', 'istio.io/rev': 'canary' } } });
    expect(tag.metadata.managedFields).toBeUndefined();
    expect(tag['webhooks']).toEqual([expect.objectContaining({ name: 'rev.namespace.sidecar-injector.istio.io' })]);
    // Custom resources in the newest version served: TLSRoute only in v1alpha2 on this cluster.
    expect(byPath.get('/apis/gateway.networking.k8s.io/v1alpha2/namespaces/payments/tlsroutes/ledger-tls')!.apiVersion).toBe('gateway.networking.k8s.io/v1alpha2');
    expect(byPath.get('/apis/monitoring.googleapis.com/v1/clusterpodmonitorings/ledger-metrics')).toMatchObject({ kind: 'ClusterPodMonitoring', spec: { endpoints: [{ port: 7070 }] } });
    expect(byPath.get('/api/v1/namespaces/payments/configmaps/mesh-trust')!.data).toEqual({ 'root-certs.pem': expect.stringContaining('-----BEGIN CERTIFICATE-----') });

    const lists = cluster.emulator.requests().filter((r) => r.verb === 'list');
    expect(lists.every((r) => r.query['limit'] === '2')).toBe(true);
    for (const resource of EVIDENCE_RESOURCES) {
      const pages = lists.filter((r) => r.resource === resource);
      expect({ resource, listed: pages.length > 0, clusterWide: pages.every((r) => r.namespace === undefined) }).toEqual({ resource, listed: true, clusterWide: true });
    }
    // Three gateways in pages of two, continued.
    expect(lists.filter((r) => r.resource === 'gateways').map((r) => r.query['continue'] !== undefined)).toEqual([false, true]);
    expect(lists.filter((r) => r.resource === 'mutatingwebhookconfigurations').map((r) => r.query['labelSelector'])).toEqual(['istio.io/tag']);
  });

  test('a namespace read lists none of them: it is partial anyway, and a Bundle is reported where all its copies show', async () => {
    const inventory = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s }).collect({ kind: 'istio-namespace', namespace: 'payments' });

    // Only the canary's MeshConfig, which every read takes.
    expect(pathsOf(inventory).filter((p) => GATE_AND_TRUST.includes(p))).toEqual(['/api/v1/namespaces/istio-system/configmaps/istio-canary']);
    const requests = cluster.emulator.requests();
    expect(requests.filter((r) => EVIDENCE_RESOURCES.includes(r.resource))).toEqual([]);
    expect(requests.filter((r) => r.resource === 'configmaps' && r.query['labelSelector'] !== undefined)).toEqual([]);
    // The same objects read in full: now they are there.
    const full = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s }).collect(ALL);
    expect(pathsOf(full)).toEqual(expect.arrayContaining(GATE_AND_TRUST));
  });
});
