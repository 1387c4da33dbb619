import { readPolicyFile } from '../policy/read-policy-file';
import type { RuleSettings } from '../policy/types';
import { emptyModel } from '../model/types';
import { sloLatencyBurn } from '../rules/slo-latency-burn';
import type { FleetIndex } from '../model/fleet-index';
import { burnRate } from './burn-rate';
import { isFiring } from './burn-onset';
import { parseSlos } from './parse-slos';
import { toSloIndicator } from './indicator';
import type { SloReading } from './reading';

/** Edge cases of the burn-rate maths and of the SLO definitions (SRE workbook, "Alerting on SLOs"). */

const FILE = 'rules/slos.yaml';

function sloYaml(fields: string): string {
  return `slos:
  - name: payments-api-latency
    service: payments-api
    mesh: istio
    namespace: payments
    thresholdMs: 250
    source:
      prometheus: {}
${fields}`;
}

function problemsOf(yaml: string) {
  return readPolicyFile(FILE, yaml).problems.map(({ file, line, field, message }) => ({ file, line, field, message }));
}

const [SLO] = parseSlos([{ name: 'p', service: 'p', mesh: 'istio', namespace: 'n', objective: 99.9, thresholdMs: 250, source: { prometheus: {} } }]);

function readingOf(burnRates: Record<string, number>): SloReading {
  return { slo: SLO, method: 'prometheus-histogram', burnRates };
}

const SETTINGS = { severity: 'critical', pageSeverity: 'critical', ticketSeverity: 'medium' } as unknown as RuleSettings;

function findingsFor(burnRates: Record<string, number>) {
  const model = { ...emptyModel(), slos: [toSloIndicator(readingOf(burnRates))] };
  return sloLatencyBurn.evaluate({ model, settings: SETTINGS, index: {} as FleetIndex, now: new Date('2026-11-20T15:11:00Z') });
}

describe('burn rate: a budget to divide by', () => {
  it('refuses an objective of 100% (no budget) instead of returning Infinity or NaN', () => {
    expect(() => burnRate(0.01, 100)).toThrow(/objective 100% has no error budget/);
    expect(() => burnRate(0, 100)).toThrow(RangeError);
    expect(() => burnRate(0.01, 0)).toThrow(RangeError);
  });

  it('refuses an error ratio that is not a share of requests', () => {
    expect(() => burnRate(Number.NaN, 99)).toThrow(/not a share of requests/);
    expect(() => burnRate(1.5, 99)).toThrow(RangeError);
  });

  it('keeps the workbook numbers: 1.44% slow at 99.9% burns 14.4×, all slow burns 1 / budget', () => {
    expect(burnRate(0.0144, 99.9)).toBeCloseTo(14.4, 9);
    expect(burnRate(1, 99)).toBeCloseTo(100, 9);
    expect(burnRate(0, 99.9)).toBe(0);
  });
});

describe('objective: a percent, with a budget every alert pair can reach', () => {
  it('names file, line and field for an objective written as a fraction (0.999 for 99.9%)', () => {
    expect(problemsOf(sloYaml('    objective: 0.999\n'))).toEqual([
      { file: FILE, line: 9, field: 'slos[0].objective', message: 'objective 0.999 reads as 0.999%: it is a percent of requests, so write 99.9 for 99.9%' },
    ]);
  });

  it('explains why 100% cannot be an objective', () => {
    expect(problemsOf(sloYaml('    objective: 100\n'))).toEqual([
      expect.objectContaining({ line: 9, field: 'slos[0].objective', message: expect.stringContaining('leaves no error budget') }),
    ]);
  });

  it('says a value past 100 is no percent, rather than that 100% leaves no budget', () => {
    expect(problemsOf(sloYaml('    objective: 120\n'))).toEqual([
      expect.objectContaining({ line: 9, field: 'slos[0].objective', message: expect.stringContaining('at most 100') }),
    ]);
  });

  it('refuses a low objective whose default page pair could never fire, and says what to set', () => {
    expect(problemsOf(sloYaml('    objective: 90\n'))).toEqual([
      {
        file: FILE,
        line: 9,
        field: 'slos[0].objective',
        message:
          'with objective 90%, the default page pair (14.4× over 1h and 5m) can never fire: it needs 144.0% of requests over the threshold; set alerting.page to pairs with factors of at most 10 (or [] to turn it off)',
      },
    ]);
  });

  it('accepts the same objective once the pairs are given', () => {
    expect(problemsOf(sloYaml('    objective: 90\n    alerting:\n      page:\n        - { long: 6h, short: 30m, factor: 6 }\n'))).toEqual([]);
  });

  it('refuses an SLO window shorter than a default pair, on the window field', () => {
    expect(problemsOf(sloYaml('    objective: 99.9\n    window: 1d\n'))).toEqual([
      {
        file: FILE,
        line: 10,
        field: 'slos[0].window',
        message: 'the default ticket pair (1× over 3d and 6h) has a long window longer than the SLO window (1d); set alerting.ticket to pairs within 1d (or [] to turn it off)',
      },
    ]);
    expect(problemsOf(sloYaml('    objective: 99.9\n    window: 1d\n    alerting:\n      ticket: []\n'))).toEqual([]);
  });

  it('says nothing about defaults when alerting itself is the wrong type', () => {
    expect(problemsOf(sloYaml('    objective: 90\n    alerting: fast\n')).map((p) => p.field)).toEqual(['slos[0].alerting']);
  });
});

describe('firing: both windows at or over the factor, never by rounding', () => {
  const page = (burn1h: number, burn5m: number) => ({ '1h': burn1h, '5m': burn5m });

  it('a 5m burn of 14.39996 does not reach 14.4, though it shows as 14.3999', () => {
    const indicator = toSloIndicator(readingOf(page(20, 14.39996)));
    expect(indicator.windows[0]).toMatchObject({ long: '1h', short: '5m', burnShort: 14.3999, factor: 14.4 });
    expect(isFiring(indicator.windows[0])).toBe(false);
    expect(findingsFor(page(20, 14.39996))).toEqual([]);
  });

  it('a burn of exactly the factor fires, whatever binary noise the division left', () => {
    const noisy = 0.0144 / 0.001; // 14.399999999999999
    expect(noisy).toBeLessThan(14.4);
    const findings = findingsFor(page(noisy, noisy));
    expect(findings.map((f) => [f.severity, f.detail.level])).toEqual([['critical', 'page']]);
  });

  it('the long window alone is not enough (the short window must burn too), and the reverse', () => {
    expect(findingsFor(page(30, 2))).toEqual([]);
    expect(findingsFor(page(2, 30))).toEqual([]);
  });

  it('no traffic: every burn 0, the budget whole, no finding', () => {
    const indicator = toSloIndicator(readingOf({}));
    expect(indicator.windows.every((w) => w.burnLong === 0 && w.burnShort === 0)).toBe(true);
    expect(indicator.budgetRemaining).toBe(1);
    expect(findingsFor({})).toEqual([]);
  });
});
