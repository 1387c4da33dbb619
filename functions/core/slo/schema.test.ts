import { readPolicyFile } from '../policy/read-policy-file';
import { boundariesAround, leLabelPattern } from './buckets';
import { budgetRemaining, burnRate, errorRatioOf } from './burn-rate';
import { parseSlos } from './parse-slos';
import { windowPairs, windowsToMeasure } from './definition';
import { durationSeconds, formatWindow } from './duration';

const FILE = 'rules/slos.yaml';

function problemsOf(yaml: string) {
  return readPolicyFile(FILE, yaml).problems.map(({ line, field, message }) => ({ line, field, message }));
}

const ISTIO_SLO = `slos:
  - name: payments-api-latency
    service: payments-api
    mesh: istio
    namespace: payments
    objective: 99
    thresholdMs: 250
    source:
      prometheus: {}
`;

describe('SLO definitions in rules files', () => {
  it('accepts a minimal Istio SLO and fills the defaults', () => {
    const result = readPolicyFile(FILE, ISTIO_SLO);
    expect(result.problems).toEqual([]);
    const [slo] = parseSlos(result.value!.slos);
    expect(slo.window).toBe('30d');
    expect(slo.buckets).toContain(250);
    expect(slo.alerting).toEqual({
      page: [
        { long: '1h', short: '5m', factor: 14.4 },
        { long: '6h', short: '30m', factor: 6 },
      ],
      ticket: [{ long: '3d', short: '6h', factor: 1 }],
    });
    expect(windowsToMeasure(slo)).toEqual(['5m', '30m', '1h', '6h', '3d', '30d']);
    expect(windowPairs(slo).map((p) => `${p.kind} ${p.long}/${p.short} ${p.longSeconds}/${p.shortSeconds}`)).toEqual([
      'page 1h/5m 3600/300',
      'page 6h/30m 21600/1800',
      'ticket 3d/6h 259200/21600',
    ]);
  });

  it('keeps the defaults of a kind left out, and turns off a kind given as []', () => {
    const [slo] = parseSlos([
      { name: 'a', service: 'a', mesh: 'istio', namespace: 'n', objective: 99.9, thresholdMs: 100, source: { prometheus: {} }, alerting: { ticket: [] } },
    ]);
    expect(slo.alerting.ticket).toEqual([]);
    expect(slo.alerting.page).toHaveLength(2);
  });

  it('says which threshold is not a bucket boundary, and where', () => {
    expect(problemsOf(ISTIO_SLO.replace('thresholdMs: 250', 'thresholdMs: 300'))).toEqual([
      { line: 7, field: 'slos[0].thresholdMs', message: 'thresholdMs 300 is not a bucket boundary of the histogram (…, 250, 500, …); choose one of them' },
    ]);
  });

  it('checks custom buckets for App Mesh, but lets CloudWatch count any threshold otherwise', () => {
    const appmesh = (extra: string) => `slos:
  - name: orders-api-latency
    service: orders-api
    mesh: appmesh
    meshName: prod-mesh
    objective: 99
    thresholdMs: 300
    source:
      cloudwatch: { namespace: ContainerInsights/Prometheus }
${extra}`;
    expect(problemsOf(appmesh(''))).toEqual([]);
    expect(problemsOf(appmesh('    buckets: [100, 250, 500]\n'))).toEqual([
      { line: 7, field: 'slos[0].thresholdMs', message: 'thresholdMs 300 is not a bucket boundary of the histogram (100, 250, 500); choose one of them' },
    ]);
  });

  it('names every other problem by field and line', () => {
    const yaml = `slos:
  - name: Payments API
    service: payments-api
    mesh: istio
    objective: 100
    thresholdMs: 250
    window: 30 days
    source:
      cloudwatch: { namespace: X }
    alerting:
      page:
        - { long: 5m, short: 1h, factor: 14.4 }
    colour: red
`;
    expect(problemsOf(yaml)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 2, field: 'slos[0].name' }),
        expect.objectContaining({ line: 5, field: 'slos[0].objective' }),
        expect.objectContaining({ line: 7, field: 'slos[0].window', message: expect.stringContaining('such as 5m, 1h, 3d or 30d') }),
        expect.objectContaining({ line: 13, field: 'slos[0].colour' }),
      ]),
    );
  });

  it('checks the cross-field rules: mesh coordinates, source, window order, reachable factors, unique names', () => {
    const yaml = `slos:
  - name: a
    service: a
    mesh: istio
    objective: 90
    thresholdMs: 250
    source:
      cloudwatch: { namespace: X }
    alerting:
      page:
        - { long: 5m, short: 1h, factor: 14.4 }
  - name: a
    service: b
    mesh: appmesh
    objective: 99
    thresholdMs: 250
    source:
      prometheus: {}
`;
    expect(problemsOf(yaml)).toEqual([
      { line: 2, field: 'slos[0].namespace', message: 'an Istio SLO needs the namespace of its service' },
      { line: 8, field: 'slos[0].source', message: 'an Istio SLO reads Prometheus: set source.prometheus (it may be {})' },
      { line: 8, field: 'slos[0].source.cloudwatch', message: 'an Istio SLO reads Prometheus, not CloudWatch' },
      { line: 11, field: 'slos[0].alerting.page[0].short', message: 'the short window (1h) must be shorter than the long one (5m)' },
      { line: 11, field: 'slos[0].alerting.page[0].factor', message: 'a burn of 14.4× can never happen with objective 90%: it needs 144.0% of requests over the threshold' },
      // In the order of their lines.
      { line: 12, field: 'slos[1].meshName', message: 'an App Mesh SLO needs meshName, the mesh its virtual node is in' },
      { line: 12, field: 'slos[1].name', message: 'SLO name a is already used by slos[0]; names must be unique' },
      { line: 18, field: 'slos[1].source', message: 'an App Mesh SLO reads CloudWatch: set source.cloudwatch.namespace' },
      { line: 18, field: 'slos[1].source.prometheus', message: 'an App Mesh SLO reads CloudWatch, not Prometheus' },
    ]);
  });

  it("refuses the other mesh's coordinates on the field, naming the SLO: an Istio SLO's meshName and virtualNode, an App Mesh SLO's namespace", () => {
    const yaml = `slos:
  - name: reviews-latency
    service: reviews
    mesh: istio
    namespace: bookinfo
    meshName: prod-mesh
    virtualNode: reviews-v2
    objective: 99
    thresholdMs: 250
    source:
      prometheus: {}
  - name: orders-latency
    service: orders-api
    mesh: appmesh
    meshName: prod-mesh
    namespace: orders
    objective: 99
    thresholdMs: 500
    source:
      cloudwatch:
        namespace: ContainerInsights/Prometheus
`;
    expect(problemsOf(yaml)).toEqual([
      {
        line: 6,
        field: 'slos[0].meshName',
        message: 'meshName applies to App Mesh SLOs, but SLO reviews-latency is an Istio SLO (mesh: istio), found by namespace and service: remove meshName, or set mesh: appmesh',
      },
      {
        line: 7,
        field: 'slos[0].virtualNode',
        message: 'virtualNode applies to App Mesh SLOs, but SLO reviews-latency is an Istio SLO (mesh: istio), found by namespace and service: remove virtualNode, or set mesh: appmesh',
      },
      {
        line: 16,
        field: 'slos[1].namespace',
        message: 'namespace applies to Istio SLOs, but SLO orders-latency is an App Mesh SLO (mesh: appmesh), found by meshName and virtualNode: remove namespace, or set mesh: istio',
      },
    ]);
    // The CloudWatch source's own namespace is not the Istio one.
    expect(problemsOf(yaml.replace('    namespace: orders\n', ''))).toHaveLength(2);
  });

  it('refuses them where SLOs come from elsewhere too (parseSlos)', () => {
    expect(() =>
      parseSlos([{ name: 'reviews-latency', service: 'reviews', mesh: 'istio', namespace: 'bookinfo', virtualNode: 'reviews-v2', objective: 99, thresholdMs: 250, source: { prometheus: {} } }]),
    ).toThrow(/virtualNode applies to App Mesh SLOs, but SLO reviews-latency is an Istio SLO/);
  });
});

describe('le label matching', () => {
  const matches = (boundary: number, le: string) => new RegExp(`^(?:${leLabelPattern(boundary)})$`).test(le);
  it.each([
    [250, '250', true],
    [250, '250.0', true],
    [250, '250.00', true],
    [250, '2500', false],
    [250, '25', false],
    [0.5, '0.5', true],
    [0.5, '0.50', true],
    [0.5, '5', false],
    [3600000, '3600000', true],
    [3600000, '3.6e+06', true],
    [1000000, '1e+06', true],
    [1000000, '1.0e+06', true],
    [1800000, '3.6e+06', false],
  ])('%p matches le="%s": %p', (boundary, le, expected) => {
    expect(matches(boundary, le)).toBe(expected);
  });

  it('lists the boundaries around a value', () => {
    expect(boundariesAround(300, [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000])).toBe('…, 250, 500, …');
    expect(boundariesAround(0.1, [0.5, 1, 5, 10, 25, 50, 100])).toBe('0.5, 1, …');
    expect(boundariesAround(1e9, [0.5, 1, 5, 10, 25, 50, 100])).toBe('…, 50, 100');
  });
});

describe('burn-rate maths (SRE workbook ch. 5)', () => {
  it('burns at 1× when the error ratio equals the budget', () => {
    expect(burnRate(0.01, 99)).toBeCloseTo(1, 10);
    expect(burnRate(0.144, 99)).toBeCloseTo(14.4, 10);
    expect(burnRate(0.0144, 99.9)).toBeCloseTo(14.4, 10);
  });
  it('gives no error ratio without traffic, and clamps counter skew', () => {
    expect(errorRatioOf(0, 0)).toBeUndefined();
    expect(errorRatioOf(101, 100)).toBe(0);
    expect(errorRatioOf(75, 100)).toBe(0.25);
  });
  it('counts the budget left as 1 − the burn over the SLO window', () => {
    expect(budgetRemaining(0.2)).toBeCloseTo(0.8);
    expect(budgetRemaining(2)).toBe(-1);
  });
  it('reads and writes windows', () => {
    expect(durationSeconds('30d')).toBe(2_592_000);
    expect(durationSeconds('90s')).toBeUndefined();
    expect(durationSeconds('1h30m')).toBeUndefined();
    expect(formatWindow(3600)).toBe('1h');
    expect(formatWindow(1800)).toBe('30m');
  });
});
