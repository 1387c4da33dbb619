/**
 * Governance runs while Slack stays unreachable for a day after the requests ran out: each run
 * tries the redraws again until the bound, then gives them up and says so in its result, and the
 * next run, with Slack back, asks again in new messages instead of retrying the old ones for ever.
 * Real servers behind every port (world.ts).
 */
import type { ApprovalRecord } from '../../../functions/core/ledger/types';
import { aliceChange, nightlyAudit } from './support/fleet';
import { approvalOf, messageOf } from './support/lookups';
import { paymentsPolicy } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;

const HOUR_MS = 3_600_000;
const hasButtons = (approval: ApprovalRecord) => messageOf(world, approval).blocks!.some((b) => b.type === 'actions');

test('redraws that fail on every run for a day are given up, reported by the run, and the fixes are asked again once Slack is back', async () => {
  world = await startTestWorld({
    policy: paymentsPolicy((p) => {
      for (const rule of ['mtls-not-strict', 'mtls-client-not-enforced', 'mtls-conflict'] as const) p.rules[rule].remediation = 'approval';
    }),
  });
  const requested = (await world.govern(aliceChange(world.now()))).approvalsRequested;
  expect(requested).toHaveLength(3);
  const workerFix = await approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');
  world.advance(24 * HOUR_MS + 1_000);

  await world.slack.goDown();
  const runs = [];
  for (let run = 1; run <= 5; run++) {
    runs.push(await world.govern(nightlyAudit(world.now())));
    if (run < 5) world.advance(6 * HOUR_MS);
  }
  await world.slack.comeUp();

  expect([...runs[0].approvalsExpired].sort()).toEqual([...requested].sort());
  expect(runs.slice(0, 4).map((r) => r.expiryRedrawsAbandoned)).toEqual([[], [], [], []]);
  expect([...runs[4].expiryRedrawsAbandoned].sort()).toEqual([...requested].sort());
  const given = (await world.ledger.getApproval(workerFix.id))!;
  expect(given).toMatchObject({
    state: 'EXPIRED',
    expiryShown: true,
    expiryRedrawFailures: 5,
    expiryRedrawError: expect.stringContaining('fetch failed'),
    expiryNotShown: expect.stringMatching(/^Slack did not take the redraw 5 times since /),
  });
  expect(world.logs.filter((l) => l.message === 'expired approval message given up: Slack will not show its expiry').map((l) => l.fields?.approvalId).sort()).toEqual([...requested].sort());
  expect(hasButtons(workerFix)).toBe(true);

  // Slack is back: nothing redraws the old messages any more; each fix is asked again in a new one.
  const next = await world.govern(nightlyAudit(world.now()));
  expect(next.expiryRedrawsAbandoned).toEqual([]);
  expect([...next.approvalsRequested].sort()).toEqual([...requested].sort());
  expect(messageOf(world, workerFix).history).toHaveLength(1);
  const renewed = (await world.ledger.getApproval(workerFix.id))!;
  expect(renewed).toMatchObject({ state: 'PENDING', expiredRequests: 1 });
  expect(renewed.slack!.ts).not.toBe(workerFix.slack!.ts);
  for (const field of ['expiryNotShown', 'expiryRedrawFailures', 'expiryRedrawFirstFailedAt', 'expiryRedrawError'] as const) expect(renewed[field]).toBeUndefined();
  expect(hasButtons(renewed)).toBe(true);
});
