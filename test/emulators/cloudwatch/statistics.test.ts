import { computeStatistic, UnsupportedStatistic } from './statistics';

const d = { values: [80, 250, 251, 400], counts: [90, 5, 3, 2] };

describe('CloudWatch statistics over a distribution', () => {
  it.each([
    ['SampleCount', 100],
    ['Sum', 90 * 80 + 5 * 250 + 3 * 251 + 2 * 400],
    ['Minimum', 80],
    ['Maximum', 400],
    // Trimmed count and percentile rank include the upper bound and exclude the lower one.
    ['TC(:250)', 95],
    ['TC(250:)', 5],
    ['TC(80:250)', 5],
    ['PR(:250)', 95],
    ['p90', 80],
    ['p95', 250],
    ['p96', 251],
    ['p99', 400],
    ['p98.5', 400],
  ])('%s', (stat, expected) => {
    expect(computeStatistic(stat, d)).toBeCloseTo(expected, 10);
  });

  it('has no value without samples, and refuses what it does not emulate', () => {
    expect(computeStatistic('SampleCount', { values: [], counts: [] })).toBeUndefined();
    expect(() => computeStatistic('TC(10%:90%)', d)).toThrow(UnsupportedStatistic);
    expect(() => computeStatistic('IQM', d)).toThrow(UnsupportedStatistic);
  });
});
