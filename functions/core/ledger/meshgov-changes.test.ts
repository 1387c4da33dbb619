import { MemoryLedger } from './memory-ledger';
import { meshgovChangesSince, wroteToMesh } from './meshgov-changes';
import type { ChangeRecord } from './types';

const NOW = new Date('2026-11-20T15:30:00Z');

function change(id: string, over: Partial<ChangeRecord>): ChangeRecord {
  return {
    id,
    findingId: `f-${id}`,
    provider: 'istio',
    action: 'istio.peerauthentication.set-strict',
    target: { namespace: id, name: 'default' },
    before: {},
    after: {},
    reason: 'auto',
    trigger: { source: 'cloud-scheduler', eventId: 's1', eventTime: NOW.toISOString(), summary: 'scheduled audit' },
    at: new Date(NOW.getTime() - 10 * 60_000).toISOString(),
    outcome: 'verified',
    expiresAt: 1_900_000_000,
    ...over,
  };
}

describe('wroteToMesh', () => {
  it.each([
    ['a verified write', { outcome: 'verified', wrote: true }, true],
    ['a write that landed but whose re-read failed', { outcome: 'failed', wrote: true }, true],
    ['a write put back after its check failed', { outcome: 'rolled-back', wrote: true }, true],
    ['a failure before anything was sent', { outcome: 'failed', wrote: false }, false],
    ['a fix already in place, nothing written', { outcome: 'verified', wrote: false }, false],
    ['an abort', { outcome: 'aborted', wrote: false }, false],
    // Results and records that do not say: only an abort is known to have written nothing.
    ['an abort that does not say', { outcome: 'aborted' }, false],
    ['a failure that does not say', { outcome: 'failed' }, true],
    ['a rollback that does not say', { outcome: 'rolled-back' }, true],
    ['a verified change that does not say', { outcome: 'verified' }, true],
  ] as Array<[string, Pick<ChangeRecord, 'outcome' | 'wrote'>, boolean]>)('%s: %p', (_what, result, counts) => {
    expect(wroteToMesh(result)).toBe(counts);
  });
});

describe('meshgovChangesSince', () => {
  it("counts meshgov's changes of the last hour that wrote, whatever their outcome, and not a person's", async () => {
    const ledger = new MemoryLedger(() => NOW);
    await ledger.recordChange(change('verified', { outcome: 'verified', wrote: true }));
    await ledger.recordChange(change('landed-then-failed', { outcome: 'failed', wrote: true, detail: 'patched, but the re-read failed: GET …: 503 ServiceUnavailable' }));
    await ledger.recordChange(change('rolled-back', { outcome: 'rolled-back', wrote: true }));
    await ledger.recordChange(change('approved', { findingId: undefined, approvalId: 'rmd-1', outcome: 'failed', wrote: true }));
    await ledger.recordChange(change('unread', { outcome: 'failed', wrote: false, detail: 'cannot read the object: GET …: 503' }));
    await ledger.recordChange(change('aborted', { outcome: 'aborted' }));
    await ledger.recordChange(change('older-record', { outcome: 'failed' }));
    await ledger.recordChange(change('person', { findingId: undefined, outcome: 'applied' }));
    await ledger.recordChange(change('two-hours-ago', { outcome: 'verified', wrote: true, at: new Date(NOW.getTime() - 2 * 3_600_000).toISOString() }));
    expect(await meshgovChangesSince(ledger, new Date(NOW.getTime() - 3_600_000))).toBe(5);
  });
});
