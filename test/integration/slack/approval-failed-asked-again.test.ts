/**
 * An approved fix that failed (here App Mesh refusing the write for a permission fixed since) is
 * not barred for good: once one approval TTL has passed since the failure, the next run that still
 * finds the finding asks again in a new message that says why the last attempt failed; before
 * then nothing is posted. Real servers as in approvals.test.ts: DynamoDbLedger on dynalite, the
 * App Mesh and Slack emulators, the real handler and worker.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { aliceChange, nightlyAudit } from './support/fleet';
import { approvalOf, blockOf, headerOf, messageOf } from './support/lookups';
import { CAROL, CHANNEL, paymentsPolicy } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;

const ACK: APIGatewayProxyStructuredResultV2 = { statusCode: 200, body: '' };
const DAY_MS = 24 * 3_600_000;
const updates = () => world.appmesh.calls().UpdateVirtualNode;
/** Messages about this fix, whatever they show now (a decided request is redrawn in place). */
const workerMessages = () => world.slack.messages(CHANNEL).filter((m) => (headerOf(m) ?? '').endsWith(': enforce client mTLS on payments-worker (prod-mesh)'));

describe('an approved fix that failed', () => {
  test('is asked again one approval TTL after the failure, once, in a new message that says why; the new request decides as any other', async () => {
    world = await startTestWorld({
      policy: paymentsPolicy((p) => {
        for (const rule of ['mtls-not-strict', 'mtls-client-not-enforced', 'mtls-conflict'] as const) p.rules[rule].remediation = 'approval';
      }),
    });
    await world.govern(aliceChange(world.now()));
    const workerFix = await approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');

    // Carol approves; App Mesh refuses the write (the role lacked a permission, granted since).
    world.appmesh.failNext('UpdateVirtualNode', 'ForbiddenException', 1, 'User is not authorized to perform appmesh:UpdateVirtualNode');
    expect(await world.click({ approvalId: workerFix.id, user: CAROL, messageTs: workerFix.slack!.ts })).toEqual(ACK);
    expect(await world.drain()).toEqual([expect.objectContaining({ status: 'finished', state: 'FAILED' })]);
    const failed = (await world.ledger.getApproval(workerFix.id))!;
    expect(failed).toMatchObject({ state: 'FAILED', outcome: expect.stringContaining('not authorized') });
    // The world's clock runs on from where the test put it.
    expect(Date.parse(failed.failedAt!)).toBeLessThanOrEqual(world.now().getTime());
    expect(Date.parse(failed.failedAt!)).toBeGreaterThan(world.now().getTime() - 60_000);
    expect(headerOf(messageOf(world, failed))).toBe(':x: Not applied: enforce client mTLS on payments-worker (prod-mesh)');
    expect(workerMessages()).toHaveLength(1);

    // Runs within a TTL of the failure leave it alone.
    world.advance(DAY_MS - 60_000);
    expect((await world.govern(nightlyAudit(world.now()))).approvalsRequested).not.toContain(workerFix.id);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'FAILED', version: failed.version });
    expect(workerMessages()).toHaveLength(1);

    // A TTL after the failure: asked again, once.
    world.advance(60_000);
    expect((await world.govern(nightlyAudit(world.now()))).approvalsRequested).toContain(workerFix.id);
    expect((await world.govern(nightlyAudit(world.now()))).approvalsRequested).not.toContain(workerFix.id);
    const renewed = (await world.ledger.getApproval(workerFix.id))!;
    expect(renewed).toMatchObject({ state: 'PENDING', failedRequests: 1, previousFailure: failed.outcome, causedBy: workerFix.causedBy });
    expect(renewed.failedAt).toBeUndefined();
    expect(renewed.decidedBy).toBeUndefined();
    expect(renewed.slack!.ts).not.toBe(workerFix.slack!.ts);
    expect(workerMessages()).toHaveLength(1 + 1);
    const askedAgain = messageOf(world, renewed);
    expect(askedAgain.blocks!.some((b) => b.type === 'actions')).toBe(true);
    expect(blockOf(askedAgain, 'meshgov_finding').text.text).toMatch(/\n\*The last approved attempt failed:\* .*not authorized to perform appmesh:UpdateVirtualNode.*\. Asked again\./);
    expect(blockOf(askedAgain, 'meshgov_meta').elements[0].text).toContain('asked again: an earlier approved attempt failed');
    // The old message keeps its outcome.
    expect(headerOf(messageOf(world, failed))).toBe(':x: Not applied: enforce client mTLS on payments-worker (prod-mesh)');
    expect(renewed.askedAgainAfter).toBe('failure');

    // A client that still shows the old buttons (its redraw lost) is refused and pointed at the new message.
    expect(await world.click({ approvalId: workerFix.id, user: CAROL, messageTs: workerFix.slack!.ts })).toEqual(ACK);
    expect(world.slack.ephemerals(CHANNEL)).toEqual([
      expect.objectContaining({ user: CAROL.id, text: expect.stringMatching(/^:hourglass: This request `rmd-[0-9a-f]{12}` was approved, and its fix failed; it was asked again at .* in a newer message: decide there\. Nothing was changed\.$/) }),
    ]);
    expect(world.queue.size).toBe(0);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'PENDING', version: renewed.version });

    // The permission is there now: approved again, it is applied.
    expect(await world.click({ approvalId: renewed.id, user: CAROL, messageTs: renewed.slack!.ts })).toEqual(ACK);
    expect(await world.drain()).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED' })]);
    expect(headerOf(messageOf(world, renewed))).toBe(':white_check_mark: Applied: enforce client mTLS on payments-worker (prod-mesh)');
    expect(updates()).toBeGreaterThanOrEqual(1);
  });
});
