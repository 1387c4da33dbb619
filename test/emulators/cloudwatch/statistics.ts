/**
 * CloudWatch statistics over a distribution (values with counts, as PutMetricData `Values` and
 * `Counts` or EMF publish them), following "CloudWatch statistics definitions":
 * SampleCount, Sum, Average, Minimum, Maximum, pNN, TC(x:y), PR(x:y), with absolute bounds.
 * Trimmed count and percentile rank exclude the lower bound and include the upper one, so
 * TC(:250) counts values ≤ 250, as Prometheus' `le="250"` bucket does.
 */

export interface Distribution {
  values: number[];
  counts: number[];
}

export class UnsupportedStatistic extends Error {}

const RANGE = /^(TC|PR)\(([^:()]*):([^:()]*)\)$/i;

export function computeStatistic(stat: string, d: Distribution): number | undefined {
  const total = d.counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  switch (stat) {
    case 'SampleCount':
      return total;
    case 'Sum':
      return weightedSum(d);
    case 'Average':
      return weightedSum(d) / total;
    case 'Minimum':
      return Math.min(...d.values.filter((_, i) => d.counts[i] > 0));
    case 'Maximum':
      return Math.max(...d.values.filter((_, i) => d.counts[i] > 0));
  }
  const percentile = /^p(\d{1,2}(\.\d{1,10})?|100)$/i.exec(stat);
  if (percentile) return nearestRank(d, Number(percentile[1]), total);
  const range = RANGE.exec(stat);
  if (range) {
    const [lower, upper] = [bound(range[2], stat), bound(range[3], stat)];
    let inside = 0;
    d.values.forEach((v, i) => {
      if ((lower === undefined || v > lower) && (upper === undefined || v <= upper)) inside += d.counts[i];
    });
    return range[1].toUpperCase() === 'TC' ? inside : (inside / total) * 100;
  }
  throw new UnsupportedStatistic(`the statistic ${stat} is not emulated`);
}

function bound(text: string, stat: string): number | undefined {
  if (text.trim() === '') return undefined;
  if (text.includes('%')) throw new UnsupportedStatistic(`percentage bounds (${stat}) are not emulated; use absolute values`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UnsupportedStatistic(`${stat} has a bound that is not a number`);
  return value;
}

function weightedSum(d: Distribution): number {
  return d.values.reduce((sum, v, i) => sum + v * d.counts[i], 0);
}

/** The smallest value with at least q % of the samples at or under it. */
function nearestRank(d: Distribution, q: number, total: number): number {
  const order = d.values.map((v, i) => [v, d.counts[i]] as const).sort((a, b) => a[0] - b[0]);
  const rank = Math.max(1, Math.ceil((q / 100) * total));
  let seen = 0;
  for (const [v, c] of order) {
    seen += c;
    if (seen >= rank) return v;
  }
  return order[order.length - 1][0];
}

/** Merges several distributions (the data points of one period) into one. */
export function mergeDistributions(parts: Distribution[]): Distribution {
  const byValue = new Map<number, number>();
  for (const p of parts) p.values.forEach((v, i) => byValue.set(v, (byValue.get(v) ?? 0) + p.counts[i]));
  return { values: [...byValue.keys()], counts: [...byValue.values()] };
}
