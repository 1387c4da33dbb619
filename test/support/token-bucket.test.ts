import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then refills at rps tokens per second', () => {
    let nowMs = 1_764_000_000_000;
    const bucket = new TokenBucket({ rps: 40, burst: 5, now: () => nowMs });

    const burst = Array.from({ length: 7 }, () => bucket.tryTake());
    expect(burst).toEqual([true, true, true, true, true, false, false]);

    nowMs += 24; // 0.96 of a token at 40 rps: still empty
    expect(bucket.tryTake()).toBe(false);
    nowMs += 1; // 25 ms in total since the bucket ran dry: one token
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('never holds more than burst tokens after a quiet period', () => {
    let nowMs = 0;
    const bucket = new TokenBucket({ rps: 10, burst: 3, now: () => nowMs });
    nowMs += 60_000;
    expect(bucket.available()).toBe(3);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
  });

  it('rejects a bucket that could never hand out a token', () => {
    expect(() => new TokenBucket({ rps: 0, burst: 5 })).toThrow(RangeError);
    expect(() => new TokenBucket({ rps: 5, burst: 0 })).toThrow(RangeError);
  });
});
