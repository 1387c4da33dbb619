/**
 * Approvals when something fails on the way: App Mesh or DynamoDB errors while the worker runs an
 * approved fix, a worker that dies mid-change, an SQS hand-off that fails after the click, and a
 * queue message the worker cannot read. Nothing may be lost: every approval ends in a clear
 * state (or is retried), and no change is made twice. Real servers as in approvals.test.ts:
 * DynamoDbLedger on dynalite, the App Mesh and Slack emulators, the real handler and worker.
 */
import { EXECUTING_TAKEOVER_MS } from '../../../functions/core/approvals/execute-approval';
import type { ApprovalRecord } from '../../../functions/core/ledger/types';
import { runApprovalBatch } from '../../../functions/aws/slack/run-approval-batch';
import { appMeshExecutor } from '../../../functions/providers/appmesh/live';
import { aliceChange, storylineMesh } from './support/fleet';
import { approvalOf, blockOf, headerOf, messageOf } from './support/lookups';
import { CAROL, CHANNEL, DAVE, MALLORY, paymentsPolicy } from './support/storyline';
import { worldPerTest, type World, type WorldOptions } from './support/world';
import { approvedAndQueued, redelivered, throttled } from './support/worker-queue';

const startTestWorld = worldPerTest();
let world: World;

const everyFixApproved = () =>
  paymentsPolicy((p) => {
    for (const rule of ['mtls-not-strict', 'mtls-client-not-enforced', 'mtls-conflict'] as const) p.rules[rule].remediation = 'approval';
  });

/** alice's change audited, meshgov asking to enforce payments-worker's client mTLS. */
async function asked(options: Omit<WorldOptions, 'dynalite'> = {}): Promise<ApprovalRecord> {
  world = await startTestWorld({ policy: everyFixApproved(), ...options });
  await world.govern(aliceChange(world.now()));
  return approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');
}

const updates = () => world.appmesh.calls().UpdateVirtualNode;
const enforce = () => (world.appmesh.state.describe('virtualNode', 'prod-mesh', 'payments-worker') as any).spec.backends[0].virtualService.clientPolicy.tls.enforce;
const stateOf = async (id: string) => (await world.ledger.getApproval(id))?.state;

describe('the approval worker when App Mesh or DynamoDB fails', () => {
  test('App Mesh unavailable during the execution-time re-check: the approval stays APPROVED and the SQS retry applies it once', async () => {
    const fix = await asked();
    const event = await approvedAndQueued(world, fix);
    world.appmesh.failNext('*', 503, 50, 'ServiceUnavailable');

    const first = await runApprovalBatch(event, world.workerDeps);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }]);
    expect(await stateOf(fix.id)).toBe('APPROVED');
    expect(updates()).toBe(0);

    world.appmesh.reset();
    world.appmesh.seed(storylineMesh());
    const second = await runApprovalBatch(redelivered(event), world.workerDeps);
    expect(second).toMatchObject({ batchItemFailures: [], outcomes: [{ status: 'finished', state: 'SUCCEEDED' }] });
    expect(updates()).toBe(1);
    expect(enforce()).toBe(true);
    expect(await world.ledger.getChange((second.outcomes[0] as any).change.id)).toMatchObject({ approvalId: fix.id, outcome: 'verified' });
    expect(headerOf(messageOf(world, fix))).toBe(':white_check_mark: Applied: enforce client mTLS on payments-worker (prod-mesh)');
  });

  test('the change record throttled once after the change was made: it is written on a second try, and the approval ends SUCCEEDED', async () => {
    const fix = await asked();
    const event = await approvedAndQueued(world, fix);
    const write = world.ledger.recordChange.bind(world.ledger);
    let calls = 0;
    world.ledger.recordChange = async (change) => {
      if (calls++ === 0) throw throttled();
      return write(change);
    };

    const run = await runApprovalBatch(event, world.workerDeps);
    expect(run).toMatchObject({ batchItemFailures: [], outcomes: [{ status: 'finished', state: 'SUCCEEDED' }] });
    const change = (run.outcomes[0] as any).change;
    expect(await world.ledger.getChange(change.id)).toMatchObject({ approvalId: fix.id, outcome: 'verified' });
    expect(await world.ledger.getApproval(fix.id)).toMatchObject({ state: 'SUCCEEDED', outcome: expect.stringMatching(/^applied and verified: .*\(change chg-\d+\)$/) });
    expect(updates()).toBe(1);
  });

  test('the ledger down right after the change was made: SQS retries, a delivery within the takeover window leaves it alone, a later one closes it without changing it again', async () => {
    const fix = await asked();
    const event = await approvedAndQueued(world, fix);
    const { recordChange, transitionApproval } = world.ledger;
    world.ledger.recordChange = async () => {
      throw throttled();
    };
    world.ledger.transitionApproval = async (id, from, to, patch, options) => {
      if (to !== 'EXECUTING') throw throttled();
      return transitionApproval.call(world.ledger, id, from, to, patch, options);
    };

    const first = await runApprovalBatch(event, world.workerDeps);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }]);
    expect(updates()).toBe(1);
    expect(enforce()).toBe(true);
    // Nothing is lost: the change made is in the worker's log, whole.
    expect(world.logs.find((l) => l.message === 'change made but its record could not be written')?.fields).toMatchObject({ approvalId: fix.id, change: { outcome: 'verified', before: expect.anything() } });
    expect(await world.ledger.getApproval(fix.id)).toMatchObject({ state: 'EXECUTING', outcome: expect.stringMatching(/^applying since .* as change chg-\d+$/) });

    world.ledger.recordChange = recordChange;
    world.ledger.transitionApproval = transitionApproval;
    // Another delivery while the attempt could still be running: it must not start a second one.
    world.advance(EXECUTING_TAKEOVER_MS - 60_000);
    expect((await runApprovalBatch(redelivered(event), world.workerDeps)).outcomes).toEqual([{ status: 'ignored', approvalId: fix.id, reason: 'already EXECUTING' }]);

    // SQS's redelivery after the visibility timeout (30 minutes) takes it over.
    world.advance(30 * 60_000);
    const later = await runApprovalBatch(redelivered(redelivered(event)), world.workerDeps);
    expect(later.batchItemFailures).toEqual([]);
    expect(later.outcomes).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED' })]);
    expect(updates()).toBe(1);
    const closed = await world.ledger.getApproval(fix.id);
    expect(closed?.outcome).toMatch(/^the attempt that started at .* as change chg-\d+ was interrupted; the finding is no longer there, so nothing more was applied/);
    expect(await world.ledger.findOpenApproval(fix.findingId)).toBeUndefined();
    expect(blockOf(messageOf(world, fix), 'meshgov_outcome').text.text).toContain('was interrupted; the finding is no longer there');
  });

  test('the approval closed in the ledger failed after its change was recorded: the takeover finishes from the record', async () => {
    const fix = await asked();
    const event = await approvedAndQueued(world, fix);
    const { transitionApproval } = world.ledger;
    world.ledger.transitionApproval = async (id, from, to, patch, options) => {
      if (to !== 'EXECUTING') throw throttled();
      return transitionApproval.call(world.ledger, id, from, to, patch, options);
    };
    expect((await runApprovalBatch(event, world.workerDeps)).batchItemFailures).toHaveLength(1);
    world.ledger.transitionApproval = transitionApproval;

    world.advance(30 * 60_000);
    const later = await runApprovalBatch(redelivered(event), world.workerDeps);
    expect(later.outcomes).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED', detail: expect.stringMatching(/^applied and verified: .*\(change chg-\d+\)$/) })]);
    expect(updates()).toBe(1);
    expect(headerOf(messageOf(world, fix))).toBe(':white_check_mark: Applied: enforce client mTLS on payments-worker (prod-mesh)');
  });

  test('a worker that died mid-change (Lambda timeout, no catch ran): the retry after the takeover window applies it, once', async () => {
    let hang = true;
    let started!: () => void;
    const applying = new Promise<void>((resolve) => (started = resolve));
    const fix = await asked({
      executors: ({ client, cache }) => {
        const real = appMeshExecutor({ client, cache, accountId: '111122223333' });
        return [
          {
            handles: (r) => real.handles(r),
            revert: (c, ctx) => real.revert(c, ctx),
            apply: (r, ctx) => {
              if (!hang) return real.apply(r, ctx);
              started();
              return new Promise(() => {}); // the invocation is killed here
            },
          },
        ];
      },
    });
    const event = await approvedAndQueued(world, fix);
    void runApprovalBatch(event, world.workerDeps);
    await applying;
    expect(await stateOf(fix.id)).toBe('EXECUTING');
    hang = false;

    world.advance(30 * 60_000);
    const retry = await runApprovalBatch(redelivered(event), world.workerDeps);
    expect(retry.outcomes).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED', detail: expect.stringMatching(/^the attempt that started at .* was interrupted; applied and verified/) })]);
    expect(updates()).toBe(1);
    expect(enforce()).toBe(true);
  });
});

describe('the hand-off from the click to the worker', () => {
  const failingHandOff = () => {
    world.actionsDeps.handOff = {
      send: async () => {
        throw new Error('SQS SendMessage: ServiceUnavailable');
      },
    };
  };

  test('when it fails the clicker is told to click again, and that click hands it off and it runs', async () => {
    const fix = await asked();
    const queue = world.actionsDeps.handOff;
    failingHandOff();
    expect(await world.click({ approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts })).toEqual({ statusCode: 200, body: '' });
    expect(await stateOf(fix.id)).toBe('APPROVED');
    expect(world.slack.ephemerals(CHANNEL)).toEqual([
      expect.objectContaining({
        user: CAROL.id,
        text: `:warning: Your Approve of request \`${fix.id}\` is on record, but meshgov could not pass it on to be applied just now (SQS SendMessage: ServiceUnavailable). Nothing was changed yet: click Approve again to retry.`,
      }),
    ]);
    expect(world.logs.map((l) => l.message)).toContain('error: click decided, but not handed off to the approval worker');

    world.actionsDeps.handOff = queue;
    world.advance(2_000);
    expect(await world.click({ approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts })).toEqual({ statusCode: 200, body: '' });
    expect(world.queue.sent).toEqual([{ message: { approvalId: fix.id }, delaySeconds: 0 }]);
    expect(await world.drain()).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED' })]);
    expect(updates()).toBe(1);
    expect(await world.ledger.getApproval(fix.id)).toMatchObject({ state: 'SUCCEEDED', decidedBy: CAROL.id });
    expect(headerOf(messageOf(world, fix))).toBe(':white_check_mark: Applied: enforce client mTLS on payments-worker (prod-mesh)');
  });

  test('another approver may hand it off once a hand-off in flight would have ended; a non-approver may not, and a racing click is told who decided', async () => {
    const fix = await asked();
    const queue = world.actionsDeps.handOff;
    failingHandOff();
    await world.click({ approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts });
    world.actionsDeps.handOff = queue;

    await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts });
    expect(world.slack.ephemerals(CHANNEL).at(-1)).toMatchObject({ user: DAVE.id, text: expect.stringContaining(`was already approved by <@${CAROL.id}>`) });
    expect(world.queue.sent).toEqual([]);

    world.advance(60_000);
    await world.click({ approvalId: fix.id, user: MALLORY, messageTs: fix.slack!.ts });
    expect(world.slack.ephemerals(CHANNEL).at(-1)).toMatchObject({ user: MALLORY.id, text: expect.stringContaining('you are not one of them') });
    expect(world.queue.sent).toEqual([]);

    await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts });
    expect(world.queue.sent).toHaveLength(1);
    expect(await world.drain()).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED' })]);
    // Carol decided; Dave only passed it on.
    expect(await world.ledger.getApproval(fix.id)).toMatchObject({ state: 'SUCCEEDED', decidedBy: CAROL.id });
  });

  test('a Reject whose hand-off fails gets a 500, and a click on the rejected request\'s buttons hands its redraw off again', async () => {
    const fix = await asked();
    const queue = world.actionsDeps.handOff;
    failingHandOff();
    // No refusal text speaks for a rejection that was not passed on: Slack shows Carol an error instead.
    expect(await world.click({ verb: 'reject', approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts })).toEqual({
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: 'hand-off-failed' }),
    });
    expect(await stateOf(fix.id)).toBe('REJECTED');
    expect(world.logs.map((l) => l.message)).toContain('error: rejection not handed off for its redraw');
    // The expiry sweep skips a REJECTED approval: only a click on its buttons can have it redrawn.
    expect(blockOf(messageOf(world, fix), 'meshgov_decision')).toBeDefined();

    world.actionsDeps.handOff = queue;
    world.advance(2_000);
    expect(await world.click({ verb: 'reject', approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts })).toEqual({ statusCode: 200, body: '' });
    expect(world.slack.ephemerals(CHANNEL).at(-1)).toMatchObject({ user: CAROL.id, text: expect.stringContaining(`was already rejected by <@${CAROL.id}>`) });
    expect(world.queue.sent).toEqual([{ message: { approvalId: fix.id }, delaySeconds: 0 }]);
    expect(await world.drain()).toEqual([expect.objectContaining({ status: 'shown', state: 'REJECTED' })]);
    expect(headerOf(messageOf(world, fix))).toMatch(/^:no_entry_sign: Rejected/);
    expect(blockOf(messageOf(world, fix), 'meshgov_decision')).toBeUndefined();
    expect(updates()).toBe(0);
    expect(await world.ledger.getApproval(fix.id)).toMatchObject({ state: 'REJECTED', decidedBy: CAROL.id });
  });

  test('a click on the buttons of a rejected request whose redraw cannot be handed off is still answered: the clicker is told it was rejected', async () => {
    const fix = await asked();
    const queue = world.actionsDeps.handOff;
    failingHandOff();
    await world.click({ verb: 'reject', approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts });
    expect(await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts })).toEqual({ statusCode: 200, body: '' });
    expect(world.slack.ephemerals(CHANNEL).at(-1)).toMatchObject({ user: DAVE.id, text: expect.stringContaining(`was already rejected by <@${CAROL.id}>`) });
    expect(world.logs.find((l) => l.message === 'warn: refused click: approval not handed off for its redraw')?.fields).toMatchObject({ approvalId: fix.id, state: 'REJECTED' });

    // Dave's Approve button hands the redraw off as well as Reject does.
    world.actionsDeps.handOff = queue;
    expect(await world.click({ approvalId: fix.id, user: DAVE, messageTs: fix.slack!.ts })).toEqual({ statusCode: 200, body: '' });
    expect(await world.drain()).toEqual([expect.objectContaining({ status: 'shown', state: 'REJECTED' })]);
    expect(blockOf(messageOf(world, fix), 'meshgov_decision')).toBeUndefined();
    expect(await stateOf(fix.id)).toBe('REJECTED');
  });

  test('when it fails and Slack cannot be told either, the click gets a 500', async () => {
    const fix = await asked();
    failingHandOff();
    world.actionsDeps.refusals = {
      explainRefusal: async () => {
        throw new Error('An API error occurred: channel_not_found');
      },
    };
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const answer = await world.click({ approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts });
      expect(answer).toMatchObject({ statusCode: 500, body: JSON.stringify({ error: 'hand-off-failed' }) });
    } finally {
      errors.mockRestore();
    }
    expect(await stateOf(fix.id)).toBe('APPROVED');
  });
});
