import { evaluateModel } from '../../core/rules/engine';
import type { Finding } from '../../core/findings';
import { shippedPolicy } from '../../../test/support/model';
import type { IstioClientPolicy } from './clients';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml as service } from './testInventory';

/*
 * The injector's four webhooks (istio-discovery chart, mutatingwebhook.yaml) and what they select:
 *   rev.namespace.sidecar-injector  namespace istio.io/rev In [rev], istio-injection DoesNotExist
 *   rev.object.sidecar-injector     namespace istio.io/rev and istio-injection DoesNotExist;
 *                                   pod istio.io/rev In [rev]
 *   namespace.sidecar-injector      namespace istio-injection In [enabled]
 *   object.sidecar-injector         namespace istio.io/rev and istio-injection DoesNotExist;
 *                                   pod sidecar.istio.io/inject In [true], istio.io/rev DoesNotExist
 * So an istio-injection value other than enabled turns every one of them away, and a pod's own
 * istio.io/rev picks the revision (and its MeshConfig) where the namespace has neither label.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

function audit(yaml: string): Finding[] {
  return evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);
}

const meshConfig = (name: string, autoMtls: boolean) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: istio-system
  labels:
    istio.io/rev: ${name === 'istio' ? 'default' : name.slice('istio-'.length)}
data:
  mesh: |-
    enableAutoMtls: ${autoMtls}
    rootNamespace: istio-system
`;

const istioMutual = (namespace: string, name: string, host: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  host: ${host}
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`;

const summary = (findings: Finding[]) => findings.map((f) => [f.rule, f.severity, f.resource.kind, f.resource.namespace, f.resource.name]);

describe('an istio-injection value other than enabled', () => {
  // A caller in a meshed namespace with an ISTIO_MUTUAL rule toward each of the two.
  const fleet = (...extra: string[]) =>
    docs(
      meshConfig('istio', true),
      meshConfig('istio-canary', true),
      peerAuthentication('istio-system', 'default', 'STRICT'),
      namespace('shop'),
      deployment('shop', 'frontend'),
      istioMutual('shop', 'reports', 'reports.reports.svc.cluster.local'),
      istioMutual('shop', 'worker', 'worker.jobs.svc.cluster.local'),
      ...extra,
    );
  const reports = [namespace('reports', { 'istio-injection': '"true"', 'istio.io/rev': 'canary' }), deployment('reports', 'reports'), service('reports', 'reports')];
  const worker = [
    namespace('jobs', { 'istio-injection': '"true"' }),
    deployment('jobs', 'worker', { labels: { app: 'worker', 'sidecar.istio.io/inject': 'true' } }),
    service('jobs', 'worker'),
  ];

  it('keeps the revision webhook from a namespace that also has istio.io/rev: no sidecar, so ISTIO_MUTUAL toward it fails', () => {
    const model = istioModelOf(fleet(...reports));
    expect(model.servers.find((s) => s.resource.name === 'reports')!.inMesh).toBe(false);
    const findings = audit(fleet(...reports));
    expect(summary(findings)).toEqual([
      ['mtls-conflict', 'critical', 'DestinationRule', 'shop', 'reports'],
      ['mesh-sidecar-missing', 'medium', 'Namespace', 'reports', 'reports'],
    ]);
    const missing = findings.find((f) => f.rule === 'mesh-sidecar-missing')!;
    expect(missing.message).toContain('namespace reports has label istio-injection="true", which the injector does not read as "enabled"');
    expect(missing.message).toContain('the webhooks that would inject by its istio.io/rev=canary label');
  });

  it("keeps the object webhook from a pod's sidecar.istio.io/inject: \"true\" label", () => {
    const findings = audit(fleet(...worker));
    expect(summary(findings)).toEqual([
      ['mtls-conflict', 'critical', 'DestinationRule', 'shop', 'worker'],
      ['mesh-sidecar-missing', 'medium', 'Namespace', 'jobs', 'jobs'],
    ]);
    expect(findings[0]!.message).toContain('the server has no sidecar');
    expect(findings[1]!.message).toContain("the webhooks that would inject by pods' own opt-in labels (sidecar.istio.io/inject, istio.io/rev) are skipped too");
  });

  it('running pods with a sidecar still count: injection happened when they were made', () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: worker-7d9f8b6c4-x2k8p
  namespace: jobs
  labels:
    app: worker
    sidecar.istio.io/inject: "true"
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: worker-7d9f8b6c4
    uid: 0b6f2c1e-5a3d-4f8e-9c7b-2e1d0a9f8b76
    controller: true
spec:
  containers:
  - name: worker
    image: registry.example.com/jobs/worker:1.4.2
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.2
status:
  phase: Running
`;
    const model = istioModelOf(fleet(...worker, pod));
    expect(model.servers.find((s) => s.resource.name === 'worker')!.inMesh).toBe(true);
  });
});

describe("a pod template's istio.io/rev picks its control plane's MeshConfig", () => {
  // The canary revision turns auto mTLS off; the callee is STRICT and no DestinationRule governs it.
  const fleet = (batch: Record<string, string>, podLabels: Record<string, string>, ...extra: string[]) =>
    docs(
      meshConfig('istio', true),
      meshConfig('istio-canary', false),
      peerAuthentication('istio-system', 'default', 'STRICT'),
      namespace('pay'),
      deployment('pay', 'payments'),
      service('pay', 'payments'),
      namespace('batch', batch),
      deployment('batch', 'exporter', { labels: { app: 'exporter', ...podLabels } }),
      ...extra,
    );
  const conflicts = (findings: Finding[]) => findings.filter((f) => f.rule === 'mtls-conflict').map((f) => [f.resource.kind, f.resource.name, (f.detail.server as { name: string }).name]);

  it('in a namespace without injection labels, rev.object injects the canary sidecar, which sends plaintext to a STRICT server', () => {
    const findings = audit(fleet({}, { 'istio.io/rev': 'canary' }));
    expect(conflicts(findings)).toEqual([['ConfigMap', 'istio-canary', 'payments']]);
    const client = (istioModelOf(fleet({}, { 'istio.io/rev': 'canary' })).clients as IstioClientPolicy[]).find((c) => c.sends === 'PLAINTEXT');
    // The workload calls as itself; its namespace has no other caller.
    expect(client).toMatchObject({ clientNamespaces: [], clientWorkloads: ['batch/Deployment/exporter'] });
  });

  it('the same as a namespace labelled istio.io/rev: canary', () => {
    expect(conflicts(audit(fleet({ 'istio.io/rev': 'canary' }, {})))).toEqual([['ConfigMap', 'istio-canary', 'payments']]);
  });

  it('a namespace label decides over the pod label: istio-injection=enabled goes to the default revision', () => {
    expect(conflicts(audit(fleet({ 'istio-injection': 'enabled' }, { 'istio.io/rev': 'canary' })))).toEqual([]);
  });

  it('other workloads of the namespace keep the default revision', () => {
    const model = istioModelOf(fleet({}, { 'istio.io/rev': 'canary' }, deployment('batch', 'loader', { labels: { app: 'loader', 'sidecar.istio.io/inject': 'true' } })));
    const plaintext = (model.clients as IstioClientPolicy[]).filter((c) => c.sends === 'PLAINTEXT');
    expect(plaintext.map((c) => [c.clientNamespaces, c.clientWorkloads])).toEqual([[[], ['batch/Deployment/exporter']]]);
  });

  it('a pod that opts out has no sidecar, whatever its revision label', () => {
    expect(conflicts(audit(fleet({}, { 'istio.io/rev': 'canary', 'sidecar.istio.io/inject': 'false' })))).toEqual([]);
  });
});
