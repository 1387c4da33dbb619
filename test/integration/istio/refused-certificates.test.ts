/**
 * The scheduled full audit of an agent whose service account may not read a certificate source
 * (403: a ClusterRole without cert-manager Certificates, the CA Secret, trust-manager Bundles).
 * A refused source says nothing about the certificates it holds: their open findings stay open,
 * while the refusal itself is a config-invalid finding naming the 403. The scope the agent
 * reports leaves `x509` out of its providers, which the hub accepts and governs by, so only Istio
 * findings not seen again are resolved by that run. Once the read is granted again, certificate
 * findings resolve as before.
 * Real parts: the Kubernetes emulator, the live Istio reader, auditScope with the agent's
 * builders, and the hub's receive function (signature, report check, govern) with the memory ledger.
 */
import { receiveAgentReport } from '../../../functions/aws/hub/receive-agent-report';
import type { Finding } from '../../../functions/core/findings';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { signRequest, type AgentReport } from '../../../functions/core/link';
import { auditScope, type ScopedReport } from '../../../functions/core/pipeline/audit-scope';
import type { Trigger } from '../../../functions/core/pipeline/trigger';
import { loadPolicy } from '../../../functions/core/policy/load';
import { AGENT_BUILDERS } from '../../../functions/gcp/agent-deps';
import { istioSource } from '../../../functions/providers/istio/live';
import type { KubernetesObject } from '../../emulators/kubernetes';
import { agentFindingsEvent, hubReportDeps } from '../../support/agent-findings-event';
import { trustManagerBundle, wholeCluster } from './cluster-fixture';
import { startLiveCluster, type LiveCluster } from './live-cluster';

const DAY = 86_400_000;
const SECRET = 'meshgov-test-link-secret-0123456789abcdef';
const policy = loadPolicy();
const clock = () => new Date();
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let live: LiveCluster | undefined;
afterEach(async () => {
  await live?.emulator.stop();
  live = undefined;
});

const READY = { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' };
const FAILING = { type: 'Ready', status: 'False', reason: 'Failed', message: 'The certificate request has failed to complete and will be retried: issuer mesh-intermediate is not ready' };

/** ledger's gRPC serving certificate, issued by the mesh intermediate, 3 days from expiry and failing to renew. */
function ledgerCertificate(notAfterMs: number): KubernetesObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'ledger-grpc-tls', namespace: 'payments' },
    spec: {
      secretName: 'ledger-grpc-tls',
      commonName: 'ledger.payments.svc.cluster.local',
      dnsNames: ['ledger.payments.svc.cluster.local'],
      duration: '2160h',
      renewBefore: '360h',
      issuerRef: { name: 'mesh-intermediate', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
    status: {
      notBefore: iso(notAfterMs - 90 * DAY),
      notAfter: iso(notAfterMs),
      renewalTime: iso(notAfterMs - 15 * DAY),
      conditions: [notAfterMs - Date.now() > 15 * DAY ? READY : FAILING],
    },
  };
}

/** The agent and the hub: each run is the agent's scheduled audit, reported to the hub's receive function. */
function agentAndHub(cluster: LiveCluster) {
  const ledger = new MemoryLedger(clock);
  let ids = 0;
  const hub = { ...hubReportDeps(clock(), SECRET, { ledger, policy, newId: (prefix: string) => `${prefix}-${++ids}` }), clock };
  let runs = 0;
  const run = async (): Promise<ScopedReport> => {
    const trigger: Trigger = { source: 'cloud-scheduler', eventId: `sched-${++runs}`, eventTime: clock().toISOString(), summary: 'scheduled full audit of prod-gke' };
    const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, sleep: cluster.sleep });
    const scoped = await auditScope(trigger, { kind: 'all', providers: ['istio', 'x509'] }, { source, builders: AGENT_BUILDERS, policy, clock });
    const report: AgentReport = { agent: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' }, scopedReport: scoped };
    const body = JSON.stringify(report);
    const answer = await receiveAgentReport(agentFindingsEvent(body, { 'content-type': 'application/json', ...(signRequest(body, SECRET, clock()) as unknown as Record<string, string>) }), hub);
    expect([answer.statusCode, answer.body]).toEqual([200, expect.any(String)]);
    return scoped;
  };
  const open = async () => new Map((await ledger.listOpenFindings()).map((r) => [r.id, r.finding]));
  return { run, open };
}

const x509 = (findings: Finding[]) => findings.filter((f) => f.provider === 'x509' && f.rule !== 'config-invalid');
const refusals = (findings: Finding[]) => findings.filter((f) => f.rule === 'config-invalid');

test('a refused list of cert-manager Certificates keeps the expiring Certificate finding open; granted again, its renewal resolves it', async () => {
  live = await startLiveCluster([...wholeCluster(), ledgerCertificate(Date.now() + 3 * DAY)]);
  const cluster = live;
  const { run, open } = agentAndHub(cluster);
  const first = await run();
  const expiring = x509(first.report.findings).filter((f) => f.resource.file === '/apis/cert-manager.io/v1/namespaces/payments/certificates/ledger-grpc-tls');
  expect(expiring.length).toBeGreaterThan(0);

  cluster.emulator.failNext({ verb: 'list', resource: 'certificates' }, 403);
  const refused = await run();

  const stillOpen = await open();
  expect(expiring.map((f) => stillOpen.get(f.id)?.message)).toEqual(expiring.map((f) => f.message));
  expect(refusals(refused.report.findings)).toEqual([
    expect.objectContaining({ provider: 'x509', resource: expect.objectContaining({ file: '/apis/cert-manager.io/v1/certificates' }), message: expect.stringMatching(/cannot list certificates\.cert-manager\.io: .*forbidden/) }),
  ]);
  for (const f of refusals(refused.report.findings)) expect(stillOpen.get(f.id)).toBeDefined();
  expect(refused.scope).toEqual({ kind: 'all', providers: ['istio'] });

  // cert-manager renews it, and the agent may list Certificates again: both findings resolve.
  cluster.emulator.bumpResourceVersion('Certificate', 'payments', 'ledger-grpc-tls', (o) => void (o['status'] = ledgerCertificate(Date.now() + 90 * DAY)['status']));
  const granted = await run();
  expect(granted.scope).toEqual({ kind: 'all', providers: ['istio', 'x509'] });
  const afterRenewal = await open();
  for (const f of [...expiring, ...refusals(refused.report.findings)]) expect(afterRenewal.get(f.id)).toBeUndefined();
});

test("a refused get of istio-system/cacerts keeps the istiod CA's expiry finding open", async () => {
  live = await startLiveCluster(wholeCluster());
  const cluster = live;
  const { run, open } = agentAndHub(cluster);
  const first = await run();
  const ca = x509(first.report.findings).filter((f) => f.rule === 'cert-expiring' && f.resource.file === '/api/v1/namespaces/istio-system/secrets/cacerts');
  expect(ca).toHaveLength(1);

  cluster.emulator.failNext({ verb: 'get', resource: 'secrets', namespace: 'istio-system', name: 'cacerts' }, 403);
  const refused = await run();

  expect((await open()).get(ca[0]!.id)?.message).toBe(ca[0]!.message);
  expect(refusals(refused.report.findings).map((f) => f.message)).toEqual([expect.stringMatching(/cannot read Secret istio-system\/cacerts: .*is forbidden/)]);
  expect(refused.scope).toEqual({ kind: 'all', providers: ['istio'] });
});

test('a refused trust-manager list keeps every open certificate finding open, while the Istio fix made since resolves its finding', async () => {
  live = await startLiveCluster([...wholeCluster(), ...trustManagerBundle(), ledgerCertificate(Date.now() + 3 * DAY)]);
  const cluster = live;
  const { run, open } = agentAndHub(cluster);
  const first = await run();
  const certificates = x509(first.report.findings);
  const paymentsPermissive = first.report.findings.filter((f) => f.rule === 'mtls-not-strict' && f.resource.namespace === 'payments');
  expect(certificates.length).toBeGreaterThan(1);
  expect(paymentsPermissive.length).toBeGreaterThan(0);

  // Someone turns payments STRICT, and the next run may not list Bundles, nor (for good measure) Certificates.
  cluster.emulator.bumpResourceVersion('PeerAuthentication', 'payments', 'default', (o) => void (o['spec'] = { mtls: { mode: 'STRICT' } }));
  cluster.emulator.failNext({ verb: 'list', resource: 'bundles' }, 403);
  cluster.emulator.failNext({ verb: 'list', resource: 'certificates' }, 403);
  const refused = await run();

  const now = await open();
  for (const f of paymentsPermissive) expect(now.get(f.id)).toBeUndefined();
  expect(certificates.map((f) => now.get(f.id)?.message)).toEqual(certificates.map((f) => f.message));
  expect(refusals(refused.report.findings).map((f) => f.resource.file).sort()).toEqual(['/apis/cert-manager.io/v1/certificates', '/apis/trust.cert-manager.io/v1alpha1/bundles']);
  expect(refused.scope).toEqual({ kind: 'all', providers: ['istio'] });
});
