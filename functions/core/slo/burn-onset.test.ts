import { estimateBurnOnset, type BurnWindow } from './burn-onset';

const NOW = new Date('2026-11-20T15:11:00Z');
const page = (burnLong: number, burnShort: number): BurnWindow => ({ long: '1h', short: '5m', burnLong, burnShort, factor: 14.4 });
const slowPage = (burnLong: number, burnShort: number): BurnWindow => ({ long: '6h', short: '30m', burnLong, burnShort, factor: 6 });
const ticket = (burnLong: number, burnShort: number): BurnWindow => ({ long: '3d', short: '6h', burnLong, burnShort, factor: 1 });

test('a step 26 minutes before the alarm: the 1h burn is 26/60 of the 5m burn', () => {
  // 40× since 14:45, nothing before: the 1h window holds 26 burning minutes of 60.
  const onset = estimateBurnOnset([page(40 * (26 / 60), 40), slowPage(40 * (26 / 360), 40), ticket(0.3, 3)], NOW)!;
  expect(onset.at.toISOString()).toBe('2026-11-20T14:45:00.000Z');
  expect(onset.latest.toISOString()).toBe('2026-11-20T14:50:00.000Z');
  expect(onset.basis).toBe('1h burn 17× ÷ 5m burn 40× = 43 % of 1h');
});

test('the pair with the longest firing window decides', () => {
  // Both page pairs fire; the 6h pair sees further back: 2 h of 6 h burning.
  const onset = estimateBurnOnset([page(20, 20), slowPage(10, 30)], NOW)!;
  expect(onset.at.toISOString()).toBe('2026-11-20T13:11:00.000Z');
  expect(onset.latest.toISOString()).toBe('2026-11-20T13:41:00.000Z');
});

test('a burn as high over the long window as over the short one began a long window ago or earlier', () => {
  const onset = estimateBurnOnset([page(30, 25)], NOW)!;
  expect(onset.at.toISOString()).toBe('2026-11-20T14:11:00.000Z');
  expect(onset.basis).toBe('burning as fast over 1h as over 5m: it began 1h ago or earlier');
});

test('no firing pair, no estimate', () => {
  expect(estimateBurnOnset([page(20, 3), ticket(0.5, 2)], NOW)).toBeUndefined();
  expect(estimateBurnOnset([], NOW)).toBeUndefined();
});

test('the slack of one short window never reaches past now', () => {
  // A burn that began within the last short window.
  const onset = estimateBurnOnset([page(15, 15 * 12)], NOW)!;
  expect(onset.at.toISOString()).toBe('2026-11-20T15:06:00.000Z');
  expect(onset.latest.toISOString()).toBe(NOW.toISOString());
});
