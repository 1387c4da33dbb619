/**
 * What holds a STRICT fix for approval besides the mesh's own policies — Ingresses, Gateway API
 * routes, Sidecars, Google Managed Prometheus scrapes, AWS TargetGroupBindings, GKE Multi Cluster
 * Ingress, revision tags — read by the live full
 * read as the file read reads them, so the scheduled audit never says `auto` where the file
 * audit of the same objects says `approval`; trust-manager's copies too, for certificates. A
 * cluster without those CRDs reads fine; a list RBAC refuses leaves the audit partial.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { dump } from 'js-yaml';
import { auditWithBuilders } from '../../../functions/core/audit';
import type { Finding } from '../../../functions/core/findings';
import type { Inventory } from '../../../functions/core/model/inventory';
import { loadPolicy } from '../../../functions/core/policy/load';
import { collectFiles } from '../../../functions/providers/files/collect';
import { buildIstioModel } from '../../../functions/providers/istio';
import { ISTIO_READER_RULES, ISTIO_TLS_SECRET_READER_RULES, istioSource, type IstioSourceOptions } from '../../../functions/providers/istio/live';
import { buildCertificateModel } from '../../../functions/providers/x509';
import { loadKubeConfigFor, type KubernetesObject } from '../../emulators/kubernetes';
import {
  awsTargetGroupBinding,
  everyCallerMeshed,
  gkeMultiClusterIngress,
  gmpScrapes,
  meshTrustRoot,
  narrowSidecar,
  outsideHttpRoute,
  outsideIngresses,
  outsideL4Route,
  revisionTagToCanary,
  trustManagerBundle,
} from './cluster-fixture';
import { startLiveCluster, type LiveCluster } from './live-cluster';
import { startOlderApiServer } from './older-apiserver-proxy';

const policy = loadPolicy();
const ALL = { kind: 'all', providers: ['istio', 'x509'] } as const;

function audit(inventory: Inventory): Finding[] {
  return auditWithBuilders(inventory, { policy, now: new Date(), builders: [buildIstioModel, buildCertificateModel] }).findings;
}

let cluster: LiveCluster | undefined;

async function clusterOf(objects: KubernetesObject[]): Promise<LiveCluster> {
  cluster = await startLiveCluster(objects);
  return cluster;
}

afterEach(async () => {
  await cluster?.emulator.stop();
  cluster = undefined;
});

function liveRead(live: LiveCluster, options: Partial<IstioSourceOptions> = {}): Promise<Inventory> {
  return istioSource({ kubeConfig: live.kubeConfig, client: live.k8s, ...options }).collect(ALL);
}

/** Every kind either reader takes, as `kubectl get <kind> -A -o yaml` would print it. */
const KINDS = [
  'namespaces', 'configmaps', 'secrets', 'services', 'deployments', 'statefulsets', 'pods', 'peerauthentications', 'destinationrules', 'serviceentries', 'certificates',
  'sidecars', 'ingresses', 'ingressclasses', 'gateways', 'gatewayclasses', 'httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes',
  'podmonitorings', 'clusterpodmonitorings', 'targetgroupbindings', 'multiclusteringresses', 'multiclusterservices', 'mutatingwebhookconfigurations', 'bundles',
];

/**
 * The file audit of the cluster's objects, one file per kind. Of the Secrets, those the live
 * reader may read: the CA Secrets, and with `tlsSecrets` the kubernetes.io/tls ones and
 * trust-manager's copies.
 */
async function fileAudit(live: LiveCluster, { tlsSecrets = false } = {}): Promise<Finding[]> {
  const readable = (o: KubernetesObject) =>
    ['cacerts', 'istio-ca-secret'].includes(o.metadata.name!) || (tlsSecrets && (o['type'] === 'kubernetes.io/tls' || o.metadata.labels?.['trust.cert-manager.io/bundle'] !== undefined));
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-gate-evidence-'));
  try {
    for (const kind of KINDS) {
      const items = live.emulator.list(kind).filter((o) => kind !== 'secrets' || readable(o));
      if (items.length > 0) writeFileSync(path.join(dir, `${kind}.yaml`), items.map((o) => dump(JSON.parse(JSON.stringify(o)), { lineWidth: -1, noRefs: true })).join('---\n'));
    }
    return audit(await collectFiles([dir]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A finding without where it was read from: the same problem whichever reader found it. */
function identity(f: Finding): string {
  const { file: _file, line: _line, ...resource } = f.resource;
  const detail = Object.fromEntries(Object.entries(f.detail).filter(([, v]) => typeof v !== 'object' || v === null));
  return JSON.stringify([f.rule, f.severity, resource, detail, f.remediation?.action ?? null, f.remediation?.mode ?? null, f.remediation?.reason ?? null]);
}

const notStrict = (findings: Finding[]) =>
  findings
    .filter((f) => f.rule === 'mtls-not-strict')
    .map((f) => [`${f.resource.name}:${f.resource.port}`, f.remediation?.mode, f.remediation?.reason ?? ''] as const)
    .sort();

test('without gate evidence every caller of payments is meshed, and the full read plans STRICT auto', async () => {
  const live = await clusterOf(everyCallerMeshed());
  const findings = audit(await liveRead(live));
  expect(notStrict(findings).map(([at, mode]) => [at, mode])).toEqual([
    ['ledger:7070', 'auto'],
    ['payments-api:8080', 'auto'],
  ]);
});

describe('each kind of gate evidence holds payments STRICT for approval, in the live full read as in the file read', () => {
  const cases: Array<[string, () => KubernetesObject[], string[], string[]]> = [
    ['an Ingress of class gce to payments-api (and one of an IngressClass whose controller is Istio, which holds nothing)', outsideIngresses, ['Ingress payments/payments-api-public (class gce)'], ['ledger-internal']],
    [
      'an HTTPRoute through a GKE gke-l7-global-external-managed Gateway (and one through a Gateway whose GatewayClass is Istio, which holds nothing)',
      outsideHttpRoute,
      ['HTTPRoute payments/payments-api through Gateway payments/external (class gke-l7-global-external-managed)'],
      ['HTTPRoute payments/ledger'],
    ],
    ['a GRPCRoute through an Envoy Gateway', () => outsideL4Route('GRPCRoute'), ['GRPCRoute payments/ledger-grpc through Gateway payments/envoy-edge (class envoy)'], []],
    ['a TCPRoute (v1alpha2) through an Envoy Gateway', () => outsideL4Route('TCPRoute'), ['TCPRoute payments/ledger-tcp through Gateway payments/envoy-edge (class envoy)'], []],
    ['a TLSRoute (v1alpha2) through an Envoy Gateway', () => outsideL4Route('TLSRoute'), ['TLSRoute payments/ledger-tls through Gateway payments/envoy-edge (class envoy)'], []],
    [
      'a Sidecar whose egress does not import payments while outbound traffic is ALLOW_ANY',
      narrowSidecar,
      ['Sidecar storefront/default does not import payments/payments-api.payments.svc.cluster.local in its egress hosts'],
      [],
    ],
    [
      'a PodMonitoring scraping port 8080 and a ClusterPodMonitoring scraping 7070',
      gmpScrapes,
      ['PodMonitoring payments/payments-api has Google Managed Prometheus scrape port 8080', 'ClusterPodMonitoring ledger-metrics has Google Managed Prometheus scrape port 7070'],
      [],
    ],
    [
      'an AWS Load Balancer Controller TargetGroupBinding (v1beta1) to payments-api port 80',
      awsTargetGroupBinding,
      ['the load balancer of TargetGroupBinding payments/payments-api-tgb (target group arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/payments-api/73e2d6bc24d8a067) sends to Service payments/payments-api port 80'],
      [],
    ],
    [
      'a GKE MultiClusterIngress to a MultiClusterService selecting payments-api',
      gkeMultiClusterIngress,
      ['MultiClusterIngress payments/payments-web sends to MultiClusterService payments/payments-mcs port 80'],
      [],
    ],
    ['a revision tag whose revision turns auto mTLS off', revisionTagToCanary, ['ConfigMap istio-system/istio-canary sends plaintext to Deployment payments/payments-api port 8080'], []],
  ];

  test.each(cases)('%s', async (_name, evidence, blockers, absent) => {
    const live = await clusterOf([...everyCallerMeshed(), ...evidence()]);
    const inventory = await liveRead(live);
    const liveFindings = audit(inventory);
    const fileFindings = await fileAudit(live);

    const modes = notStrict(liveFindings);
    expect(modes.map(([at, mode]) => [at, mode])).toEqual([
      ['ledger:7070', 'approval'],
      ['payments-api:8080', 'approval'],
    ]);
    for (const [, , reason] of modes) {
      expect(reason).toMatch(/^preconditions do not hold: /);
      for (const blocker of blockers) expect(reason).toContain(blocker);
      for (const other of absent) expect(reason).not.toContain(other);
    }
    expect(notStrict(liveFindings)).toEqual(notStrict(fileFindings));
    expect(liveFindings.map(identity).sort()).toEqual(fileFindings.map(identity).sort());
    expect(inventory.partial).toBeUndefined();
    expect(inventory.problems).toEqual([]);
  });
});

describe('trust-manager: the Bundle and the copies it writes are read as the file read reads them', () => {
  const expiring = (findings: Finding[]) => findings.filter((f) => f.rule === 'cert-expiring' && f.detail['subject'] !== undefined && String(f.detail['subject']).includes('acme-prod trust root'));

  test('by default the Bundle and its ConfigMaps, never a Secret: the expiring root is one finding, with its copies', async () => {
    const live = await clusterOf([...everyCallerMeshed(), ...trustManagerBundle()]);
    const inventory = await liveRead(live);
    const paths = inventory.kubernetes.map((o) => o.source.file);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/apis/trust.cert-manager.io/v1alpha1/bundles/mesh-trust',
        '/api/v1/namespaces/payments/configmaps/mesh-trust',
        '/api/v1/namespaces/observability/configmaps/mesh-trust',
      ]),
    );
    expect(paths.filter((p) => p.includes('/secrets/'))).toEqual(['/api/v1/namespaces/istio-system/secrets/cacerts']);
    expect(live.emulator.requests().filter((r) => r.resource === 'secrets' && r.verb === 'list')).toEqual([]);
    // ConfigMaps are listed by trust-manager's label, cluster-wide; nothing else of theirs is read.
    const configMapLists = live.emulator.requests().filter((r) => r.verb === 'list' && r.resource === 'configmaps' && r.namespace === undefined);
    expect(configMapLists.map((r) => r.query['labelSelector'] ?? r.query['fieldSelector']).sort()).toEqual(['metadata.name=istio-ca-root-cert', 'trust.cert-manager.io/bundle']);

    const liveFindings = audit(inventory);
    const fileFindings = await fileAudit(live);
    const found = expiring(liveFindings);
    expect(found).toHaveLength(1);
    // The Bundle's source was not read (no Secrets without tlsSecrets): one copy carries it, naming the other.
    expect(found[0]!.detail['origin']).toEqual({ kind: 'ConfigMap', namespace: 'observability', name: 'mesh-trust', key: 'root-certs.pem', copies: ['ConfigMap payments/mesh-trust'] });
    expect(found[0]!.severity).toBe('high');
    expect(expiring(fileFindings).map(identity)).toEqual(found.map(identity));
    expect(liveFindings.map(identity).sort()).toEqual(fileFindings.map(identity).sort());
  });

  test('with tlsSecrets the Secret copies too, keeping only their PEM, and the root is reported on the source the Bundle copies', async () => {
    const live = await clusterOf([...everyCallerMeshed(), ...trustManagerBundle()]);
    const inventory = await liveRead(live, { tlsSecrets: true });
    const byPath = new Map(inventory.kubernetes.map((o) => [o.source.file, o.doc]));
    for (const ns of ['payments', 'observability']) {
      const copy = byPath.get(`/api/v1/namespaces/${ns}/secrets/mesh-trust`)!;
      // The PKCS#12 store is no PEM: not kept.
      expect(copy.data).toEqual({ 'root-certs.pem': Buffer.from(meshTrustRoot().certPem).toString('base64') });
    }
    // The source: a kubernetes.io/tls Secret, without its private key.
    expect(Object.keys(byPath.get('/api/v1/namespaces/cert-manager/secrets/mesh-trust-root')!.data!).sort()).toEqual(['ca.crt', 'tls.crt']);
    const secretLists = live.emulator.requests().filter((r) => r.verb === 'list' && r.resource === 'secrets');
    expect(secretLists.map((r) => [r.namespace ?? '*', r.query['fieldSelector'] ?? r.query['labelSelector']]).sort()).toEqual([
      ['*', 'trust.cert-manager.io/bundle'],
      ['*', 'type=kubernetes.io/tls'],
    ]);

    const liveFindings = audit(inventory);
    const fileFindings = await fileAudit(live, { tlsSecrets: true });
    const found = expiring(liveFindings);
    expect(found).toHaveLength(1);
    expect(found[0]!.detail['origin']).toMatchObject({ kind: 'Secret', namespace: 'cert-manager', name: 'mesh-trust-root' });
    expect([...(found[0]!.detail['origin'] as { copies: string[] }).copies].sort()).toEqual([
      'ConfigMap observability/mesh-trust',
      'ConfigMap payments/mesh-trust',
      'Secret observability/mesh-trust',
      'Secret payments/mesh-trust',
    ]);
    expect(liveFindings.map(identity).sort()).toEqual(fileFindings.map(identity).sort());
  });

  test('with tlsSecrets for some namespaces, Secret copies are listed there only', async () => {
    const live = await clusterOf([...everyCallerMeshed(), ...trustManagerBundle()]);
    const inventory = await liveRead(live, { tlsSecrets: ['payments'] });
    expect(inventory.kubernetes.map((o) => o.source.file).filter((p) => p.includes('/secrets/mesh-trust'))).toEqual(['/api/v1/namespaces/payments/secrets/mesh-trust']);
    const secretLists = live.emulator.requests().filter((r) => r.verb === 'list' && r.resource === 'secrets');
    expect(secretLists.every((r) => r.namespace === 'payments')).toBe(true);
  });
});

test('a cluster without the Gateway API, Google Managed Prometheus, trust-manager, the AWS Load Balancer Controller and Multi Cluster Ingress reads fine, and still reads the built-in and Istio evidence', async () => {
  const live = await clusterOf([...everyCallerMeshed(), ...outsideIngresses()]);
  const absent = ['gateway.networking.k8s.io', 'monitoring.googleapis.com', 'trust.cert-manager.io', 'elbv2.k8s.aws', 'networking.gke.io'];
  const older = await startOlderApiServer(live.emulator.url, absent);
  try {
    const source = istioSource({ kubeConfig: await loadKubeConfigFor(older.url), client: live.k8s });
    const inventory = await source.collect(ALL);

    expect(inventory.problems).toEqual([]);
    expect(inventory.partial).toBeUndefined();
    expect(source.lastRead().unserved).toEqual([
      'Bundle', 'ClusterPodMonitoring', 'GRPCRoute', 'Gateway', 'GatewayClass', 'HTTPRoute', 'MultiClusterIngress', 'MultiClusterService', 'PodMonitoring', 'TCPRoute', 'TLSRoute', 'TargetGroupBinding',
    ]);
    expect(live.emulator.requests().filter((r) => absent.includes(r.group))).toEqual([]);
    expect(notStrict(audit(inventory)).map(([at, mode, reason]) => [at, mode, reason.includes('Ingress payments/payments-api-public (class gce)')])).toEqual([
      ['ledger:7070', 'approval', true],
      ['payments-api:8080', 'approval', true],
    ]);
  } finally {
    await older.stop();
  }
});

test('a TargetGroupBinding CRD that serves only v1alpha1 is read in v1alpha1, and still holds payments for approval', async () => {
  const live = await clusterOf([...everyCallerMeshed(), ...awsTargetGroupBinding()]);
  const older = await startOlderApiServer(live.emulator.url, ['elbv2.k8s.aws/v1beta1']);
  try {
    const inventory = await istioSource({ kubeConfig: await loadKubeConfigFor(older.url), client: live.k8s }).collect(ALL);
    const binding = inventory.kubernetes.find((o) => o.doc.kind === 'TargetGroupBinding')!;
    expect(binding.source.file).toBe('/apis/elbv2.k8s.aws/v1alpha1/namespaces/payments/targetgroupbindings/payments-api-tgb');
    expect(binding.doc.apiVersion).toBe('elbv2.k8s.aws/v1alpha1');
    expect(notStrict(audit(inventory)).map(([at, mode, reason]) => [at, mode, reason.includes('TargetGroupBinding payments/payments-api-tgb')])).toEqual([
      ['ledger:7070', 'approval', true],
      ['payments-api:8080', 'approval', true],
    ]);
  } finally {
    await older.stop();
  }
});

describe('a gate-evidence list RBAC refuses: the read goes on, says so on the path, and plans nothing auto', () => {
  const cases: Array<[string, string, string, string]> = [
    ['sidecars', 'Sidecar', '/apis/networking.istio.io/v1/sidecars', 'sidecars.networking.istio.io'],
    ['ingresses', 'Ingress', '/apis/networking.k8s.io/v1/ingresses', 'ingresses.networking.k8s.io'],
    ['ingressclasses', 'IngressClass', '/apis/networking.k8s.io/v1/ingressclasses', 'ingressclasses.networking.k8s.io'],
    ['gateways', 'Gateway', '/apis/gateway.networking.k8s.io/v1/gateways', 'gateways.gateway.networking.k8s.io'],
    ['gatewayclasses', 'GatewayClass', '/apis/gateway.networking.k8s.io/v1/gatewayclasses', 'gatewayclasses.gateway.networking.k8s.io'],
    ['httproutes', 'HTTPRoute', '/apis/gateway.networking.k8s.io/v1/httproutes', 'httproutes.gateway.networking.k8s.io'],
    ['grpcroutes', 'GRPCRoute', '/apis/gateway.networking.k8s.io/v1/grpcroutes', 'grpcroutes.gateway.networking.k8s.io'],
    ['tcproutes', 'TCPRoute', '/apis/gateway.networking.k8s.io/v1alpha2/tcproutes', 'tcproutes.gateway.networking.k8s.io'],
    ['tlsroutes', 'TLSRoute', '/apis/gateway.networking.k8s.io/v1alpha2/tlsroutes', 'tlsroutes.gateway.networking.k8s.io'],
    ['podmonitorings', 'PodMonitoring', '/apis/monitoring.googleapis.com/v1/podmonitorings', 'podmonitorings.monitoring.googleapis.com'],
    ['clusterpodmonitorings', 'ClusterPodMonitoring', '/apis/monitoring.googleapis.com/v1/clusterpodmonitorings', 'clusterpodmonitorings.monitoring.googleapis.com'],
    ['targetgroupbindings', 'TargetGroupBinding', '/apis/elbv2.k8s.aws/v1beta1/targetgroupbindings', 'targetgroupbindings.elbv2.k8s.aws'],
    ['multiclusteringresses', 'MultiClusterIngress', '/apis/networking.gke.io/v1/multiclusteringresses', 'multiclusteringresses.networking.gke.io'],
    ['multiclusterservices', 'MultiClusterService', '/apis/networking.gke.io/v1/multiclusterservices', 'multiclusterservices.networking.gke.io'],
    ['mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', 'mutatingwebhookconfigurations.admissionregistration.k8s.io'],
  ];

  test.each(cases)('list %s', async (resource, kind, listPath, qualified) => {
    const live = await clusterOf(everyCallerMeshed());
    live.emulator.failNext({ verb: 'list', resource }, 403);
    const inventory = await liveRead(live);

    expect(live.emulator.pendingFailures()).toBe(0);
    expect(inventory.partial).toEqual([expect.stringMatching(new RegExp(`^meshgov may not list ${qualified.replace(/\./g, '\\.')}, so .+ unknown$`))]);
    expect(inventory.problems).toEqual([
      { file: listPath, line: 1, kind, provider: 'istio', message: expect.stringMatching(new RegExp(`^cannot list ${qualified.replace(/\./g, '\\.')}: ${resource}\\.[^ ]* is forbidden: User "system:serviceaccount:meshgov:meshgov-agent" cannot list resource "${resource}"`)) },
    ]);
    // The rest was read: the same cluster without the refusal plans auto.
    expect(inventory.kubernetes.some((o) => o.doc.kind === 'Pod')).toBe(true);
    const findings = audit(inventory);
    expect(notStrict(findings)).toEqual([
      ['ledger:7070', 'approval', `the preconditions across the fleet are unknown: ${inventory.partial![0]}`],
      ['payments-api:8080', 'approval', `the preconditions across the fleet are unknown: ${inventory.partial![0]}`],
    ]);
    expect(findings.filter((f) => f.rule === 'config-invalid').map((f) => f.resource.file)).toEqual([listPath]);
  });

  test('a refused trust-manager list is a certificate problem only: certificates plan nothing, and the Istio fixes stay auto', async () => {
    const live = await clusterOf([...everyCallerMeshed(), ...trustManagerBundle()]);
    live.emulator.failNext({ verb: 'list', resource: 'bundles' }, 403);
    const inventory = await liveRead(live);

    expect(inventory.partial).toBeUndefined();
    expect(inventory.problems).toEqual([
      { file: '/apis/trust.cert-manager.io/v1alpha1/bundles', line: 1, kind: 'Bundle', provider: 'x509', message: expect.stringMatching(/^cannot list bundles\.trust\.cert-manager\.io: /) },
    ]);
    // Its copies are still read, without the Bundle's word on which key holds the PEM.
    expect(inventory.kubernetes.some((o) => o.source.file === '/api/v1/namespaces/payments/configmaps/mesh-trust')).toBe(true);
    expect(notStrict(audit(inventory)).map(([at, mode]) => [at, mode])).toEqual([
      ['ledger:7070', 'auto'],
      ['payments-api:8080', 'auto'],
    ]);
  });
});

test('the reader role is exactly what a full read uses: every request is granted, and every grant is used', async () => {
  const live = await clusterOf([...everyCallerMeshed(), ...outsideIngresses(), ...outsideHttpRoute(), ...gmpScrapes(), ...awsTargetGroupBinding(), ...gkeMultiClusterIngress(), ...revisionTagToCanary(), ...trustManagerBundle()]);
  await liveRead(live);
  const granted = (rules: typeof ISTIO_READER_RULES) => (r: { group: string; resource: string; verb: string; name?: string }) =>
    rules.some((rule) => rule.apiGroups.includes(r.group) && rule.resources.includes(r.resource) && rule.verbs.includes(r.verb) && (!rule.resourceNames || rule.resourceNames.includes(r.name ?? '')));
  const requests = live.emulator.requests().filter((r) => r.verb !== 'discovery');
  expect(requests.filter((r) => !granted(ISTIO_READER_RULES)(r)).map((r) => `${r.verb} ${r.group}/${r.resource}`)).toEqual([]);
  const listed = new Set(requests.filter((r) => r.verb === 'list').map((r) => `${r.group}/${r.resource}`));
  const unused = ISTIO_READER_RULES.filter((rule) => rule.verbs.includes('list')).flatMap((rule) => rule.resources.map((res) => `${rule.apiGroups[0]}/${res}`)).filter((gr) => !listed.has(gr));
  expect(unused).toEqual([]);
  // The revision tags' webhooks only: a list narrowed by their label.
  expect(requests.filter((r) => r.resource === 'mutatingwebhookconfigurations').map((r) => r.query['labelSelector'])).toEqual(['istio.io/tag']);

  live.emulator.resetCalls();
  await liveRead(live, { tlsSecrets: true });
  const withSecrets = live.emulator.requests().filter((r) => r.verb !== 'discovery');
  expect(withSecrets.filter((r) => !granted([...ISTIO_READER_RULES, ...ISTIO_TLS_SECRET_READER_RULES])(r)).map((r) => `${r.verb} ${r.group}/${r.resource}`)).toEqual([]);
});
