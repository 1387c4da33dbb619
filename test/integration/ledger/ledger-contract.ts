/**
 * The Ledger contract: one set of expectations that every implementation must meet, run
 * against MemoryLedger (the reference) and DynamoDbLedger (against dynalite).
 */
import type { ApprovalState, FindingRecord, Ledger } from '../../../functions/core/ledger/types';
import { observeFinding } from '../../../functions/core/pipeline/observe-findings';
import {
  APPROVAL_ID,
  APPROVAL_MESSAGE,
  approvalRecord,
  CAROL,
  changeRecord,
  cloudTrailTrigger,
  crdFinding,
  DAVE,
  EXPIRED,
  findingRecord,
  istioFinding,
  NOW,
  paymentsApiFinding,
} from './fixtures';

export interface LedgerUnderTest {
  /** A fresh, empty ledger whose notion of "now" is `clock` (NOW unless a test moves it). */
  create(clock: () => Date): Promise<Ledger>;
  /** Whether reads skip items whose expiresAt has passed. */
  skipsExpiredItems: boolean;
}

const ids = (records: Array<{ id: string }>) => records.map((r) => r.id).sort();

export function describeLedgerContract(name: string, subject: LedgerUnderTest): void {
  describe(`Ledger contract: ${name}`, () => {
    let ledger: Ledger;
    let now = NOW;
    beforeEach(async () => {
      now = NOW;
      ledger = await subject.create(() => now);
    });

    describe('findings', () => {
      it('creates a finding once; a second create of the same id returns undefined and changes nothing', async () => {
        const first = findingRecord(paymentsApiFinding());
        expect(await ledger.createFinding(first)).toEqual(first);
        const second = findingRecord(paymentsApiFinding(), { firstSeen: '2026-11-20T15:01:21.000Z', lastSeen: '2026-11-20T15:01:21.000Z' });
        expect(await ledger.createFinding(second)).toBeUndefined();
        expect(await ledger.getFinding(first.id)).toEqual(first);
      });

      it('lets exactly one of several concurrent creates win', async () => {
        const attempts = await Promise.all([1, 2, 3, 4].map((n) => ledger.createFinding(findingRecord(paymentsApiFinding(), { lastSeen: `2026-11-20T15:01:2${n}.000Z` }))));
        const winners = attempts.filter((r): r is FindingRecord => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(await ledger.getFinding(winners[0].id)).toEqual(winners[0]);
      });

      it('returns undefined for a finding it never saw', async () => {
        expect(await ledger.getFinding(paymentsApiFinding().id)).toBeUndefined();
      });

      it('updates only from the stored version: a stale version returns undefined and leaves the record as it was', async () => {
        const created = (await ledger.createFinding(findingRecord(paymentsApiFinding())))!;
        const seenAgain: FindingRecord = { ...created, lastSeen: '2026-11-20T15:31:20.000Z', version: 2 };
        expect(await ledger.updateFinding(seenAgain)).toEqual(seenAgain);
        // A run that read version 1 and still believes it current.
        const stale: FindingRecord = { ...created, status: 'resolved', resolvedAt: '2026-11-20T15:32:00.000Z', version: 2 };
        expect(await ledger.updateFinding(stale)).toBeUndefined();
        expect(await ledger.getFinding(created.id)).toEqual(seenAgain);
      });

      it('does not update a finding that does not exist', async () => {
        expect(await ledger.updateFinding(findingRecord(paymentsApiFinding(), { version: 2 }))).toBeUndefined();
        expect(await ledger.getFinding(paymentsApiFinding().id)).toBeUndefined();
      });

      it('lets exactly one of two concurrent updates from the same version win', async () => {
        const created = (await ledger.createFinding(findingRecord(paymentsApiFinding())))!;
        const escalate: FindingRecord = { ...created, finding: { ...created.finding, severity: 'critical' }, version: 2 };
        const resolve: FindingRecord = { ...created, status: 'resolved', resolvedAt: '2026-11-20T15:05:00.000Z', version: 2 };
        const results = await Promise.all([ledger.updateFinding(escalate), ledger.updateFinding(resolve)]);
        const won = results.filter((r) => r !== undefined);
        expect(won).toHaveLength(1);
        expect(await ledger.getFinding(created.id)).toEqual(won[0]);
      });

      it('records one observation when two runs observe the same new finding at once', async () => {
        const trigger = cloudTrailTrigger();
        const observations = await Promise.all([observeFinding(ledger, paymentsApiFinding(), trigger, NOW, 24), observeFinding(ledger, paymentsApiFinding(), trigger, NOW, 24)]);
        expect(observations.filter((o) => o?.notify === 'new')).toHaveLength(1);
        expect(await ledger.getFinding(paymentsApiFinding().id)).toMatchObject({ status: 'open', version: 1, notificationPending: true, trigger });
      });

      it('keeps a finding through resolve and reopen, with the fields the pipeline clears removed', async () => {
        const finding = paymentsApiFinding();
        await observeFinding(ledger, finding, cloudTrailTrigger(), NOW, 24);
        const open = (await ledger.getFinding(finding.id))!;
        const resolved = (await ledger.updateFinding({ ...open, status: 'resolved', resolvedAt: '2026-11-20T15:04:20.000Z', version: 2 }))!;
        expect((await ledger.listOpenFindings()).map((r) => r.id)).toEqual([]);
        // observeFinding reopens with `resolvedAt: undefined`: the stored record must simply lack it.
        const reopened = await observeFinding(ledger, finding, cloudTrailTrigger(), new Date('2026-11-20T16:00:00Z'), 24);
        expect(reopened?.notify).toBe('new');
        const stored = (await ledger.getFinding(finding.id))!;
        expect(stored).toMatchObject({ status: 'open', version: resolved.version + 1, lastSeen: '2026-11-20T16:00:00.000Z' });
        expect(stored).not.toHaveProperty('resolvedAt', expect.anything());
        expect(ids(await ledger.listOpenFindings())).toEqual([finding.id]);
      });
    });

    describe('listOpenFindings', () => {
      const appmeshApi = paymentsApiFinding();
      const appmeshCrd = crdFinding();
      const istioPayments = istioFinding('payments', 'payments-api');
      const istioOrders = istioFinding('orders', 'orders-api', 'DISABLED');
      const istioResolved = istioFinding('payments', 'ledger');
      const istioSuppressed = istioFinding('payments', 'fraud-scorer');

      beforeEach(async () => {
        for (const f of [appmeshApi, appmeshCrd, istioPayments, istioOrders]) await ledger.createFinding(findingRecord(f));
        await ledger.createFinding(findingRecord(istioResolved, { status: 'resolved', resolvedAt: '2026-11-20T14:00:00.000Z', notificationPending: false }));
        await ledger.createFinding(findingRecord(istioSuppressed, { status: 'suppressed', notificationPending: false }));
      });

      it('lists every open finding and nothing resolved or suppressed', async () => {
        const open = await ledger.listOpenFindings();
        expect(ids(open)).toEqual(ids([appmeshApi, appmeshCrd, istioPayments, istioOrders]));
        expect(open.find((r) => r.id === appmeshApi.id)).toEqual(findingRecord(appmeshApi));
      });

      it.each([
        ['provider istio', { provider: 'istio' }, () => [istioPayments, istioOrders]],
        ['provider appmesh', { provider: 'appmesh' }, () => [appmeshApi, appmeshCrd]],
        ['a provider with no findings', { provider: 'x509' }, () => []],
        ['namespace payments', { namespace: 'payments' }, () => [istioPayments]],
        ['namespace orders, across providers', { namespace: 'orders' }, () => [istioOrders, appmeshCrd]],
        ['mesh prod-mesh', { mesh: 'prod-mesh' }, () => [appmeshApi, appmeshCrd]],
        ['mesh prod (a prefix of prod-mesh, not a match)', { mesh: 'prod' }, () => []],
        ['mesh and namespace', { mesh: 'prod-mesh', namespace: 'orders' }, () => [appmeshCrd]],
        ['provider, mesh and namespace with no match', { provider: 'istio', mesh: 'prod-mesh', namespace: 'orders' }, () => []],
        ['provider and namespace', { provider: 'appmesh', namespace: 'orders' }, () => [appmeshCrd]],
        ['empty values as no filter', { provider: '', mesh: '', namespace: '' }, () => [appmeshApi, appmeshCrd, istioPayments, istioOrders]],
      ])('filters by %s', async (_label, filter, expected) => {
        expect(ids(await ledger.listOpenFindings(filter))).toEqual(ids(expected()));
      });

      it('stops listing a finding once it is resolved', async () => {
        const current = (await ledger.getFinding(istioPayments.id))!;
        await ledger.updateFinding({ ...current, status: 'resolved', resolvedAt: '2026-11-20T15:10:00.000Z', version: current.version + 1 });
        expect(ids(await ledger.listOpenFindings({ namespace: 'payments' }))).toEqual([]);
      });
    });

    describe('listPendingNotifications', () => {
      it('lists the findings whose notification is owed, until they are marked notified', async () => {
        const delivered = findingRecord(paymentsApiFinding(), { notificationPending: false, lastNotifiedAt: '2026-11-20T15:01:25.000Z', notifiedSeverity: 'high', slack: APPROVAL_MESSAGE });
        const owed = findingRecord(istioFinding('payments', 'payments-api'));
        // A resolved finding whose Slack message still has to be updated.
        const owedResolution = findingRecord(istioFinding('orders', 'orders-api'), { status: 'resolved', resolvedAt: '2026-11-20T15:01:40.000Z', slack: { channel: 'C07PLATSEC9', ts: '1795186801.000100' } });
        for (const r of [delivered, owed, owedResolution]) await ledger.createFinding(r);
        expect(ids(await ledger.listPendingNotifications())).toEqual(ids([owed, owedResolution]));

        await ledger.updateFinding({ ...owed, notificationPending: false, lastNotifiedAt: '2026-11-20T15:02:00.000Z', notifiedSeverity: 'high', slack: { channel: 'C07PLATSEC9', ts: '1795186920.000300' }, version: 2 });
        const still = await ledger.listPendingNotifications();
        expect(still).toEqual([owedResolution]);
      });
    });

    describe('approvals', () => {
      it('creates an approval once', async () => {
        const record = approvalRecord();
        expect(await ledger.createApproval(record)).toEqual(record);
        expect(await ledger.createApproval(approvalRecord({ requestedAt: '2026-11-20T15:01:31.000Z' }))).toBeUndefined();
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual(record);
        expect(await ledger.getApproval('rmd-000000000000')).toBeUndefined();
      });

      it('approves once when two clicks race', async () => {
        await ledger.createApproval(approvalRecord());
        const [a, b] = await Promise.all([
          ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z' }),
          ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: DAVE, decidedAt: '2026-11-20T15:04:12.000Z' }),
        ]);
        const won = [a, b].filter((r) => r !== undefined);
        expect(won).toHaveLength(1);
        expect(won[0]).toMatchObject({ id: APPROVAL_ID, state: 'APPROVED', version: 2 });
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual(won[0]);
      });

      it('runs once when two executions race from APPROVED', async () => {
        await ledger.createApproval(approvalRecord());
        await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z' });
        const runs = await Promise.all([1, 2, 3].map(() => ledger.transitionApproval(APPROVAL_ID, ['APPROVED'], 'EXECUTING')));
        expect(runs.filter((r) => r !== undefined)).toHaveLength(1);
      });

      it('takes over an EXECUTING approval only at the version read: of racing takeovers one wins, and a stale version loses', async () => {
        await ledger.createApproval(approvalRecord({ state: 'EXECUTING', outcome: 'applying since 2026-11-20T15:04:13.000Z as change chg-01JDQ5K3T8M2' }));
        const read = (await ledger.getApproval(APPROVAL_ID))!;
        const claim = { outcome: 'applying since 2026-11-20T15:20:00.000Z as change chg-01JDQ5K3T8M2' };
        const takeovers = await Promise.all([1, 2, 3].map(() => ledger.transitionApproval(APPROVAL_ID, ['EXECUTING'], 'EXECUTING', claim, { version: read.version })));
        const won = takeovers.filter((r) => r !== undefined);
        expect(won).toEqual([{ ...read, ...claim, version: read.version + 1 }]);
        expect(await ledger.transitionApproval(APPROVAL_ID, ['EXECUTING'], 'SUCCEEDED', { outcome: 'late' }, { version: read.version })).toBeUndefined();
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual(won[0]);
      });

      it('moves PENDING → APPROVED → EXECUTING → SUCCEEDED, keeping earlier fields and counting versions', async () => {
        const created = (await ledger.createApproval(approvalRecord()))!;
        const approved = await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z' });
        expect(approved).toEqual({ ...created, state: 'APPROVED', decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z', version: 2 });
        const executing = await ledger.transitionApproval(APPROVAL_ID, ['APPROVED'], 'EXECUTING');
        expect(executing).toEqual({ ...approved, state: 'EXECUTING', version: 3 });
        const succeeded = await ledger.transitionApproval(APPROVAL_ID, ['EXECUTING'], 'SUCCEEDED', { outcome: 'listener 8080 STRICT at version 4 (chg-01JDQ5K3T8M2)' });
        expect(succeeded).toEqual({ ...executing, state: 'SUCCEEDED', outcome: 'listener 8080 STRICT at version 4 (chg-01JDQ5K3T8M2)', version: 4 });
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual(succeeded);
      });

      it.each<[ApprovalState, ApprovalState]>([
        ['EXECUTING', 'FAILED'],
        ['EXECUTING', 'ROLLED_BACK'],
        ['PENDING', 'REJECTED'],
        ['PENDING', 'EXPIRED'],
        ['APPROVED', 'EXPIRED'],
        ['EXPIRED', 'PENDING'],
        ['FAILED', 'PENDING'],
      ])('allows %s → %s', async (from, to) => {
        await ledger.createApproval(approvalRecord({ state: from }));
        expect(await ledger.transitionApproval(APPROVAL_ID, [from], to)).toMatchObject({ state: to, version: 2 });
      });

      it.each<[ApprovalState, ApprovalState]>([
        ['PENDING', 'EXECUTING'],
        ['PENDING', 'SUCCEEDED'],
        ['APPROVED', 'SUCCEEDED'],
        ['REJECTED', 'APPROVED'],
        ['EXPIRED', 'APPROVED'],
        ['SUCCEEDED', 'ROLLED_BACK'],
        ['FAILED', 'EXECUTING'],
        ['FAILED', 'APPROVED'],
        ['EXECUTING', 'APPROVED'],
        // A rejection stands, and a fix that ran is not asked again.
        ['REJECTED', 'PENDING'],
        ['SUCCEEDED', 'PENDING'],
        ['ROLLED_BACK', 'PENDING'],
      ])('refuses %s → %s, even when the caller names the stored state', async (stored, to) => {
        const created = (await ledger.createApproval(approvalRecord({ state: stored })))!;
        expect(await ledger.transitionApproval(APPROVAL_ID, [stored], to, { decidedBy: CAROL })).toBeUndefined();
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual(created);
      });

      it('returns undefined when the stored state is not in `from` (someone else acted)', async () => {
        await ledger.createApproval(approvalRecord());
        await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'REJECTED', { decidedBy: DAVE, decidedAt: '2026-11-20T15:03:00.000Z' });
        expect(await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL })).toBeUndefined();
        expect(await ledger.getApproval(APPROVAL_ID)).toMatchObject({ state: 'REJECTED', decidedBy: DAVE, version: 2 });
      });

      it('accepts any listed source state: PENDING or APPROVED may expire', async () => {
        await ledger.createApproval(approvalRecord());
        await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL });
        expect(await ledger.transitionApproval(APPROVAL_ID, ['PENDING', 'APPROVED'], 'EXPIRED')).toMatchObject({ state: 'EXPIRED', decidedBy: CAROL, version: 3 });
      });

      it('does not transition an approval that does not exist', async () => {
        expect(await ledger.transitionApproval('rmd-000000000000', ['PENDING'], 'APPROVED')).toBeUndefined();
        expect(await ledger.getApproval('rmd-000000000000')).toBeUndefined();
      });

      it('finds the open approval of a finding while it is PENDING, APPROVED or EXECUTING, and not after', async () => {
        const findingId = paymentsApiFinding().id;
        expect(await ledger.findOpenApproval(findingId)).toBeUndefined();
        await ledger.createApproval(approvalRecord());
        // Another finding's approval is not this finding's.
        await ledger.createApproval(approvalRecord({ id: 'rmd-3b9d0e5f7a21', findingId: istioFinding('payments', 'payments-api').id }));
        expect(await ledger.findOpenApproval(findingId)).toMatchObject({ id: APPROVAL_ID, state: 'PENDING' });
        await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL });
        expect(await ledger.findOpenApproval(findingId)).toMatchObject({ id: APPROVAL_ID, state: 'APPROVED' });
        await ledger.transitionApproval(APPROVAL_ID, ['APPROVED'], 'EXECUTING');
        expect(await ledger.findOpenApproval(findingId)).toMatchObject({ id: APPROVAL_ID, state: 'EXECUTING' });
        await ledger.transitionApproval(APPROVAL_ID, ['EXECUTING'], 'SUCCEEDED');
        expect(await ledger.findOpenApproval(findingId)).toBeUndefined();
        expect(await ledger.findOpenApproval(istioFinding('payments', 'payments-api').id)).toMatchObject({ id: 'rmd-3b9d0e5f7a21' });
      });

      it('finds no open approval once it was rejected', async () => {
        await ledger.createApproval(approvalRecord());
        await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'REJECTED', { decidedBy: CAROL });
        expect(await ledger.findOpenApproval(paymentsApiFinding().id)).toBeUndefined();
      });

      it('remembers the Slack message without changing state or version', async () => {
        const created = (await ledger.createApproval(approvalRecord()))!;
        await ledger.setApprovalSlack(APPROVAL_ID, APPROVAL_MESSAGE);
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual({ ...created, slack: APPROVAL_MESSAGE });
        // And the message survives the decision.
        expect(await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL })).toMatchObject({ slack: APPROVAL_MESSAGE, version: 2 });
      });

      it('names a cause on an approval that has none, then adds others once each, without changing state or version', async () => {
        const created = (await ledger.createApproval(approvalRecord({ causedBy: undefined })))!;
        const alice = 'arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com';
        const bob = 'arn:aws:sts::111122223333:assumed-role/Admin/bob@example.com';
        expect(await ledger.addApprovalCause(APPROVAL_ID, alice)).toEqual({ ...created, causedBy: alice });
        expect(await ledger.addApprovalCause(APPROVAL_ID, alice)).toBeUndefined();
        // Two runs naming bob at once: he is added once.
        const racing = await Promise.all([ledger.addApprovalCause(APPROVAL_ID, bob), ledger.addApprovalCause(APPROVAL_ID, bob)]);
        expect(racing.filter((r) => r !== undefined)).toHaveLength(1);
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual({ ...created, causedBy: alice, alsoCausedBy: [bob] });
        // Kept through a decision.
        expect(await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL })).toMatchObject({ causedBy: alice, alsoCausedBy: [bob], version: 2 });
      });

      it('names no cause on an approval that does not exist', async () => {
        expect(await ledger.addApprovalCause('rmd-000000000000', 'arn:aws:iam::111122223333:user/alice')).toBeUndefined();
        expect(await ledger.getApproval('rmd-000000000000')).toBeUndefined();
      });

      it('ignores a Slack reference for an approval that does not exist', async () => {
        await expect(ledger.setApprovalSlack('rmd-000000000000', APPROVAL_MESSAGE)).resolves.toBeUndefined();
        expect(await ledger.getApproval('rmd-000000000000')).toBeUndefined();
      });
    });

    describe('listOverdueApprovals (the expiry sweep)', () => {
      const DEADLINE = '2026-11-21T15:01:30.000Z';
      const overdueIds = async (dueBy: string) => (await ledger.listOverdueApprovals(dueBy)).map((a) => a.id);

      it('lists PENDING and APPROVED approvals whose deadline is at or before dueBy, earliest deadline first', async () => {
        await ledger.createApproval(approvalRecord());
        await ledger.createApproval(approvalRecord({ id: 'rmd-3b9d0e5f7a21', approvalExpiresAt: '2026-11-21T09:00:00.000Z', state: 'APPROVED', decidedBy: CAROL }));
        await ledger.createApproval(approvalRecord({ id: 'rmd-5d2c8e1a9f30', approvalExpiresAt: '2026-11-22T09:00:00.000Z' }));
        expect(await overdueIds('2026-11-21T09:00:00.000Z')).toEqual(['rmd-3b9d0e5f7a21']);
        expect(await overdueIds('2026-11-21T15:01:29.999Z')).toEqual(['rmd-3b9d0e5f7a21']);
        expect(await overdueIds(DEADLINE)).toEqual(['rmd-3b9d0e5f7a21', APPROVAL_ID]);
        expect(await ledger.listOverdueApprovals('2026-11-23T00:00:00.000Z')).toEqual([
          expect.objectContaining({ id: 'rmd-3b9d0e5f7a21', state: 'APPROVED' }),
          expect.objectContaining({ id: APPROVAL_ID, state: 'PENDING' }),
          expect.objectContaining({ id: 'rmd-5d2c8e1a9f30', state: 'PENDING' }),
        ]);
      });

      it('compares deadlines as times, whatever ISO form they were written in', async () => {
        await ledger.createApproval(approvalRecord({ approvalExpiresAt: '2026-11-21T15:01:30Z' }));
        expect(await overdueIds('2026-11-21T15:01:29.999Z')).toEqual([]);
        expect(await overdueIds(DEADLINE)).toEqual([APPROVAL_ID]);
      });

      it('leaves out approvals that were decided, ran or ended, and keeps an EXPIRED one until its expiry is shown', async () => {
        for (const [id, state] of [['rmd-a00000000001', 'REJECTED'], ['rmd-a00000000002', 'EXECUTING'], ['rmd-a00000000003', 'SUCCEEDED'], ['rmd-a00000000004', 'FAILED']] as const) {
          await ledger.createApproval(approvalRecord({ id, state: 'PENDING' }));
          const path: ApprovalState[] = state === 'REJECTED' ? ['REJECTED'] : state === 'EXECUTING' ? ['APPROVED', 'EXECUTING'] : ['APPROVED', 'EXECUTING', state];
          let from: ApprovalState = 'PENDING';
          for (const to of path) {
            expect(await ledger.transitionApproval(id, [from], to)).toMatchObject({ state: to });
            from = to;
          }
        }
        await ledger.createApproval(approvalRecord());
        await ledger.setApprovalSlack(APPROVAL_ID, APPROVAL_MESSAGE);
        expect(await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'EXPIRED', { outcome: 'expired' })).toMatchObject({ state: 'EXPIRED' });
        expect(await ledger.listOverdueApprovals('2026-11-22T00:00:00.000Z')).toEqual([expect.objectContaining({ id: APPROVAL_ID, state: 'EXPIRED', slack: APPROVAL_MESSAGE })]);

        await ledger.markExpiryShown(APPROVAL_ID);
        expect(await overdueIds('2026-11-22T00:00:00.000Z')).toEqual([]);
        expect(await ledger.getApproval(APPROVAL_ID)).toMatchObject({ state: 'EXPIRED', expiryShown: true, version: 2, slack: APPROVAL_MESSAGE });
      });

      it('asks again: EXPIRED → PENDING with a new deadline makes the approval open and due again', async () => {
        await ledger.createApproval(approvalRecord());
        await ledger.setApprovalSlack(APPROVAL_ID, APPROVAL_MESSAGE);
        await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'EXPIRED', { outcome: 'expired' });
        await ledger.markExpiryShown(APPROVAL_ID);
        expect(await ledger.findOpenApproval(paymentsApiFinding().id)).toBeUndefined();
        const renewed = await ledger.transitionApproval(APPROVAL_ID, ['EXPIRED'], 'PENDING', {
          findingId: paymentsApiFinding().id,
          requestedAt: '2026-11-21T16:00:00.000Z',
          approvalExpiresAt: '2026-11-22T16:00:00.000Z',
          expiredRequests: 1,
          slack: undefined,
          expiryShown: undefined,
          outcome: undefined,
        });
        expect(renewed).toMatchObject({ state: 'PENDING', version: 3, expiredRequests: 1, approvalExpiresAt: '2026-11-22T16:00:00.000Z' });
        expect(renewed!.slack).toBeUndefined();
        expect(renewed!.expiryShown).toBeUndefined();
        expect(await ledger.findOpenApproval(paymentsApiFinding().id)).toMatchObject({ id: APPROVAL_ID, state: 'PENDING' });
        expect(await overdueIds('2026-11-22T15:59:59.999Z')).toEqual([]);
        expect(await overdueIds('2026-11-22T16:00:00.000Z')).toEqual([APPROVAL_ID]);
      });

      it('asks again after a failed fix: FAILED → PENDING, at the version read, makes the approval open and due again, clearing what the failed request had', async () => {
        await ledger.createApproval(approvalRecord());
        await ledger.setApprovalSlack(APPROVAL_ID, APPROVAL_MESSAGE);
        await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z' });
        await ledger.transitionApproval(APPROVAL_ID, ['APPROVED'], 'EXECUTING', { outcome: 'applying since 2026-11-20T15:04:13.000Z as change chg-01JDQ5K3T8M2' });
        const failed = (await ledger.transitionApproval(APPROVAL_ID, ['EXECUTING'], 'FAILED', { outcome: 'failed: AccessDeniedException (change chg-01JDQ5K3T8M2)', failedAt: '2026-11-20T15:04:15.000Z' }))!;
        expect(failed).toMatchObject({ state: 'FAILED', failedAt: '2026-11-20T15:04:15.000Z', version: 4 });
        expect(await ledger.findOpenApproval(paymentsApiFinding().id)).toBeUndefined();
        expect(await overdueIds('2026-11-30T00:00:00.000Z')).toEqual([]);

        const renew = () =>
          ledger.transitionApproval(
            APPROVAL_ID,
            ['FAILED'],
            'PENDING',
            {
              findingId: paymentsApiFinding().id,
              requestedAt: '2026-11-21T16:00:00.000Z',
              approvalExpiresAt: '2026-11-22T16:00:00.000Z',
              failedRequests: 1,
              previousFailure: failed.outcome,
              slack: undefined,
              outcome: undefined,
              decidedBy: undefined,
              decidedAt: undefined,
              failedAt: undefined,
            },
            { version: failed.version },
          );
        // Two runs at once: one asks.
        const renewals = await Promise.all([renew(), renew()]);
        const won = renewals.filter((r) => r !== undefined);
        expect(won).toHaveLength(1);
        expect(won[0]).toMatchObject({ state: 'PENDING', version: 5, failedRequests: 1, previousFailure: 'failed: AccessDeniedException (change chg-01JDQ5K3T8M2)', causedBy: failed.causedBy });
        for (const field of ['slack', 'outcome', 'decidedBy', 'decidedAt', 'failedAt'] as const) expect(won[0]![field]).toBeUndefined();
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual(won[0]);
        expect(await ledger.findOpenApproval(paymentsApiFinding().id)).toMatchObject({ id: APPROVAL_ID, state: 'PENDING' });
        expect(await overdueIds('2026-11-22T15:59:59.999Z')).toEqual([]);
        expect(await overdueIds('2026-11-22T16:00:00.000Z')).toEqual([APPROVAL_ID]);
        // Once asked, the same write again finds a PENDING record, and a stale version never matches.
        expect(await renew()).toBeUndefined();
      });

      it('asks again after a failed fix only at the version read: not right after a newer failure', async () => {
        await ledger.createApproval(approvalRecord({ state: 'EXECUTING' }));
        const first = (await ledger.transitionApproval(APPROVAL_ID, ['EXECUTING'], 'FAILED', { outcome: 'failed once', failedAt: '2026-11-20T15:04:15.000Z' }))!;
        await ledger.transitionApproval(APPROVAL_ID, ['FAILED'], 'PENDING', { failedRequests: 1, outcome: undefined, failedAt: undefined }, { version: first.version });
        await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL });
        await ledger.transitionApproval(APPROVAL_ID, ['APPROVED'], 'EXECUTING');
        const second = (await ledger.transitionApproval(APPROVAL_ID, ['EXECUTING'], 'FAILED', { outcome: 'failed twice', failedAt: '2026-11-21T16:30:00.000Z' }))!;
        expect(await ledger.transitionApproval(APPROVAL_ID, ['FAILED'], 'PENDING', { failedRequests: 1 }, { version: first.version })).toBeUndefined();
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual(second);
      });

      it('marks only an EXPIRED approval as shown', async () => {
        const created = (await ledger.createApproval(approvalRecord()))!;
        await ledger.markExpiryShown(APPROVAL_ID);
        await ledger.markExpiryShown('rmd-000000000000');
        expect(await ledger.getApproval(APPROVAL_ID)).toEqual(created);
        expect(await ledger.getApproval('rmd-000000000000')).toBeUndefined();
        expect(await overdueIds('2026-11-22T00:00:00.000Z')).toEqual([APPROVAL_ID]);
      });

      it('marks an approval shown only at the version given: not one asked again and expired since', async () => {
        await ledger.createApproval(approvalRecord());
        const first = (await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'EXPIRED', { outcome: 'expired' }))!;
        await ledger.markExpiryShown(APPROVAL_ID, first.version);
        await ledger.transitionApproval(APPROVAL_ID, ['EXPIRED'], 'PENDING', { approvalExpiresAt: '2026-11-22T16:00:00.000Z', expiryShown: undefined, outcome: undefined });
        const second = (await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'EXPIRED', { outcome: 'expired again' }))!;
        await ledger.markExpiryShown(APPROVAL_ID, first.version);
        expect((await ledger.getApproval(APPROVAL_ID))!.expiryShown).toBeUndefined();
        expect(await overdueIds('2026-11-23T00:00:00.000Z')).toEqual([APPROVAL_ID]);
        await ledger.markExpiryShown(APPROVAL_ID, second.version);
        expect(await ledger.getApproval(APPROVAL_ID)).toMatchObject({ state: 'EXPIRED', expiryShown: true, version: second.version });
        expect(await overdueIds('2026-11-23T00:00:00.000Z')).toEqual([]);
      });

      it('skips an approval whose record has expired', async () => {
        await ledger.createApproval(approvalRecord({ expiresAt: Math.floor(NOW.getTime() / 1000) - 1 }));
        expect(await overdueIds('2026-11-22T00:00:00.000Z')).toEqual([]);
      });
    });

    describe('changes', () => {
      it('records a change and reads it back whole: before, after, who approved, the trigger, when', async () => {
        const change = changeRecord();
        await ledger.recordChange(change);
        expect(await ledger.getChange(change.id)).toEqual(change);
        expect(await ledger.getChange('chg-unknown')).toBeUndefined();
      });

      it('lists changes at or after a time, newest first, optionally for one service', async () => {
        const earlier = changeRecord({ id: 'chg-01JDQ1A2B3C4', at: '2026-11-20T13:58:02.000Z' });
        const approved = changeRecord();
        const istio = changeRecord({
          id: 'chg-01JDQ6Z9Y8X7',
          provider: 'istio',
          action: 'istio.peerauthentication.set-strict',
          target: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'payments', name: 'default' },
          before: { spec: { mtls: { mode: 'PERMISSIVE' } } },
          after: { spec: { mtls: { mode: 'STRICT' } } },
          approvalId: undefined,
          approvedBy: undefined,
          at: '2026-11-20T15:20:41.000Z',
          service: 'istio:payments/payments-api',
        });
        const unscoped = changeRecord({ id: 'chg-01JDQ7M4N5P6', at: '2026-11-20T15:30:00.000Z', service: undefined });
        for (const c of [istio, earlier, unscoped, approved]) await ledger.recordChange(c);

        expect((await ledger.listChanges('2026-11-20T15:00:00.000Z')).map((c) => c.id)).toEqual([unscoped.id, istio.id, approved.id]);
        // `since` is inclusive.
        expect((await ledger.listChanges(approved.at)).map((c) => c.id)).toEqual([unscoped.id, istio.id, approved.id]);
        expect((await ledger.listChanges('2026-11-20T00:00:00.000Z', { service: 'appmesh:prod-mesh/payments-api' })).map((c) => c.id)).toEqual([approved.id, earlier.id]);
        expect(await ledger.listChanges('2026-11-20T15:05:00.000Z', { service: 'appmesh:prod-mesh/payments-api' })).toEqual([]);
        expect(await ledger.listChanges('2026-11-20T15:20:00.000Z', { service: 'istio:payments/payments-api' })).toEqual([istio]);
      });
    });

    describe('owed change announcements', () => {
      it('lists the changes since a time whose announcement is owed, oldest first, until each is marked announced once', async () => {
        const old = changeRecord({ id: 'chg-01JDQ1A2B3C4', at: '2026-11-20T13:58:02.000Z', announcementPending: true });
        const owed = changeRecord({ id: 'chg-01JDQ5K3T8M2', announcementPending: true });
        const later = changeRecord({ id: 'chg-01JDQ7M4N5P6', at: '2026-11-20T15:30:00.000Z', announcementPending: true });
        const announced = changeRecord({ id: 'chg-01JDQ6Z9Y8X7', at: '2026-11-20T15:20:41.000Z' });
        for (const c of [later, announced, old, owed]) await ledger.recordChange(c);
        expect((await ledger.listPendingAnnouncements('2026-11-20T15:00:00.000Z')).map((c) => c.id)).toEqual([owed.id, later.id]);

        const racing = await Promise.all([ledger.markChangeAnnounced(owed.id), ledger.markChangeAnnounced(owed.id)]);
        expect(racing.filter(Boolean)).toHaveLength(1);
        expect(await ledger.markChangeAnnounced(announced.id)).toBe(false);
        const { announcementPending: _owed, ...rest } = owed;
        expect(await ledger.getChange(owed.id)).toEqual(rest);
        expect((await ledger.listPendingAnnouncements('2026-11-20T15:00:00.000Z')).map((c) => c.id)).toEqual([later.id]);
      });
    });

    describe('changes at the same time', () => {
      it('lists changes that share a time in one order everywhere: by id, descending', async () => {
        // Two App Mesh updates in the same second: CloudTrail eventTime has whole seconds.
        const at = '2026-11-20T15:00:49Z';
        const first = changeRecord({ id: 'chg-cloudtrail-b3f1c2d4', at, findingId: undefined, approvalId: undefined, outcome: 'applied' });
        const second = changeRecord({ id: 'chg-cloudtrail-0a9e7d21', at, findingId: undefined, approvalId: undefined, outcome: 'applied' });
        const third = changeRecord({ id: 'chg-cloudtrail-f4c81e07', at, findingId: undefined, approvalId: undefined, outcome: 'applied' });
        for (const c of [first, second, third]) await ledger.recordChange(c);
        const expected = [third.id, first.id, second.id];
        expect((await ledger.listChanges('2026-11-20T15:00:00.000Z')).map((c) => c.id)).toEqual(expected);
        expect((await ledger.listChanges('2026-11-20T15:00:00.000Z', { service: 'appmesh:prod-mesh/payments-api' })).map((c) => c.id)).toEqual(expected);
      });
    });

    describe('blast-radius slots', () => {
      it('gives each change its own slot until all are held, and none to the next', async () => {
        expect(await ledger.reserveChangeSlot('chg-01JDQ6A1', 2)).toBe(0);
        expect(await ledger.reserveChangeSlot('chg-01JDQ6A2', 2)).toBe(1);
        expect(await ledger.reserveChangeSlot('chg-01JDQ6A3', 2)).toBeUndefined();
        // A retry of a change that holds a slot gets the same one back.
        expect(await ledger.reserveChangeSlot('chg-01JDQ6A2', 2)).toBe(1);
      });

      it('gives a retry the slot it holds even when a lower one is free, so one change never holds two', async () => {
        expect(await ledger.reserveChangeSlot('chg-01JDQ6E1', 2)).toBe(0);
        expect(await ledger.reserveChangeSlot('chg-01JDQ6E2', 2)).toBe(1);
        await ledger.releaseChangeSlot(0, 'chg-01JDQ6E1');
        expect(await ledger.reserveChangeSlot('chg-01JDQ6E2', 2)).toBe(1);
        expect(await ledger.reserveChangeSlot('chg-01JDQ6E3', 2)).toBe(0);
        expect(await ledger.reserveChangeSlot('chg-01JDQ6E4', 2)).toBeUndefined();
      });

      it('lets exactly as many concurrent reservations win as there are slots', async () => {
        const holders = ['chg-01JDQ7B1', 'chg-01JDQ7B2', 'chg-01JDQ7B3', 'chg-01JDQ7B4', 'chg-01JDQ7B5'];
        const slots = await Promise.all(holders.map((h) => ledger.reserveChangeSlot(h, 3)));
        expect(slots.filter((s) => s !== undefined).sort()).toEqual([0, 1, 2]);
      });

      it('gives one change one slot even when two deliveries of it reserve at once (an EXECUTING takeover raced)', async () => {
        const same = await Promise.all([1, 2, 3].map(() => ledger.reserveChangeSlot('chg-01JDQ7T1', 3)));
        expect(new Set(same).size).toBe(1);
        expect(same[0]).toBeDefined();
        // The other two slots are still free for other changes.
        const others = await Promise.all(['chg-01JDQ7T2', 'chg-01JDQ7T3', 'chg-01JDQ7T4'].map((h) => ledger.reserveChangeSlot(h, 3)));
        expect(others.filter((s) => s !== undefined)).toHaveLength(2);
        expect(await ledger.reserveChangeSlot('chg-01JDQ7T1', 3)).toBe(same[0]);
      });

      it("frees a slot when its holder gives it back, and only then; another holder's release changes nothing", async () => {
        expect(await ledger.reserveChangeSlot('chg-01JDQ8C1', 1)).toBe(0);
        await ledger.releaseChangeSlot(0, 'chg-01JDQ8C9');
        expect(await ledger.reserveChangeSlot('chg-01JDQ8C2', 1)).toBeUndefined();
        await ledger.releaseChangeSlot(0, 'chg-01JDQ8C1');
        expect(await ledger.reserveChangeSlot('chg-01JDQ8C2', 1)).toBe(0);
      });

      it('frees a slot an hour after it was taken, by its expiry time (TTL deletion may never come)', async () => {
        expect(await ledger.reserveChangeSlot('chg-01JDQ9D1', 1)).toBe(0);
        now = new Date(NOW.getTime() + 59 * 60_000);
        expect(await ledger.reserveChangeSlot('chg-01JDQ9D2', 1)).toBeUndefined();
        now = new Date(NOW.getTime() + 61 * 60_000);
        expect(await ledger.reserveChangeSlot('chg-01JDQ9D2', 1)).toBe(0);
      });
    });

    describe('expired items (expiresAt in the past)', () => {
      const when = subject.skipsExpiredItems ? it : it.skip;

      when('are left out of open findings and owed notifications, and read as absent', async () => {
        const live = findingRecord(istioFinding('payments', 'payments-api'));
        const expired = findingRecord(paymentsApiFinding(), { expiresAt: EXPIRED });
        await ledger.createFinding(live);
        await ledger.createFinding(expired);
        expect(ids(await ledger.listOpenFindings())).toEqual([live.id]);
        expect(ids(await ledger.listOpenFindings({ provider: 'appmesh', mesh: 'prod-mesh' }))).toEqual([]);
        expect(ids(await ledger.listPendingNotifications())).toEqual([live.id]);
        expect(await ledger.getFinding(expired.id)).toBeUndefined();
      });

      when('count as absent for a create, which then replaces them', async () => {
        await ledger.createFinding(findingRecord(paymentsApiFinding(), { expiresAt: EXPIRED, version: 7 }));
        const fresh = findingRecord(paymentsApiFinding());
        expect(await ledger.createFinding(fresh)).toEqual(fresh);
        expect(await ledger.getFinding(fresh.id)).toEqual(fresh);
      });

      when('cannot be found, decided or run when they are approvals', async () => {
        await ledger.createApproval(approvalRecord({ expiresAt: EXPIRED }));
        expect(await ledger.getApproval(APPROVAL_ID)).toBeUndefined();
        expect(await ledger.findOpenApproval(paymentsApiFinding().id)).toBeUndefined();
        expect(await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'APPROVED', { decidedBy: CAROL })).toBeUndefined();
      });

      when('expire at their expiresAt second exactly, in every implementation', async () => {
        const at = Math.floor(NOW.getTime() / 1000) + 60;
        const record = findingRecord(paymentsApiFinding(), { expiresAt: at });
        await ledger.createFinding(record);
        now = new Date(at * 1000 - 1);
        expect(await ledger.getFinding(record.id)).toEqual(record);
        expect(ids(await ledger.listOpenFindings())).toEqual([record.id]);
        for (const ms of [0, 500]) {
          now = new Date(at * 1000 + ms);
          expect(await ledger.getFinding(record.id)).toBeUndefined();
          expect(await ledger.listOpenFindings()).toEqual([]);
          expect(await ledger.listPendingNotifications()).toEqual([]);
          expect(await ledger.updateFinding({ ...record, version: 2 })).toBeUndefined();
        }
        // A blast-radius slot taken at 15:02:00.400 (expiresAt in whole seconds: 16:02:00) is free at 16:02:00.400, not a second later.
        now = new Date(NOW.getTime() + 400);
        expect(await ledger.reserveChangeSlot('chg-01JDQAF1', 1)).toBe(0);
        now = new Date(NOW.getTime() + 3_600_000 - 1);
        expect(await ledger.reserveChangeSlot('chg-01JDQAF2', 1)).toBeUndefined();
        now = new Date(NOW.getTime() + 3_600_000 + 400);
        expect(await ledger.reserveChangeSlot('chg-01JDQAF2', 1)).toBe(0);
      });

      when('are left out of the changes listed', async () => {
        await ledger.recordChange(changeRecord({ expiresAt: EXPIRED }));
        const live = changeRecord({ id: 'chg-01JDQ7M4N5P6', at: '2026-11-20T15:30:00.000Z' });
        await ledger.recordChange(live);
        expect(await ledger.listChanges('2026-11-20T00:00:00.000Z')).toEqual([live]);
        expect(await ledger.listChanges('2026-11-20T00:00:00.000Z', { service: 'appmesh:prod-mesh/payments-api' })).toEqual([live]);
        expect(await ledger.getChange(changeRecord().id)).toBeUndefined();
      });
    });
  });
}
