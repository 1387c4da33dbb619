/**
 * The expiry sweep against what can happen around it: another run's sweep that listed the same
 * approvals earlier (or a deadline index that lags a write), a request asked again in between, a
 * Slack message a person deleted. Real servers behind every port (world.ts).
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expireOverdueApprovals } from '../../../functions/core/approvals/expire-overdue';
import type { ApprovalRecord, Ledger } from '../../../functions/core/ledger/types';
import { aliceChange, nightlyAudit } from './support/fleet';
import { approvalOf, messageOf } from './support/lookups';
import { CAROL, paymentsPolicy } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;

const DAY_MS = 24 * 3_600_000;
const hasButtons = (w: World, approval: ApprovalRecord) => messageOf(w, approval).blocks!.some((b) => b.type === 'actions');

async function asked() {
  world = await startTestWorld({
    policy: paymentsPolicy((p) => {
      for (const rule of ['mtls-not-strict', 'mtls-client-not-enforced', 'mtls-conflict'] as const) p.rules[rule].remediation = 'approval';
    }),
  });
  const run = await world.govern(aliceChange(world.now()));
  expect(run.approvalsRequested).toHaveLength(3);
  return { requested: run.approvalsRequested, workerFix: await approvalOf(world, 'mtls-client-not-enforced', 'payments-worker') };
}

/** The world's ledger, except that listing overdue approvals answers what was listed earlier: a lagging index, or a run that listed before the others acted. */
function listingFrom(ledger: Ledger, listed: ApprovalRecord[]): Ledger {
  return Object.assign(Object.create(ledger) as Ledger, { listOverdueApprovals: async () => structuredClone(listed) });
}

describe('the expiry sweep against concurrent runs and stale listings', () => {
  test('a sweep whose listing predates a renewal leaves the new request alone', async () => {
    const { workerFix } = await asked();
    world.advance(DAY_MS + 1_000);
    const stale = await world.ledger.listOverdueApprovals(world.now().toISOString());
    expect(stale.map((a) => a.state)).toEqual(['PENDING', 'PENDING', 'PENDING']);

    // Meanwhile other runs expire the requests and ask again.
    await world.govern(nightlyAudit(world.now()));
    expect((await world.govern(nightlyAudit(world.now()))).approvalsRequested).toHaveLength(3);
    const renewed = (await world.ledger.getApproval(workerFix.id))!;
    expect(renewed).toMatchObject({ state: 'PENDING', expiredRequests: 1 });

    const late = await expireOverdueApprovals({ ledger: listingFrom(world.ledger, stale), notifier: world.notifier, clock: world.now });
    expect(late.expired).toEqual([]);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'PENDING', version: renewed.version, slack: renewed.slack });
    expect(hasButtons(world, renewed)).toBe(true);
  });

  test('a request whose message a person deleted is not owed a redraw forever, and is asked again', async () => {
    const { workerFix } = await asked();
    // As if deleted: chat.update of that ts answers message_not_found, the real error.
    await world.ledger.setApprovalSlack(workerFix.id, { channel: workerFix.slack!.channel, ts: '1000000000.000100' });
    world.advance(DAY_MS + 1_000);
    const run = await world.govern(nightlyAudit(world.now()));
    expect(run.notificationFailures).toBe(0);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'EXPIRED', expiryShown: true });
    const updates = world.slack.calls('chat.update');
    const next = await world.govern(nightlyAudit(world.now()));
    expect(next.approvalsRequested).toContain(workerFix.id);
    expect(world.slack.calls('chat.update')).toBe(updates);
  });

  test('a request stored before the deadline index is expired by the first run that meets its finding, and asked again by the next', async () => {
    const { workerFix } = await asked();
    await asStoredByEarlierVersion(world, workerFix.id);
    expect((await world.ledger.listOverdueApprovals(new Date(world.now().getTime() + 2 * DAY_MS).toISOString())).map((a) => a.id)).not.toContain(workerFix.id);
    world.advance(DAY_MS + 1_000);

    const run = await world.govern(nightlyAudit(world.now()));
    expect(run.approvalsExpired).toContain(workerFix.id);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'EXPIRED', expiryShown: true });
    expect(hasButtons(world, workerFix)).toBe(false);
    const next = await world.govern(nightlyAudit(world.now()));
    expect(next.approvalsRequested).toContain(workerFix.id);
    expect(hasButtons(world, (await world.ledger.getApproval(workerFix.id))!)).toBe(true);
  });

  test('a request of an earlier version that a late click expired is redrawn and asked again', async () => {
    const { workerFix } = await asked();
    await asStoredByEarlierVersion(world, workerFix.id);
    world.advance(DAY_MS + 1_000);
    await world.click({ approvalId: workerFix.id, user: CAROL });
    await world.drain();
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'EXPIRED' });

    await world.govern(nightlyAudit(world.now()));
    const next = await world.govern(nightlyAudit(world.now()));
    expect(next.approvalsRequested).toContain(workerFix.id);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'PENDING', expiredRequests: 1 });
  });
});

/** Takes the deadline index keys off an approval's item: as the version before the expiry sweep stored it. */
async function asStoredByEarlierVersion(w: World, id: string): Promise<void> {
  const ledger = w.ledger as unknown as { doc: DynamoDBDocumentClient; tableName: string };
  await ledger.doc.send(new UpdateCommand({ TableName: ledger.tableName, Key: { pk: `APPROVAL#${id}`, sk: 'APPROVAL' }, UpdateExpression: 'REMOVE gsi2pk, gsi2sk' }));
}
