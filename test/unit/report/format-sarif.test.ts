import { RULE_IDS } from '../../../functions/core/findings';
import { buildReport } from '../../../functions/core/report/report';
import { formatSarif } from '../../../functions/core/report/format-sarif';
import type { Finding } from '../../../functions/core/findings';

const NOW = new Date('2026-11-26T00:00:00Z');

function finding(file: string): Finding {
  return {
    id: `f-${file}`,
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'istio',
    resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 8080, file, line: 12 },
    message: 'Deployment payments/payments-api port 8080 accepts plaintext as well as mTLS (PERMISSIVE)',
    detail: { mode: 'PERMISSIVE' },
    remediation: null,
  };
}

describe('SARIF', () => {
  it('describes every rule as GitHub code scanning requires: id, short and full description, help', () => {
    const sarif = JSON.parse(formatSarif(buildReport([], 0, NOW), { baseDir: '/repo', toolVersion: '0.1.0' }));
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual([...RULE_IDS]);
    for (const r of rules) {
      expect(r.shortDescription.text.length).toBeGreaterThan(10);
      expect(r.fullDescription.text.length).toBeGreaterThan(10);
      expect(r.help.text.length).toBeGreaterThan(20);
    }
  });

  it('makes the base directory an absolute, percent-encoded file URI ending in a slash', () => {
    const sarif = JSON.parse(formatSarif(buildReport([finding('/work/repo #1/k8s/pa.yaml')], 1, NOW), { baseDir: '/work/repo #1', toolVersion: '0.1.0' }));
    const run = sarif.runs[0];
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///work/repo%20%231/');
    expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'k8s/pa.yaml', uriBaseId: '%SRCROOT%' });
    // Resolving the relative reference against the base gives the file back.
    expect(new URL('k8s/pa.yaml', run.originalUriBaseIds['%SRCROOT%'].uri).pathname).toBe('/work/repo%20%231/k8s/pa.yaml');
  });

  it('gives a file outside the base directory an absolute URI of its own, not one relative to %SRCROOT%', () => {
    const sarif = JSON.parse(formatSarif(buildReport([finding('/tmp/fleet/pa.yaml')], 1, NOW), { baseDir: '/work/repo', toolVersion: '0.1.0' }));
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'file:///tmp/fleet/pa.yaml' });
  });
});
