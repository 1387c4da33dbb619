import { SlackTimestampClock } from './slackTimestampClock';

describe('SlackTimestampClock', () => {
  test('hands out strictly increasing ts values in Slack’s format while the clock stands still', () => {
    const clock = new SlackTimestampClock(() => 1_795_186_890_123);

    expect([clock.next(), clock.next(), clock.next()]).toEqual([
      '1795186890.000100',
      '1795186890.000200',
      '1795186890.000300',
    ]);
  });

  test('starts a new fraction when the second advances', () => {
    let now = 1_795_186_890_000;
    const clock = new SlackTimestampClock(() => now);
    clock.next();
    now += 1_500;

    expect(clock.next()).toBe('1795186891.000100');
  });

  test('never goes backwards, even when the clock does', () => {
    let now = 1_795_186_890_000;
    const clock = new SlackTimestampClock(() => now);
    const first = clock.next();
    now -= 60_000;

    expect(clock.next()).toBe('1795186890.000200');
    expect(first).toBe('1795186890.000100');
  });

  test('carries into the next second when the fraction is exhausted', () => {
    const clock = new SlackTimestampClock(() => 1_795_186_890_000);
    let last = '';
    for (let i = 0; i < 10_000; i += 1) last = clock.next();

    expect(last).toBe('1795186891.000100');
  });
});
