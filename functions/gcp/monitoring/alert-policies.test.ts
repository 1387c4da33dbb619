import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateAlertPolicies } from '../../../.ci/scripts/generate-alert-policies';
import { parseSlos } from '../../core/slo/parse-slos';
import { alertPoliciesForSlos, alertPolicyFor, NOTIFICATION_CHANNEL_PLACEHOLDER } from './alert-policies';

const [istio, appmesh] = parseSlos([
  { name: 'payments-api-latency', service: 'payments-api', mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 250, source: { prometheus: { job: 'istio-mesh' } } },
  { name: 'orders-api-latency', service: 'orders-api', mesh: 'appmesh', meshName: 'prod-mesh', objective: 99, thresholdMs: 250, source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus' } } },
]);

describe('Cloud Monitoring alert policies from Istio SLOs', () => {
  it('has one PromQL condition per window pair, OR-combined, labelled with the SLO', () => {
    const policy = alertPolicyFor(istio);
    expect(policy.combiner).toBe('OR');
    expect(policy.userLabels).toEqual({ 'meshgov-slo': 'payments-api-latency', 'meshgov-service': 'payments-api', 'meshgov-namespace': 'payments' });
    expect(policy.notificationChannels).toEqual([NOTIFICATION_CHANNEL_PLACEHOLDER]);
    expect(policy.documentation).toMatchObject({ mimeType: 'text/markdown', subject: expect.stringContaining('payments/payments-api') });
    expect(policy.documentation.content).toContain('- page: 14.4× over 1h and 5m');
    expect(policy.conditions.map((c) => c.displayName)).toEqual([
      'payments-api-latency page: 14.4x burn over 1h and 5m',
      'payments-api-latency page: 6x burn over 6h and 30m',
      'payments-api-latency ticket: 1x burn over 3d and 6h',
    ]);
    const first = policy.conditions[0].conditionPrometheusQueryLanguage;
    expect(first).toMatchObject({ duration: '0s', evaluationInterval: '60s', labels: { meshgov_alert: 'page' } });
    // Both windows must burn: the two burn expressions are joined with `and`.
    expect(first.query.split('\nand\n')).toHaveLength(2);
    expect(first.query).toContain('[1h]');
    expect(first.query).toContain('[5m]');
    expect(first.query).toContain('le=~"250(\\\\.0+)?"');
    expect(first.query).toContain('job="istio-mesh"');
    expect(first.query).toContain('reporter="destination"');
    expect(first.query).toMatch(/\/ 0\.01 >= 14\.4\)$/);
  });

  it('generates policies for Istio SLOs only', () => {
    expect(alertPoliciesForSlos([istio, appmesh]).map((p) => p.sloName)).toEqual(['payments-api-latency']);
  });

  it('the script writes one JSON file per Istio SLO, replacing stale ones', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-policies-'));
    try {
      const rules = path.join(dir, 'rules');
      const out = path.join(dir, 'out');
      mkdirSync(rules);
      mkdirSync(out);
      writeFileSync(path.join(out, 'removed-slo.json'), '{}');
      writeFileSync(
        path.join(rules, 'slos.yaml'),
        `slos:
  - name: payments-api-latency
    service: payments-api
    mesh: istio
    namespace: payments
    objective: 99
    thresholdMs: 250
    source: { prometheus: {} }
`,
      );
      const files = generateAlertPolicies({ rulesDir: rules, outDir: out, notificationChannels: ['projects/meshgov-demo/notificationChannels/123'] });
      expect(files).toEqual([path.join(out, 'payments-api-latency.json')]);
      expect(readdirSync(out)).toEqual(['payments-api-latency.json']);
      const written = JSON.parse(readFileSync(files[0], 'utf8'));
      expect(written.notificationChannels).toEqual(['projects/meshgov-demo/notificationChannels/123']);
      expect(written.conditions).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
