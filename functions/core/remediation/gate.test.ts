import type { Remediation } from '../findings';
import type { RemediationSafety } from '../policy/types';
import { activeFreezeWindow, gateExecution } from './gate';

const auto: Remediation = { action: 'appmesh.listener.set-strict', mode: 'auto', reason: 'preconditions hold', change: {} };
const safety = (over: Partial<RemediationSafety> = {}): RemediationSafety => ({
  dryRun: false,
  maxChangesPerRun: 2,
  maxChangesPerHour: 3,
  approvalTtlHours: 24,
  reminderHours: 24,
  freezeWindows: [],
  ...over,
});
const state = { now: new Date('2026-11-25T10:00:00Z'), changesThisRun: 0, changesLastHour: 0, approved: false };

describe('gateExecution', () => {
  it('acts on an auto remediation within limits', () => expect(gateExecution(auto, safety(), state).act).toBe(true));
  it('never acts in dry-run', () => expect(gateExecution(auto, safety({ dryRun: true }), state)).toMatchObject({ act: false, reason: expect.stringMatching(/dry-run/) }));
  it('waits for an approval', () => expect(gateExecution({ ...auto, mode: 'approval' }, safety(), state)).toMatchObject({ act: false, retryable: true }));
  it('acts on an approved change', () => expect(gateExecution({ ...auto, mode: 'approval' }, safety(), { ...state, approved: true }).act).toBe(true));
  it('never acts on a manual one', () => expect(gateExecution({ ...auto, mode: 'manual' }, safety(), { ...state, approved: true }).act).toBe(false));
  it('stops at the per-run blast radius', () => expect(gateExecution(auto, safety(), { ...state, changesThisRun: 2 })).toMatchObject({ act: false, reason: expect.stringMatching(/per run/) }));
  it('stops at the hourly blast radius', () => expect(gateExecution(auto, safety(), { ...state, changesLastHour: 3 })).toMatchObject({ act: false, reason: expect.stringMatching(/last hour/) }));
  it('stops in a freeze window', () =>
    expect(gateExecution(auto, safety({ freezeWindows: [{ name: 'release', start: '2026-11-25T00:00:00Z', end: '2026-11-26T00:00:00Z' }] }), state)).toMatchObject({
      act: false,
      reason: expect.stringMatching(/release/),
    }));
});

describe('activeFreezeWindow', () => {
  const weekends = [{ name: 'weekends', days: ['sat', 'sun'] as Array<'sat' | 'sun'> }];
  const nights = [{ name: 'nights', days: ['mon', 'tue', 'wed', 'thu', 'fri'] as Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri'>, fromHour: 0, toHour: 6 }];
  it.each([
    [weekends, '2026-11-28T12:00:00Z', 'weekends'],
    [weekends, '2026-11-27T23:59:59Z', undefined],
    [nights, '2026-11-26T05:59:00Z', 'nights'],
    [nights, '2026-11-26T06:00:00Z', undefined],
  ])('%j at %s → %s', (windows, at, name) => expect(activeFreezeWindow(windows, new Date(at))?.name).toBe(name));

  // `end: 2027-01-04` on a calendar includes the 4th; a date-time end is exact.
  const holidays = [{ name: 'holiday freeze', start: '2026-12-20', end: '2027-01-04' }];
  const exact = [{ name: 'holiday freeze', start: '2026-12-20T00:00:00Z', end: '2027-01-04T00:00:00Z' }];
  it.each([
    [holidays, '2026-12-19T23:59:59Z', undefined],
    [holidays, '2026-12-20T00:00:00Z', 'holiday freeze'],
    [holidays, '2027-01-04T18:00:00Z', 'holiday freeze'],
    [holidays, '2027-01-05T00:00:00Z', undefined],
    [exact, '2027-01-04T00:00:00Z', undefined],
  ])('a one-off window %j at %s → %s', (windows, at, name) => expect(activeFreezeWindow(windows, new Date(at))?.name).toBe(name));
});
