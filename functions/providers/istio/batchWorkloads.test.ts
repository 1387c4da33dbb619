import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { UnmeshedCallers } from '../../core/remediation/unmeshed-callers';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml as service } from './testInventory';

/*
 * batch/v1 Jobs and CronJobs run pods like any controller: the injector treats them alike, and
 * PeerAuthentication selectors match their template's labels. A CronJob in a namespace without
 * injection is the classic plaintext caller that STRICT cuts off.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

const cronJob = (ns: string, name: string, opts: { labels?: Record<string, string>; annotations?: Record<string, string>; metricsPort?: number } = {}) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  schedule: "17 3 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        metadata:
          labels:
${Object.entries(opts.labels ?? { app: name }).map(([k, v]) => `            ${k}: "${v}"`).join('\n')}
${opts.annotations ? `          annotations:\n${Object.entries(opts.annotations).map(([k, v]) => `            ${k}: "${v}"`).join('\n')}\n` : ''}        spec:
          restartPolicy: OnFailure
          containers:
          - name: ${name}
            image: registry.example.com/${ns}/${name}:3.0.1
            args: [--target, http://payments-api.payments.svc.cluster.local:8080]
${opts.metricsPort ? `            ports:\n            - containerPort: ${opts.metricsPort}\n              name: metrics\n              protocol: TCP\n` : ''}`;

const job = (ns: string, name: string, labels: Record<string, string> = { app: name }) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  backoffLimit: 4
  template:
    metadata:
      labels:
${Object.entries(labels).map(([k, v]) => `        ${k}: "${v}"`).join('\n')}
    spec:
      restartPolicy: Never
      containers:
      - name: ${name}
        image: registry.example.com/${ns}/${name}:1.0.0
        ports:
        - containerPort: 9464
          name: metrics
          protocol: TCP
`;

/** A running Pod of a Job the CronJob made (`<cronjob>-<minutes since the epoch>`), as `kubectl get pods -o yaml` shows it (a Succeeded one is no evidence). */
const cronJobPod = (ns: string, cron: string, sidecar: boolean) => `apiVersion: v1
kind: Pod
metadata:
  name: ${cron}-29412377-x4k8p
  namespace: ${ns}
  labels:
    app: ${cron}
    batch.kubernetes.io/controller-uid: 6e1f2a7c-93b4-4d0e-8c51-a2f7d9e3b016
    batch.kubernetes.io/job-name: ${cron}-29412377
    controller-uid: 6e1f2a7c-93b4-4d0e-8c51-a2f7d9e3b016
    job-name: ${cron}-29412377
  ownerReferences:
  - apiVersion: batch/v1
    kind: Job
    name: ${cron}-29412377
    uid: 6e1f2a7c-93b4-4d0e-8c51-a2f7d9e3b016
    controller: true
    blockOwnerDeletion: true
spec:
  restartPolicy: OnFailure
  containers:
  - name: ${cron}
    image: registry.example.com/${ns}/${cron}:3.0.1
${sidecar ? '  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.22.3\n' : ''}status:
  phase: Running
`;

const payments = () => docs(namespace('payments'), peerAuthentication('payments', 'default', 'PERMISSIVE'), deployment('payments', 'payments-api'), service('payments', 'payments-api'));

describe('batch/v1 Jobs and CronJobs as workloads', () => {
  it('counts a CronJob in a namespace without injection among the callers without a sidecar', () => {
    const model = istioModelOf(docs(payments(), namespace('reports', {}), namespace('billing'), cronJob('billing', 'invoice-export', { annotations: { 'sidecar.istio.io/inject': 'false' } })));
    // The empty reports namespace runs nothing, so it is no entry (and no plaintext caller).
    expect(model.membership.map((m) => [m.id, m.reason])).toEqual([
      ['istio:billing/CronJob/invoice-export', 'pod template of billing/CronJob/invoice-export sets sidecar.istio.io/inject: "false"'],
    ]);
    expect(new UnmeshedCallers(model).reasonFor('istio', 'Deployment payments/payments-api')).toContain('CronJob billing/invoice-export');
  });

  it('holds the STRICT fix for a person because the CronJob may call in plaintext', () => {
    const findings = evaluateModel(
      istioModelOf(docs(payments(), namespace('billing'), cronJob('billing', 'invoice-export', { labels: { app: 'invoice-export', 'sidecar.istio.io/inject': 'false' } }))),
      shippedPolicy(),
      NOW,
    );
    expect(findings.find((f) => f.rule === 'mesh-sidecar-missing')!.resource).toMatchObject({ kind: 'CronJob', name: 'invoice-export', namespace: 'billing' });
    const fix = findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api')!.remediation!;
    expect(fix).toMatchObject({ mode: 'approval', reason: expect.stringContaining('CronJob billing/invoice-export has no sidecar and may call Deployment payments/payments-api port 8080 in plaintext') });
  });

  it('reads a Job in an injecting namespace as in the mesh, and matches selectors on its template labels', () => {
    const model = istioModelOf(docs(namespace('billing'), peerAuthentication('billing', 'reindex', 'STRICT', { app: 'reindex' }), job('billing', 'reindex')));
    expect(model.servers.map((s) => [s.id, s.inMesh, s.mode, s.cause.name])).toEqual([['istio:billing/Job/reindex:9464', true, 'STRICT', 'reindex']]);
    expect(model.membership).toEqual([]);
  });

  it('reads a CronJob’s pod template under spec.jobTemplate.spec.template', () => {
    const model = istioModelOf(docs(namespace('billing'), peerAuthentication('billing', 'exports', 'DISABLE', { app: 'invoice-export' }), cronJob('billing', 'invoice-export', { metricsPort: 9464 })));
    expect(model.servers.map((s) => [s.id, s.inMesh, s.mode, s.labels])).toEqual([['istio:billing/CronJob/invoice-export:9464', true, 'DISABLED', { app: 'invoice-export' }]]);
  });

  it('takes a Job template with the sidecar container as evidence that Istio is installed', () => {
    const manual = `${job('billing', 'reindex')}      - name: istio-proxy\n        image: docker.io/istio/proxyv2:1.22.3\n`;
    expect(istioModelOf(manual).servers.map((s) => s.id)).toEqual(['istio:billing/Job/reindex:9464']);
  });

  it("uses the Pods of a CronJob's Jobs as evidence for the CronJob", () => {
    const model = istioModelOf(docs(namespace('billing'), peerAuthentication('istio-system', 'default', 'STRICT'), cronJob('billing', 'invoice-export', { metricsPort: 9464 }), cronJobPod('billing', 'invoice-export', false)));
    expect(model.servers.map((s) => [s.id, s.inMesh])).toEqual([['istio:billing/CronJob/invoice-export:9464', false]]);
    expect(model.membership.map((m) => [m.id, m.reason])).toEqual([['istio:billing/CronJob/invoice-export', 'pod invoice-export-29412377-x4k8p runs without an istio-proxy sidecar']]);
  });

  it('folds the Jobs a CronJob among the inputs made into the CronJob (kubectl get cronjobs,jobs,pods)', () => {
    const made = `${job('billing', 'invoice-export-29412377', { app: 'invoice-export' })}`.replace(
      '  namespace: billing\n',
      '  namespace: billing\n  ownerReferences:\n  - apiVersion: batch/v1\n    kind: CronJob\n    name: invoice-export\n    uid: 0b7d3e91-5c2a-4f68-9e14-d8a6c2f0b735\n    controller: true\n    blockOwnerDeletion: true\n',
    );
    const model = istioModelOf(docs(namespace('billing'), peerAuthentication('istio-system', 'default', 'STRICT'), cronJob('billing', 'invoice-export', { metricsPort: 9464 }), made, cronJobPod('billing', 'invoice-export', false)));
    expect(model.servers.map((s) => [s.id, s.inMesh])).toEqual([['istio:billing/CronJob/invoice-export:9464', false]]);
    expect(model.membership.map((m) => m.id)).toEqual(['istio:billing/CronJob/invoice-export']);
  });

  it('uses the Pods of a Job as evidence for the Job', () => {
    const pod = cronJobPod('billing', 'reindex', true).replace(/reindex-29412377/g, 'reindex');
    const model = istioModelOf(docs(namespace('billing'), peerAuthentication('istio-system', 'default', 'STRICT'), job('billing', 'reindex'), pod));
    expect(model.servers.map((s) => [s.id, s.inMesh])).toEqual([['istio:billing/Job/reindex:9464', true]]);
  });

  it('ignores a CronJob of a retired API version (batch/v1beta1 is gone since Kubernetes 1.25)', () => {
    const old = cronJob('billing', 'invoice-export').replace('apiVersion: batch/v1', 'apiVersion: batch/v1beta1');
    expect(istioModelOf(docs(namespace('billing'), peerAuthentication('istio-system', 'default', 'STRICT'), old)).servers).toEqual([]);
  });
});
