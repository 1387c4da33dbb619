import { percentileForBurn, trimmedCountStat } from './appmesh-metrics';

describe('percentiles that stand for a burn', () => {
  it('p(100 − budget × factor): 99.9% at 14.4× is p98.56, at 1× p99.9', () => {
    expect(percentileForBurn(99.9, 14.4)).toBe(98.56);
    expect(percentileForBurn(99.9, 1)).toBe(99.9);
  });

  it('a burn that needs every request slow is p0, still a CloudWatch statistic', () => {
    expect(percentileForBurn(90, 10)).toBe(0);
  });

  it('refuses a burn that needs more than every request slow, instead of asking CloudWatch for p-44', () => {
    expect(() => percentileForBurn(90, 14.4)).toThrow('a burn of 14.4× with objective 90% needs p-44, which CloudWatch cannot compute; use a factor of at most 10');
  });

  it('counts requests at or under the threshold with a trimmed count', () => {
    expect(trimmedCountStat(250)).toBe('TC(:250)');
  });
});
