/**
 * The ledger's bookkeeping of expiry redraws Slack did not take: counting failures with
 * conditional writes (dynalite has no transactions), giving up with a reason through the mark-shown
 * write, and a request asked again starting afresh. The same expectations for MemoryLedger (the
 * reference) and DynamoDbLedger on dynalite.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { Ledger } from '../../../functions/core/ledger/types';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { APPROVAL_ID, APPROVAL_MESSAGE, approvalRecord, NOW } from './fixtures';

let server: DynaliteServer;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  server = await startDynalite();
  client = dynaliteClient(server.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

const subjects: Array<[string, (clock: () => Date) => Promise<Ledger>]> = [
  ['MemoryLedger', async (clock) => new MemoryLedger(clock)],
  [
    'DynamoDbLedger on dynalite',
    async (clock) => {
      const table = `meshgov-redraw-bookkeeping-${++tables}`;
      await createLedgerTable(client, table);
      return new DynamoDbLedger(client, table, { clock });
    },
  ],
];

const SWEPT_AT = '2026-11-21T16:00:00.000Z';
const LATER = '2026-11-21T17:00:00.000Z';
const WHY = 'Slack refuses to redraw the message for good (channel_not_found); its buttons may remain, and a click on them is refused as expired';

describe.each(subjects)('expiry redraw bookkeeping: %s', (_name, create) => {
  let ledger: Ledger;
  const overdue = async () => (await ledger.listOverdueApprovals('2026-11-22T00:00:00.000Z')).map((a) => a.id);

  /** Asked, posted, and expired by the sweep: version 2, still owed its redraw. */
  async function expired() {
    await ledger.createApproval(approvalRecord());
    await ledger.setApprovalSlack(APPROVAL_ID, APPROVAL_MESSAGE);
    return (await ledger.transitionApproval(APPROVAL_ID, ['PENDING'], 'EXPIRED', { outcome: 'expired at 2026-11-21T15:01:30.000Z before anyone decided; nothing was changed' }))!;
  }

  beforeEach(async () => {
    ledger = await create(() => NOW);
  });

  it('counts each failure at the version tried, keeps the first time and the last error, and leaves the approval listed', async () => {
    const approval = await expired();
    expect(await ledger.recordExpiryRedrawFailure(APPROVAL_ID, approval.version, { at: SWEPT_AT, error: 'An HTTP protocol error occurred: statusCode = 503' })).toMatchObject({
      state: 'EXPIRED',
      version: approval.version,
      expiryRedrawFailures: 1,
      expiryRedrawFirstFailedAt: SWEPT_AT,
      expiryRedrawError: 'An HTTP protocol error occurred: statusCode = 503',
    });
    expect(await ledger.recordExpiryRedrawFailure(APPROVAL_ID, approval.version, { at: LATER, error: 'A request error occurred: connect ECONNREFUSED 127.0.0.1:443' })).toMatchObject({
      expiryRedrawFailures: 2,
      expiryRedrawFirstFailedAt: SWEPT_AT,
      expiryRedrawError: 'A request error occurred: connect ECONNREFUSED 127.0.0.1:443',
    });
    expect(await overdue()).toEqual([APPROVAL_ID]);
    expect(await ledger.recordExpiryRedrawFailure(APPROVAL_ID, approval.version - 1, { at: LATER, error: 'stale' })).toBeUndefined();
    expect(await ledger.getApproval(APPROVAL_ID)).toMatchObject({ expiryRedrawFailures: 2, expiryRedrawError: expect.stringContaining('ECONNREFUSED') });
  });

  it('counts concurrent failures of two runs as two', async () => {
    const approval = await expired();
    await Promise.all([1, 2].map(() => ledger.recordExpiryRedrawFailure(APPROVAL_ID, approval.version, { at: SWEPT_AT, error: 'An HTTP protocol error occurred: statusCode = 500' })));
    expect(await ledger.getApproval(APPROVAL_ID)).toMatchObject({ expiryRedrawFailures: 2 });
  });

  it('counts nothing on an approval that is not EXPIRED, or that the sweep is done with', async () => {
    const pending = (await ledger.createApproval(approvalRecord()))!;
    expect(await ledger.recordExpiryRedrawFailure(APPROVAL_ID, pending.version, { at: SWEPT_AT, error: 'ratelimited' })).toBeUndefined();
    const approval = await expired();
    expect(await ledger.markExpiryShown(APPROVAL_ID, approval.version)).toBe(true);
    expect(await ledger.recordExpiryRedrawFailure(APPROVAL_ID, approval.version, { at: SWEPT_AT, error: 'ratelimited' })).toBeUndefined();
    expect((await ledger.getApproval(APPROVAL_ID))!.expiryRedrawFailures).toBeUndefined();
  });

  it('gives up through the mark-shown write: records why, takes it off the deadline index, only at the version tried', async () => {
    const approval = await expired();
    await ledger.recordExpiryRedrawFailure(APPROVAL_ID, approval.version, { at: SWEPT_AT, error: 'channel_not_found' });
    expect(await ledger.markExpiryShown(APPROVAL_ID, approval.version + 1, WHY)).toBe(false);
    expect(await overdue()).toEqual([APPROVAL_ID]);
    expect(await ledger.markExpiryShown(APPROVAL_ID, approval.version, WHY)).toBe(true);
    expect(await ledger.getApproval(APPROVAL_ID)).toMatchObject({ state: 'EXPIRED', version: approval.version, expiryShown: true, expiryNotShown: WHY, expiryRedrawFailures: 1, expiryRedrawError: 'channel_not_found', slack: APPROVAL_MESSAGE });
    expect(await overdue()).toEqual([]);
  });

  it('a request asked again starts afresh: the redraw bookkeeping of the expiry before is removed when the transition clears it', async () => {
    const approval = await expired();
    await ledger.recordExpiryRedrawFailure(APPROVAL_ID, approval.version, { at: SWEPT_AT, error: 'is_archived' });
    await ledger.markExpiryShown(APPROVAL_ID, approval.version, WHY);
    const renewed = await ledger.transitionApproval(APPROVAL_ID, ['EXPIRED'], 'PENDING', {
      requestedAt: '2026-11-22T06:00:00.000Z',
      approvalExpiresAt: '2026-11-23T06:00:00.000Z',
      expiredRequests: 1,
      slack: undefined,
      expiryShown: undefined,
      outcome: undefined,
      // As govern's askAgain sends them: what belonged to the request that ran out.
      expiryRedrawFailures: undefined,
      expiryRedrawFirstFailedAt: undefined,
      expiryRedrawError: undefined,
      expiryNotShown: undefined,
    });
    for (const record of [renewed, await ledger.getApproval(APPROVAL_ID)]) {
      expect(record).toMatchObject({ state: 'PENDING', expiredRequests: 1, version: approval.version + 1 });
      for (const field of ['expiryShown', 'expiryNotShown', 'expiryRedrawFailures', 'expiryRedrawFirstFailedAt', 'expiryRedrawError'] as const) expect(record![field]).toBeUndefined();
    }
    expect(await ledger.listOverdueApprovals('2026-11-23T06:00:00.000Z')).toEqual([expect.objectContaining({ id: APPROVAL_ID, state: 'PENDING' })]);
  });
});
