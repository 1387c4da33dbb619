/**
 * The expiry sweep: every governance run moves approval requests whose time ran out to EXPIRED
 * and redraws their Slack messages without buttons, so a request nobody answered does not keep
 * Approve and Reject until someone clicks. Real servers behind every port (world.ts): the
 * ledger on dynalite, Slack on the Slack emulator, App Mesh on the App Mesh emulator.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApprovalRecord } from '../../../functions/core/ledger/types';
import { aliceChange, nightlyAudit } from './support/fleet';
import { approvalOf, blockOf, findingIdOf, headerOf, messageOf } from './support/lookups';
import type { StoredMessage } from '../../emulators/slack';
import { CAROL, CHANNEL, DAVE, paymentsPolicy } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;

const ACK: APIGatewayProxyStructuredResultV2 = { statusCode: 200, body: '' };
const DAY_MS = 24 * 3_600_000;
const hasButtons = (w: World, approval: ApprovalRecord) => messageOf(w, approval).blocks!.some((b) => b.type === 'actions');
const updates = (w: World) => w.appmesh.calls().UpdateVirtualNode;

/** A world where alice's change has been audited and meshgov has asked for each of the four fixes. */
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

describe('expiry of approval requests nobody decided', () => {
  test('the first run after the deadline expires every request and redraws its message without buttons; the next asks again', async () => {
    const { requested, workerFix } = await asked();
    expect(hasButtons(world, workerFix)).toBe(true);

    // An hour before the deadline nothing moves.
    world.advance(DAY_MS - 3_600_000);
    expect((await world.govern(nightlyAudit(world.now()))).approvalsExpired).toEqual([]);
    expect(hasButtons(world, workerFix)).toBe(true);

    world.advance(3_600_000);
    const run = await world.govern(nightlyAudit(world.now()));
    expect([...run.approvalsExpired].sort()).toEqual([...requested].sort());
    expect(run.notificationFailures).toBe(0);
    for (const id of requested) {
      const approval = (await world.ledger.getApproval(id))!;
      expect(approval).toMatchObject({ state: 'EXPIRED', expiryShown: true, outcome: `expired at ${approval.approvalExpiresAt} before anyone decided; nothing was changed` });
      expect(hasButtons(world, approval)).toBe(false);
    }
    const message = messageOf(world, workerFix);
    expect(headerOf(message)).toBe(':hourglass: Expired: enforce client mTLS on payments-worker (prod-mesh)');
    expect(blockOf(message, 'meshgov_outcome').text.text).toBe(`*Result:* expired at ${workerFix.approvalExpiresAt} before anyone decided; nothing was changed`);

    // The next run leaves the expired messages as they are and asks again, in new messages.
    const updatesAfterSweep = world.slack.calls('chat.update');
    const posts = world.slack.calls('chat.postMessage');
    const askedFrom = world.now().getTime();
    const later = await world.govern(nightlyAudit(world.now()));
    expect(later.approvalsExpired).toEqual([]);
    expect([...later.approvalsRequested].sort()).toEqual([...requested].sort());
    expect(world.slack.calls('chat.update')).toBe(updatesAfterSweep);
    expect(world.slack.calls('chat.postMessage')).toBe(posts + 3);
    expect(headerOf(message)).toBe(':hourglass: Expired: enforce client mTLS on payments-worker (prod-mesh)');
    const renewed = (await world.ledger.getApproval(workerFix.id))!;
    expect(renewed).toMatchObject({ state: 'PENDING', expiredRequests: 1, causedBy: workerFix.causedBy });
    expect(Date.parse(renewed.requestedAt)).toBeGreaterThanOrEqual(askedFrom);
    expect(renewed.outcome).toBeUndefined();
    expect(renewed.slack!.ts).not.toBe(workerFix.slack!.ts);
    expect(Date.parse(renewed.approvalExpiresAt)).toBe(Date.parse(renewed.requestedAt) + DAY_MS);
    const askedAgain = messageOf(world, renewed);
    expect(headerOf(askedAgain)).toBe('Approval needed: enforce client mTLS on payments-worker (prod-mesh)');
    expect(hasButtons(world, renewed)).toBe(true);
    expect(blockOf(askedAgain, 'meshgov_meta').elements[0].text).toContain('asked again: an earlier request expired undecided');

    // Nothing more while the new request is open.
    expect(await world.govern(nightlyAudit(world.now()))).toMatchObject({ approvalsExpired: [], approvalsRequested: [] });
    expect(world.slack.calls('chat.postMessage')).toBe(posts + 3);

    // The new request decides as any other.
    expect(await world.click({ approvalId: renewed.id, user: CAROL, messageTs: renewed.slack!.ts })).toEqual(ACK);
    expect(await world.drain()).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED' })]);
    expect(updates(world)).toBe(1);
    expect(headerOf(messageOf(world, renewed))).toBe(':white_check_mark: Applied: enforce client mTLS on payments-worker (prod-mesh)');
  });

  test('a click on the old message of a request asked again is refused and pointed at the new message; the new one decides', async () => {
    const { workerFix } = await asked();
    world.advance(DAY_MS + 1_000);
    await world.govern(nightlyAudit(world.now()));
    await world.govern(nightlyAudit(world.now()));
    const renewed = (await world.ledger.getApproval(workerFix.id))!;
    expect(renewed).toMatchObject({ state: 'PENDING', expiredRequests: 1 });
    expect(renewed.slack!.ts).not.toBe(workerFix.slack!.ts);

    // A client that still shows the old buttons (the same approval id) sends the old message's ts.
    expect(await world.click({ approvalId: workerFix.id, user: CAROL, messageTs: workerFix.slack!.ts })).toEqual(ACK);
    expect(world.slack.ephemerals(CHANNEL)).toEqual([
      expect.objectContaining({ user: CAROL.id, text: expect.stringMatching(/^:hourglass: This request `rmd-[0-9a-f]{12}` expired before anyone decided; it was asked again at .* in a newer message: decide there\. Nothing was changed\.$/) }),
    ]);
    expect(world.queue.size).toBe(0);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'PENDING', version: renewed.version });

    expect(await world.click({ approvalId: workerFix.id, user: CAROL, messageTs: renewed.slack!.ts })).toEqual(ACK);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'APPROVED', decidedBy: CAROL.id });
  });

  test('a rejected request is not asked again when its time would have run out', async () => {
    const { workerFix } = await asked();
    expect(await world.click({ verb: 'reject', approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    await world.drain();
    world.advance(2 * DAY_MS);
    const posts = world.slack.calls('chat.postMessage');
    const run = await world.govern(nightlyAudit(world.now()));
    expect(run.approvalsExpired).not.toContain(workerFix.id);
    expect(run.approvalsRequested).not.toContain(workerFix.id);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'REJECTED' });
    expect(world.slack.messages(CHANNEL).slice(posts).some((m) => (headerOf(m) ?? '').includes('payments-worker'))).toBe(false);
  });

  test('a click after the sweep is told the request expired, and nothing runs', async () => {
    const { workerFix } = await asked();
    world.advance(DAY_MS + 1_000);
    await world.govern(nightlyAudit(world.now()));
    expect(await world.click({ approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    expect(world.slack.ephemerals(CHANNEL)).toEqual([expect.objectContaining({ user: CAROL.id, text: expect.stringMatching(/^:hourglass: Request `rmd-[0-9a-f]{12}` expired at /) })]);
    expect(world.queue.size).toBe(0);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'EXPIRED', version: 2 });
  });

  test('an approved fix whose run never came (its hand-off was lost) expires as "before it could run", and a late delivery changes nothing', async () => {
    const { workerFix } = await asked();
    expect(await world.click({ approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    world.queue.receive(); // the message is lost on its way to the worker
    world.advance(DAY_MS + 1_000);
    const run = await world.govern(nightlyAudit(world.now()));
    expect(run.approvalsExpired).toContain(workerFix.id);
    const expired = (await world.ledger.getApproval(workerFix.id))!;
    expect(expired).toMatchObject({ state: 'EXPIRED', decidedBy: CAROL.id, outcome: `expired at ${workerFix.approvalExpiresAt} before it could run; nothing was changed` });
    const message = messageOf(world, workerFix);
    expect(headerOf(message)).toBe(':hourglass: Expired: enforce client mTLS on payments-worker (prod-mesh)');
    expect(blockOf(message, 'meshgov_outcome').text.text).toContain(`*Approved by* <@${CAROL.id}>`);

    await world.queue.send({ approvalId: workerFix.id });
    expect(await world.drain()).toEqual([{ status: 'shown', approvalId: workerFix.id, state: 'EXPIRED' }]);
    expect(updates(world)).toBe(0);
  });

  test('when Slack refuses the redraw, the request is EXPIRED at once and its message is redrawn by a later run', async () => {
    const { requested, workerFix } = await asked();
    world.advance(DAY_MS + 1_000);
    // Slack is down for the whole run: the reminders fail as well, and stay owed like the redraws.
    await world.slack.goDown();
    const run = await world.govern(nightlyAudit(world.now()));
    await world.slack.comeUp();
    expect(run.approvalsExpired).toHaveLength(3);
    expect(run.notificationFailures).toBeGreaterThanOrEqual(4);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'EXPIRED' });
    expect((await world.ledger.getApproval(workerFix.id))!.expiryShown).toBeUndefined();
    expect(hasButtons(world, workerFix)).toBe(true);
    // A click in between is refused as expired (the ledger decides, not the stale message).
    expect(await world.click({ approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    expect(world.queue.size).toBe(0);

    const next = await world.govern(nightlyAudit(world.now()));
    expect(next).toMatchObject({ approvalsExpired: [], notificationFailures: 0 });
    for (const id of requested) {
      const approval = (await world.ledger.getApproval(id))!;
      expect(approval).toMatchObject({ state: 'EXPIRED', expiryShown: true });
      expect(hasButtons(world, approval)).toBe(false);
    }
  });

  test("an automatic change's Undo button goes when the Undo runs out", async () => {
    const { undo, announcement } = await autoFixed();
    world.advance(DAY_MS + 1_000);
    const later = await world.govern(nightlyAudit(world.now()));
    expect(later.approvalsExpired).toContain(undo.id);
    expectUndoGone(announcement());
    expect(await world.ledger.getApproval(undo.id)).toMatchObject({ state: 'EXPIRED', expiryShown: true });
  });

  test('a late Undo click is refused as expired, and the worker redraws the announcement the same way', async () => {
    const { undo, announcement } = await autoFixed();
    world.advance(DAY_MS + 1_000);
    expect(await world.click({ verb: 'undo', approvalId: undo.id, user: DAVE })).toEqual(ACK);
    expect(world.slack.ephemerals(CHANNEL)).toEqual([expect.objectContaining({ user: DAVE.id, text: expect.stringMatching(/^:hourglass: Request `undo-chg-\d+` expired at /) })]);
    expect(await world.drain()).toEqual([{ status: 'shown', approvalId: undo.id, state: 'EXPIRED' }]);
    expectUndoGone(announcement());
  });
});

/** A world where meshgov fixed payments-worker's client policy by itself and announced it with an Undo button. */
async function autoFixed() {
  world = await startTestWorld();
  const run = await world.govern(aliceChange(world.now()), { autoFix: true });
  const findingId = await findingIdOf(world, 'mtls-client-not-enforced', 'payments-worker');
  const change = run.changes.find((c) => c.findingId === findingId)!;
  const undo = (await world.ledger.getApproval(`undo-${change.id}`))!;
  const announcement = () => world.slack.messages(CHANNEL).find((m) => m.ts === undo.slack!.ts)!;
  expect(blockOf(announcement(), 'meshgov_undo')).toBeDefined();
  fixesMade = updates(world);
  return { undo, announcement };
}

/** App Mesh writes of the automatic fixes: an expired Undo adds none. */
let fixesMade = 0;

function expectUndoGone(message: StoredMessage): void {
  // Still the announcement of what meshgov changed; only the button gives way.
  expect(headerOf(message)).toBe(':wrench: Fixed automatically: enforce client mTLS on payments-worker (prod-mesh)');
  expect(blockOf(message, 'meshgov_finding').text.text).toContain('*Result:* wrote VirtualNode prod-mesh/payments-worker (version 4 → 5) and read it back');
  expect(blockOf(message, 'meshgov_undo')).toBeUndefined();
  expect(message.blocks!.some((b) => b.type === 'actions')).toBe(false);
  expect(blockOf(message, 'meshgov_outcome').elements[0].text).toMatch(/^:hourglass: Undo no longer available: it expired at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  expect(updates(world)).toBe(fixesMade);
}
