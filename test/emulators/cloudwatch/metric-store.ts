import { computeStatistic, mergeDistributions, type Distribution } from './statistics';

export interface MetricIdentity {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

/** One published data point: a distribution at a time (epoch ms), like PutMetricData with Values and Counts. */
export interface SeedPoint extends Distribution {
  timestamp: number | Date;
}

export interface MetricSeed extends MetricIdentity {
  points: SeedPoint[];
}

interface StoredPoint extends Distribution {
  timestamp: number;
}

/** A metric is its namespace, name and exact set of dimensions (CloudWatch never aggregates across dimensions). */
export function metricKey(m: MetricIdentity): string {
  const dims = Object.entries(m.dimensions).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([m.namespace, m.metricName, dims]);
}

export class MetricStore {
  private readonly metrics = new Map<string, StoredPoint[]>();

  seed(seed: MetricSeed): void {
    const key = metricKey(seed);
    const points = this.metrics.get(key) ?? [];
    for (const p of seed.points) {
      if (p.values.length !== p.counts.length) throw new RangeError('values and counts must have the same length');
      points.push({ timestamp: p.timestamp instanceof Date ? p.timestamp.getTime() : p.timestamp, values: [...p.values], counts: [...p.counts] });
    }
    points.sort((a, b) => a.timestamp - b.timestamp);
    this.metrics.set(key, points);
  }

  clear(): void {
    this.metrics.clear();
  }

  /**
   * The statistic per period over [start, end) (epoch ms), periods counted from `start` as
   * GetMetricData aligns them; periods without data points are left out.
   */
  query(metric: MetricIdentity, stat: string, start: number, end: number, periodMs: number): Array<{ timestamp: number; value: number }> {
    const points = this.metrics.get(metricKey(metric)) ?? [];
    const out: Array<{ timestamp: number; value: number }> = [];
    let index = lowerBound(points, start);
    for (let from = start; from < end; from += periodMs) {
      const to = Math.min(from + periodMs, end);
      const inPeriod: Distribution[] = [];
      while (index < points.length && points[index].timestamp < to) inPeriod.push(points[index++]);
      if (inPeriod.length === 0) continue;
      const value = computeStatistic(stat, mergeDistributions(inPeriod));
      if (value !== undefined) out.push({ timestamp: from, value });
    }
    return out;
  }
}

function lowerBound(points: StoredPoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].timestamp < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
