import { evaluateModel } from './engine';
import { certificate, model, shippedPolicy } from '../../../test/support/model';

const NOW = new Date('2026-11-26T12:00:00Z');
const run = (certs: ReturnType<typeof certificate>[], policy = shippedPolicy()) =>
  evaluateModel(model({ certificates: certs }), policy, NOW).filter((f) => f.rule.startsWith('cert-'));

describe('cert-expired and cert-expiring', () => {
  const table: Array<[string, string, string | undefined, string | undefined]> = [
    ['expired yesterday', '2026-11-25T12:00:00Z', 'cert-expired', 'critical'],
    ['expires in 3 days', '2026-11-29T12:00:00Z', 'cert-expiring', 'critical'],
    ['expires in exactly 7 days', '2026-12-03T12:00:00Z', 'cert-expiring', 'critical'],
    ['expires in 12 days', '2026-12-08T12:00:00Z', 'cert-expiring', 'high'],
    ['expires in exactly 30 days', '2026-12-26T12:00:00Z', 'cert-expiring', 'high'],
    ['expires in 31 days', '2026-12-27T12:00:00Z', undefined, undefined],
  ];
  it.each(table)('a certificate that %s', (_what, notAfter, rule, severity) => {
    const findings = run([certificate({ cn: 'payments-api.payments.svc.cluster.local', notAfter })]);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual(rule ? [[rule, severity]] : []);
  });

  it('counts the last day in hours, since "0 days" reads as gone already', () => {
    const message = (notAfter: string) => run([certificate({ cn: 'edge', notAfter })])[0]!.message;
    expect(message('2026-11-27T08:00:00Z')).toMatch(/ expires in 20 hours \(2026-11-27T08:00:00.000Z\)/);
    expect(message('2026-11-26T13:00:00Z')).toMatch(/ expires in 1 hour /);
    expect(message('2026-11-26T12:30:00Z')).toMatch(/ expires in less than an hour /);
    expect(message('2026-11-27T12:00:00Z')).toMatch(/ expires in 1 day /);
  });

  it('says the hours on the day past a tier edge, so the high finding does not read like the critical one', () => {
    const at = (notAfter: string) => run([certificate({ cn: 'edge', notAfter })])[0]!;
    expect([at('2026-12-03T12:00:00Z').severity, at('2026-12-03T12:00:00Z').message]).toEqual(['critical', expect.stringMatching(/ expires in 7 days \(/)]);
    expect([at('2026-12-03T17:00:00Z').severity, at('2026-12-03T17:00:00Z').message]).toEqual(['high', expect.stringMatching(/ expires in 7 days and 5 hours \(/)]);
    expect(at('2026-12-04T13:00:00Z').message).toMatch(/ expires in 8 days \(/);
    expect(at('2026-12-03T13:00:00Z').message).toMatch(/ expires in 7 days and 1 hour \(/);
    // Less than an hour past the edge: high, and the minutes say why.
    expect([at('2026-12-03T12:30:00Z').severity, at('2026-12-03T12:30:00Z').message]).toEqual(['high', expect.stringMatching(/ expires in 7 days and 30 minutes \(/)]);
    expect(at('2026-12-03T12:00:20Z').message).toMatch(/ expires in 7 days and 1 minute \(/);
  });

  it('an expired root beside a valid root in one bundle: take it out, not renew it; a root alone is renewed', () => {
    const bundle = { kind: 'ConfigMap', name: 'istio-ca-root-cert', namespace: 'istio-system', key: 'root-cert.pem', source: { file: 'istio-ca-root-cert.yaml', line: 6 } } as const;
    const root = (cn: string, notAfter: string, chainIndex: number) => certificate({ cn, notAfter, subject: `CN=${cn}`, issuer: `CN=${cn}`, isCA: true, chainIndex, origin: bundle });
    const [retired] = run([root('Mesh Root 2016', '2026-11-01T00:00:00Z', 0), root('Mesh Root 2026', '2036-11-01T00:00:00Z', 1)]);
    expect(retired!.message).toMatch(/; the bundle still holds 1 valid root, so take this one out of it \(whatever still chains to it is refused already: re-issue that from a valid root\)\.$/);
    const [alone] = run([root('Mesh Root 2016', '2026-11-01T00:00:00Z', 0)]);
    expect(alone!.message).toMatch(/; renew it and roll it out\.$/);
    // An intermediate is renewed, whatever else the bundle holds.
    const intermediate = certificate({ cn: 'Mesh Intermediate', notAfter: '2026-11-01T00:00:00Z', issuer: 'CN=Mesh Root 2026', isCA: true, chainIndex: 2, origin: bundle });
    expect(run([intermediate, root('Mesh Root 2026', '2036-11-01T00:00:00Z', 1)])[0]!.message).toMatch(/; renew it and roll it out\.$/);
  });

  it('reports a not-yet-valid certificate as cert-expired, and never also as cert-expiring', () => {
    const findings = run([certificate({ cn: 'future', notBefore: '2026-12-01T00:00:00Z', notAfter: '2026-12-05T00:00:00Z' })]);
    expect(findings.map((f) => f.rule)).toEqual(['cert-expired']);
    expect(findings[0].detail.state).toBe('not-yet-valid');
  });

  it('names the subject CN, the file and the namespace, with daysLeft and expiresAt', () => {
    const [f] = run([
      certificate({
        cn: 'istio-ca',
        notAfter: '2026-12-08T12:00:00Z',
        isCA: true,
        origin: { kind: 'Secret', name: 'cacerts', namespace: 'istio-system', key: 'ca-cert.pem', source: { file: 'gke/cacerts.yaml', line: 1 } },
      }),
    ]);
    expect(f.resource).toEqual({ kind: 'Certificate', name: 'istio-ca', namespace: 'istio-system', file: 'gke/cacerts.yaml', line: 1 });
    expect(f.detail).toMatchObject({ daysLeft: 12, expiresAt: '2026-12-08T12:00:00.000Z' });
    expect(f.message).toMatch(/Secret istio-system\/cacerts key ca-cert.pem/);
  });

  it('a record with an unreadable date, or a rules copy with no tiers, does not stop the audit', () => {
    const broken = certificate({ cn: 'broken', notAfter: '2026-12-01T00:00:00Z' });
    broken.notAfter = new Date('2026-12-01T25:00:00Z');
    const soon = certificate({ cn: 'soon', notAfter: '2026-11-29T12:00:00Z' });
    expect(run([broken, soon]).map((f) => f.resource.name)).toEqual(['soon']);
    const policy = shippedPolicy();
    policy.rules['cert-expiring'].tiers = [];
    expect(run([certificate({ cn: 'now', notAfter: NOW.toISOString() })], policy)).toEqual([]);
  });

  it('uses the tiers of a rules copy', () => {
    const policy = shippedPolicy();
    policy.rules['cert-expiring'].tiers = [{ withinDays: 60, severity: 'medium' }];
    expect(run([certificate({ cn: 'x', notAfter: '2027-01-10T00:00:00Z' })], policy).map((f) => f.severity)).toEqual(['medium']);
  });

  it("holds every tier to the rule's own severity, so lowering it in a rules copy takes effect", () => {
    const policy = shippedPolicy();
    policy.rules['cert-expiring'].severity = 'medium';
    const certs = [certificate({ cn: 'soon', notAfter: '2026-11-29T12:00:00Z' }), certificate({ cn: 'later', notAfter: '2026-12-20T12:00:00Z' })];
    expect(run(certs, policy).map((f) => [f.resource.name, f.severity])).toEqual([
      ['later', 'medium'],
      ['soon', 'medium'],
    ]);
    policy.rules['cert-expiring'].severity = 'info';
    expect(run(certs, policy).map((f) => f.severity)).toEqual(['info', 'info']);
  });

  it('leaves an unknown notBefore out of detail rather than reporting 1970', () => {
    // cert-manager without status.notBefore: the record holds the epoch, dated by its source.
    const certManager = certificate({
      cn: 'api.shop.example.com',
      id: 'certmanager:istio-ingress/api-shop-example-com',
      fingerprint256: '',
      notBefore: '1970-01-01T00:00:00Z',
      notAfter: '2026-11-20T00:00:00Z',
      dateSource: 'cert-manager status',
      origin: { kind: 'Certificate', name: 'api-shop-example-com', namespace: 'istio-ingress', source: { file: 'ingress/certificates.yaml', line: 1 } },
    });
    const [f] = run([certManager]);
    expect(f.rule).toBe('cert-expired');
    expect(f.detail).not.toHaveProperty('notBefore', expect.anything());
    expect(JSON.parse(JSON.stringify(f.detail))).not.toHaveProperty('notBefore');
    expect(f.detail).toMatchObject({ notAfter: '2026-11-20T00:00:00.000Z', dateSource: 'cert-manager status' });

    const dated = run([{ ...certManager, notBefore: new Date('2026-08-22T00:00:00Z') }]);
    expect(dated[0].detail.notBefore).toBe('2026-08-22T00:00:00.000Z');
  });

  it('checks every certificate of a chain separately', () => {
    const leaf = certificate({ cn: 'leaf', notAfter: '2027-06-01T00:00:00Z' });
    const intermediate = certificate({ cn: 'intermediate', id: 'x509:int', chainIndex: 1, isCA: true, notAfter: '2026-11-20T00:00:00Z' });
    expect(run([leaf, intermediate]).map((f) => [f.rule, f.resource.name])).toEqual([['cert-expired', 'intermediate']]);
  });
});
