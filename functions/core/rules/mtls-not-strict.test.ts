import type { ServerMode } from '../model/types';
import { evaluateModel } from './engine';
import { model, server, shippedPolicy } from '../../../test/support/model';

const NOW = new Date('2026-11-26T00:00:00Z');
const run = (servers: ReturnType<typeof server>[], policy = shippedPolicy()) =>
  evaluateModel(model({ servers }), policy, NOW).filter((f) => f.rule === 'mtls-not-strict');

describe('mtls-not-strict', () => {
  const modes: Array<[ServerMode, boolean]> = [
    ['STRICT', false],
    ['PERMISSIVE', true],
    ['DISABLED', true],
    ['TLS_NO_CLIENT_AUTH', true],
  ];
  it.each(modes)('a server in %s mode is reported: %s', (mode, reported) => {
    const findings = run([server({ name: 'payments-api', mode })]);
    expect(findings.length).toBe(reported ? 1 : 0);
    if (reported) expect(findings[0].detail.mode).toBe(mode);
  });

  it('places the finding on the workload port and points at the causing policy', () => {
    const [f] = run([server({ name: 'payments-api', mode: 'PERMISSIVE', resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 8080, file: 'k8s/payments-pa.yaml', line: 3 } })]);
    expect(f.resource).toEqual({ kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 8080, file: 'k8s/payments-pa.yaml', line: 3 });
    expect(f.message).toMatch(/PeerAuthentication payments\/default/);
    expect(f.detail.cause).toMatchObject({ kind: 'PeerAuthentication', name: 'default', scope: 'namespace', file: 'k8s/payments-pa.yaml', line: 3 });
  });

  it('leaves servers outside the mesh to mesh-sidecar-missing', () => {
    expect(run([server({ name: 'legacy', mode: 'PERMISSIVE', inMesh: false })])).toEqual([]);
  });

  it('honours namespace globs from rules/ (kube-* excluded by default)', () => {
    expect(run([server({ name: 'coredns', namespace: 'kube-system', mode: 'DISABLED' })])).toEqual([]);
  });

  it('gives the same id on every run and a different id per port', () => {
    const a = run([server({ name: 'payments-api', mode: 'PERMISSIVE' })])[0].id;
    const b = run([server({ name: 'payments-api', mode: 'PERMISSIVE', resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 8080, file: 'moved/elsewhere.yaml', line: 99 } })])[0].id;
    const c = run([server({ name: 'payments-api', mode: 'PERMISSIVE', resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 9090 } })])[0].id;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
