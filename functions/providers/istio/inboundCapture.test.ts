import { dump, loadAll } from 'js-yaml';
import { evaluateModel } from '../../core/rules/engine';
import type { Finding } from '../../core/findings';
import { shippedPolicy } from '../../../test/support/model';
import { CAPTURE_INBOUND_PORT_ACTION } from './inboundCapture';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml as service } from './testInventory';

/*
 * A port the sidecar does not capture (traffic.sidecar.istio.io/excludeInboundPorts, or left out
 * of includeInboundPorts) reaches the application directly: plaintext, whatever the
 * PeerAuthentication says; and callers' sidecars still send it mTLS through auto mTLS (Istio FAQ
 * "Does Auto mTLS work for port exclusion?").
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const EXCLUDE = 'traffic.sidecar.istio.io/excludeInboundPorts';
const INCLUDE = 'traffic.sidecar.istio.io/includeInboundPorts';

/** ledger serves its API on 8080 and Postgres's wire protocol on 5432, in a STRICT namespace. */
const fleet = (annotations: Record<string, string>, ...extra: string[]) =>
  docs(
    namespace('payments'),
    namespace('checkout'),
    peerAuthentication('payments', 'default', 'STRICT'),
    deployment('payments', 'ledger', { ports: [8080, 5432], annotations }),
    service('payments', 'ledger', [8080, 5432]),
    deployment('checkout', 'checkout-web'),
    ...extra,
  );

const audit = (yaml: string): Finding[] => evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);
const notStrict = (findings: Finding[]) => findings.filter((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'ledger');

describe('ports the sidecar does not capture', () => {
  it('an excluded port takes plaintext under a STRICT namespace: mtls-not-strict names the annotation, and the fix is to the pod template', () => {
    const [finding, ...others] = notStrict(audit(fleet({ [EXCLUDE]: '5432' })));
    expect(others).toEqual([]);
    expect(finding!.resource).toMatchObject({ kind: 'Deployment', name: 'ledger', namespace: 'payments', port: 5432 });
    expect(finding!.message).toBe(
      `Deployment payments/ledger port 5432 accepts only plaintext (DISABLED, set by workload-level Deployment payments/ledger annotation ${EXCLUDE} (fleet.yaml:${finding!.resource.line})); require mTLS (STRICT).`,
    );
    expect(finding!.detail.cause).toMatchObject({ kind: 'Deployment', name: 'ledger', scope: 'workload', field: `annotation ${EXCLUDE}` });
    expect(finding!.remediation).toMatchObject({
      action: CAPTURE_INBOUND_PORT_ACTION,
      mode: 'manual',
      change: {
        operation: 'merge-patch',
        target: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'payments', name: 'ledger' },
        // The list left empty is removed.
        patch: { spec: { template: { metadata: { annotations: { [EXCLUDE]: null } } } } },
      },
    });
  });

  it('the fix to a CronJob patches the pod template of its Jobs, in batch/v1; a Job is to be made again', () => {
    const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: reporter
  namespace: payments
spec:
  schedule: "*/15 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            app: reporter
          annotations:
            ${EXCLUDE}: "9100,6379"
        spec:
          restartPolicy: OnFailure
          containers:
            - name: reporter
              image: registry.example.com/payments/reporter:2.1.0
              ports:
                - containerPort: 6379
`;
    const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: reporter-once
  namespace: payments
spec:
  template:
    metadata:
      labels:
        app: reporter
      annotations:
        ${EXCLUDE}: "6379"
    spec:
      restartPolicy: Never
      containers:
        - name: reporter
          image: registry.example.com/payments/reporter:2.1.0
          ports:
            - containerPort: 6379
`;
    const findings = audit(docs(namespace('payments'), peerAuthentication('payments', 'default', 'STRICT'), cronJob, job, service('payments', 'reporter', [6379])));
    const fixes = findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => [f.resource.kind, f.remediation?.change]);
    expect(fixes).toEqual([
      [
        'CronJob',
        {
          operation: 'merge-patch',
          target: { apiVersion: 'batch/v1', kind: 'CronJob', namespace: 'payments', name: 'reporter' },
          patch: { spec: { jobTemplate: { spec: { template: { metadata: { annotations: { [EXCLUDE]: '9100' } } } } } } },
        },
      ],
      ['Job', expect.objectContaining({ target: { apiVersion: 'batch/v1', kind: 'Job', namespace: 'payments', name: 'reporter-once' } })],
    ]);
    const jobFix = findings.find((f) => f.resource.kind === 'Job')!.remediation!;
    expect(jobFix.reason).toContain('delete and create Job payments/reporter-once again with this change');
  });

  it('the fix keeps the other excluded ports', () => {
    const [finding] = notStrict(audit(fleet({ [EXCLUDE]: '5432, 9901' })));
    expect((finding!.remediation!.change as any).patch.spec.template.metadata.annotations).toEqual({ [EXCLUDE]: '9901' });
  });

  it('an include list leaves out every port it does not name, and the exclude list is then not read', () => {
    const findings = notStrict(audit(fleet({ [INCLUDE]: '8080', [EXCLUDE]: '8080' })));
    expect(findings.map((f) => f.resource.port)).toEqual([5432]);
    expect((findings[0]!.remediation!.change as any).patch.spec.template.metadata.annotations).toEqual({ [INCLUDE]: '5432,8080' });
    // `*` is the default: every port is captured but the excluded ones.
    expect(notStrict(audit(fleet({ [INCLUDE]: '*', [EXCLUDE]: '9901' })))).toEqual([]);
  });

  it("callers that use auto mTLS send the excluded port mTLS it cannot take: an mtls-conflict on the ledger's Service", () => {
    const conflicts = audit(fleet({ [EXCLUDE]: '5432' })).filter((f) => f.rule === 'mtls-conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.resource).toMatchObject({ kind: 'Service', name: 'ledger', namespace: 'payments' });
    expect(conflicts[0]!.detail.server).toMatchObject({ name: 'ledger', port: 5432 });
    expect(conflicts[0]!.message).toContain('auto mTLS sends mTLS (port 5432 of payments/Deployment/ledger bypasses its sidecar');
  });

  it('a port-level DISABLE for the excluded port makes Istio mark the endpoint plaintext: no conflict, the bypass is still reported', () => {
    const findings = audit(fleet({ [EXCLUDE]: '5432' }, peerAuthentication('payments', 'ledger-postgres', 'STRICT', { app: 'ledger', ports: { 5432: 'DISABLE' } })));
    expect(findings.filter((f) => f.rule === 'mtls-conflict')).toEqual([]);
    expect(notStrict(findings).map((f) => [f.resource.port, f.remediation!.action])).toEqual([[5432, CAPTURE_INBOUND_PORT_ACTION]]);
  });

  it("a namespace policy set to STRICT does not count the excluded port among the servers it tightens", () => {
    const yaml = fleet({ [EXCLUDE]: '5432' }).replace('mode: STRICT', 'mode: PERMISSIVE');
    const model = istioModelOf(yaml);
    const api = model.servers.find((s) => s.resource.name === 'ledger' && s.resource.port === 8080)!;
    expect(api.fix!.affectsServers).toEqual([api.id]);
    const postgres = model.servers.find((s) => s.resource.name === 'ledger' && s.resource.port === 5432)!;
    expect(postgres.fix!.action).toBe(CAPTURE_INBOUND_PORT_ACTION);
  });

  describe('every uncaptured port of a workload in one change (a plan per port, each from the annotation as read, would put back the port the other removed)', () => {
    /** The reviewer's fleet K: Redis on 6379 and its cluster bus on 16379, both excluded, under a mesh-wide STRICT policy. */
    const cache = (annotation: string, serviceTargets: number[] = [6379, 16379], containerPorts: number[] = [6379, 16379]) =>
      docs(
        namespace('k'),
        peerAuthentication('istio-system', 'default', 'STRICT'),
        deployment('k', 'cache', { ports: containerPorts, annotations: { [EXCLUDE]: annotation } }),
        service('k', 'cache', serviceTargets),
      );
    const cacheFindings = (findings: Finding[]) => findings.filter((f) => f.resource.name === 'cache');
    const annotationsOf = (f: Finding) => (f.remediation!.change as any).patch.spec.template.metadata.annotations;

    /** The YAML after a JSON merge patch (RFC 7386) of the object it targets. */
    const patched = (yaml: string, change: any): string =>
      (loadAll(yaml) as any[])
        .filter((d) => d)
        .map((d) => (d.kind === change.target.kind && d.metadata?.name === change.target.name && d.metadata?.namespace === change.target.namespace ? mergePatch(d, change.patch) : d))
        .map((d) => dump(d))
        .join('---\n');

    it('Deployment k/cache excluding "6379,16379": every plan removes both ports, so the list goes', () => {
      const findings = cacheFindings(audit(cache('6379,16379')));
      const notStrictPorts = findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => f.resource.port);
      expect(notStrictPorts.sort()).toEqual([16379, 6379]);
      // The mtls-not-strict of each port and the mtls-conflict of its Service share the one change.
      expect(findings.length).toBeGreaterThan(2);
      for (const f of findings) {
        expect(f.remediation!.action).toBe(CAPTURE_INBOUND_PORT_ACTION);
        expect(f.remediation!.change).toEqual(findings[0]!.remediation!.change);
      }
      expect(annotationsOf(findings[0]!)).toEqual({ [EXCLUDE]: null });
      expect(findings[0]!.remediation!.reason).toContain('so that the sidecar captures ports 6379, 16379');
    });

    it('applying any one of the plans, or all of them in any order, captures both ports', () => {
      const yaml = cache('6379,16379');
      const changes = cacheFindings(audit(yaml)).map((f) => f.remediation!.change);
      for (const order of [changes, [...changes].reverse()]) {
        const after = order.reduce<string>((text, change) => patched(text, change), yaml);
        expect(cacheFindings(audit(after))).toEqual([]);
      }
      expect(cacheFindings(audit(patched(yaml, changes[changes.length - 1])))).toEqual([]);
    });

    it('other excluded ports stay listed', () => {
      const findings = cacheFindings(audit(cache('6379, 9901,16379'))).filter((f) => f.rule === 'mtls-not-strict');
      expect(findings.map((f) => annotationsOf(f))).toEqual([{ [EXCLUDE]: '9901' }, { [EXCLUDE]: '9901' }]);
    });

    it('a port only a Service targets (not declared by the container) is in the same change', () => {
      const findings = cacheFindings(audit(cache('6379,16379', [6379, 16379], [6379]))).filter((f) => f.rule === 'mtls-not-strict');
      expect(findings.map((f) => f.resource.port).sort()).toEqual([16379, 6379]);
      expect(findings.map((f) => annotationsOf(f))).toEqual([{ [EXCLUDE]: null }, { [EXCLUDE]: null }]);
    });

    it('an include list gets every port it leaves out, in one change', () => {
      const findings = notStrict(audit(fleet({ [INCLUDE]: '8080' }).replace('        - containerPort: 5432', '        - containerPort: 5432\n          protocol: TCP\n        - containerPort: 9090')));
      expect(findings.map((f) => f.resource.port)).toEqual([5432, 9090]);
      expect(findings.map((f) => annotationsOf(f))).toEqual([{ [INCLUDE]: '5432,8080,9090' }, { [INCLUDE]: '5432,8080,9090' }]);
    });
  });
});

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
