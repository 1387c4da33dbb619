import { setTimeout as sleep } from 'node:timers/promises';
import { RequestRateLimiter } from './rate-limiter';

describe('RequestRateLimiter', () => {
  it('paces callers at the rate after the burst, granting in call order', async () => {
    const limiter = new RequestRateLimiter({ requestsPerSecond: 100, burst: 2 });
    const started = Date.now();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => limiter.take().then(() => order.push(i))));
    const elapsed = Date.now() - started;
    // 2 at once, then 10 more at 100/s: at least 100 ms (a timer may fire a little early: 95).
    expect(elapsed).toBeGreaterThanOrEqual(95);
    // An upper bound loose enough for a loaded CI machine: it only catches a limiter that stalls.
    expect(elapsed).toBeLessThan(2000);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('grants at once while tokens remain, and holds the caller once they are gone', async () => {
    let now = 0;
    const limiter = new RequestRateLimiter({ requestsPerSecond: 20, burst: 3, now: () => now });
    const granted = (take: Promise<void>, withinMs = 20) => Promise.race([take.then(() => true), sleep(withinMs).then(() => false)]);
    expect(await granted(limiter.take())).toBe(true);
    expect(await granted(limiter.take())).toBe(true);
    expect(await granted(limiter.take())).toBe(true);
    const fourth = limiter.take();
    expect(await granted(fourth, 80)).toBe(false); // the clock stands still: no token comes
    now = 50; // one token refilled on the injected clock
    expect(await granted(fourth, 200)).toBe(true);
  });

  it('refuses a rate or burst that cannot work', () => {
    expect(() => new RequestRateLimiter({ requestsPerSecond: 0 })).toThrow(RangeError);
    expect(() => new RequestRateLimiter({ requestsPerSecond: 40, burst: 0.5 })).toThrow(RangeError);
  });
});
