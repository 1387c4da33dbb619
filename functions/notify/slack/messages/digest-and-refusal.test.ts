import { CAROL, findingRecord, istioFinding, paymentsApiFinding } from '../../../../test/integration/ledger/fixtures';
import type { FindingRecord } from '../../../core/ledger/types';
import { digestMessage, DIGEST_MAX_LINES } from './digest-message';
import { refusalText } from './refusal-message';

const schedule = { source: 'schedule' as const, eventId: 'a1b2c3d4-0000-4000-8000-000000000001', eventTime: '2026-11-20T06:00:00Z', summary: 'nightly audit' };

describe('digestMessage', () => {
  test('counts by severity and lists the most severe first', () => {
    const critical = istioFinding('orders', 'orders-api', 'DISABLED');
    critical.severity = 'critical';
    const records = [findingRecord(paymentsApiFinding()), findingRecord(critical)];
    const message = digestMessage(records, schedule);
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: ':clipboard: meshgov: 2 new findings' } });
    expect((message.blocks[1] as any).elements[0].text).toBe('1 critical · 1 high · nightly audit at 2026-11-20 06:00:00 UTC');
    const lines = (message.blocks[2] as any).text.text.split('\n');
    expect(lines[0]).toMatch(/^:red_circle: `mtls-not-strict` on Deployment `orders\/orders-api`, port 8080: /);
    expect(lines[1]).toMatch(/^:large_orange_circle: `mtls-not-strict` on VirtualNode `payments-api` in mesh `prod-mesh`/);
    expect(message.text).toBe('meshgov: 2 new findings (1 critical · 1 high): mtls-not-strict on orders/orders-api, mtls-not-strict on payments-api (prod-mesh)');
  });

  test('a large digest stays within Block Kit limits and counts what it does not list', () => {
    const records: FindingRecord[] = Array.from({ length: 120 }, (_, i) => findingRecord(istioFinding('payments', `svc-${String(i).padStart(3, '0')}`)));
    const message = digestMessage(records, schedule);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const sections = message.blocks.filter((b) => b.type === 'section') as any[];
    for (const s of sections) expect(s.text.text.length).toBeLessThanOrEqual(3000);
    const all = sections.map((s) => s.text.text).join('\n').split('\n');
    expect(all).toHaveLength(DIGEST_MAX_LINES + 1);
    expect(all[all.length - 1]).toBe('and 80 more; `meshgov audit` lists them all');
  });
});

describe('refusalText', () => {
  const base = { approvalId: 'rmd-7c1e9a44d2b0', verb: 'approve' as const };
  test.each([
    [{ ...base, reason: 'not-approver' as const, team: 'payments' }, ':lock: Only approvers of team *payments* can decide request `rmd-7c1e9a44d2b0`, and you are not one of them. Nothing was changed.'],
    [{ ...base, reason: 'no-approvers' as const, team: 'payments' }, ":lock: Team *payments* lists no approvers in meshgov's rules (`ownership` in rules/), so nobody can decide request `rmd-7c1e9a44d2b0`. Nothing was changed."],
    [
      { ...base, reason: 'self-approval' as const, causedBy: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com' },
      ':lock: You made the change that caused this finding (alice@example.com), so someone else must approve its fix. You may still reject it. Nothing was changed.',
    ],
    [
      { ...base, verb: 'undo' as const, approvalId: 'undo-chg-0001', reason: 'self-approval' as const, causedBy: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com' },
      ":lock: You made the change that caused this finding (alice@example.com), so someone else must decide whether to undo meshgov's fix of it. Nothing was changed.",
    ],
    [{ ...base, reason: 'already-decided' as const, state: 'APPROVED' as const, decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z' }, `:information_source: Request \`rmd-7c1e9a44d2b0\` was already approved by <@${CAROL}> at 2026-11-20 15:04:12 UTC. Your click changed nothing.`],
    [{ ...base, verb: 'undo' as const, approvalId: 'undo-chg-0001', reason: 'already-decided' as const, state: 'SUCCEEDED' as const, decidedBy: CAROL }, `:information_source: Request \`undo-chg-0001\` was already approved and applied by <@${CAROL}>. Your click changed nothing.`],
    [{ ...base, reason: 'expired' as const, approvalExpiresAt: '2026-11-21T15:01:30.000Z' }, ':hourglass: Request `rmd-7c1e9a44d2b0` expired at 2026-11-21 15:01:30 UTC, before anyone decided. Nothing was changed.'],
    [
      { ...base, reason: 'expired' as const, state: 'EXPIRED' as const, approvalExpiresAt: '2026-11-21T15:01:30.000Z', decidedBy: CAROL, decidedAt: '2026-11-21T15:00:02.000Z' },
      `:hourglass: Request \`rmd-7c1e9a44d2b0\` was approved by <@${CAROL}> but expired at 2026-11-21 15:01:30 UTC, before it could run. Nothing was changed.`,
    ],
    [
      { ...base, reason: 'superseded' as const, state: 'PENDING' as const, requestedAt: '2026-11-22T15:05:00.000Z' },
      ':hourglass: This request `rmd-7c1e9a44d2b0` expired before anyone decided; it was asked again at 2026-11-22 15:05:00 UTC in a newer message: decide there. Nothing was changed.',
    ],
    [
      { ...base, reason: 'superseded' as const, state: 'PENDING' as const, requestedAt: '2026-11-23T09:00:00.000Z', askedAgainAfter: 'failure' as const },
      ':hourglass: This request `rmd-7c1e9a44d2b0` was approved, and its fix failed; it was asked again at 2026-11-23 09:00:00 UTC in a newer message: decide there. Nothing was changed.',
    ],
    [{ ...base, reason: 'directory-unavailable' as const, error: 'An HTTP protocol error occurred: statusCode = 503' }, ':warning: meshgov could not check the approvers with Slack just now (An HTTP protocol error occurred: statusCode = 503). Nothing was changed; try again in a minute.'],
    [{ ...base, reason: 'hand-off-failed' as const, state: 'APPROVED' as const, error: 'SQS SendMessage: ServiceUnavailable' }, ':warning: Your Approve of request `rmd-7c1e9a44d2b0` is on record, but meshgov could not pass it on to be applied just now (SQS SendMessage: ServiceUnavailable). Nothing was changed yet: click Approve again to retry.'],
    [{ ...base, verb: 'undo' as const, approvalId: 'undo-chg-0001', reason: 'hand-off-failed' as const }, ':warning: Your Undo of request `undo-chg-0001` is on record, but meshgov could not pass it on to be applied just now. Nothing was changed yet: click Undo again to retry.'],
  ])('%o', (refusal, text) => {
    expect(refusalText(refusal)).toBe(text);
  });
});
