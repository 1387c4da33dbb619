/**
 * The approval worker's execution path on real servers (dynalite, the App Mesh and Slack
 * emulators, the real worker batch function), for failures approval-failures.test.ts does not
 * cover: the blast-radius slot when the re-check or the claim cannot run, and a finding that a
 * scheduled audit resolved while the approval waited, for a provider the hub does not re-plan.
 */
import { runApprovalBatch } from '../../functions/aws/slack/run-approval-batch';
import { SlackNotifier } from '../../functions/notify/slack/slack-notifier';
import { slackClientFor } from '../emulators/slack';
import { resolveFinding } from '../../functions/core/pipeline/observe-findings';
import type { ApprovalRecord } from '../../functions/core/ledger/types';
import { aliceChange, storylineMesh } from './slack/support/fleet';
import { approvalOf, blockOf, messageOf } from './slack/support/lookups';
import { paymentsPolicy } from './slack/support/storyline';
import { worldPerTest, type World } from './slack/support/world';
import { approvedAndQueued, redelivered, throttled } from './slack/support/worker-queue';

const startTestWorld = worldPerTest();
let world: World;

/** alice's change audited, meshgov asking to enforce payments-worker's client mTLS; at most one change an hour. */
async function asked(): Promise<ApprovalRecord> {
  const policy = paymentsPolicy((p) => {
    p.rules['mtls-client-not-enforced'].remediation = 'approval';
    p.remediation.maxChangesPerHour = 1;
  });
  world = await startTestWorld({ policy });
  await world.govern(aliceChange(world.now()));
  return approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');
}

const updates = () => world.appmesh.calls().UpdateVirtualNode;

describe('the blast-radius slot of an approval that could not start', () => {
  test('App Mesh unavailable during the re-check: the slot is given back, so the SQS retry applies it instead of waiting an hour', async () => {
    const fix = await asked();
    const event = await approvedAndQueued(world, fix);
    world.appmesh.failNext('*', 503, 50, 'ServiceUnavailable');
    expect((await runApprovalBatch(event, world.workerDeps)).batchItemFailures).toHaveLength(1);

    world.appmesh.reset();
    world.appmesh.seed(storylineMesh());
    const retry = await runApprovalBatch(redelivered(event), world.workerDeps);
    expect(retry).toMatchObject({ batchItemFailures: [], outcomes: [{ status: 'finished', state: 'SUCCEEDED' }] });
    expect(updates()).toBe(1);
    // The change that ran holds the hour's only slot.
    expect(await world.ledger.reserveChangeSlot('chg-next', 1)).toBeUndefined();
  });

  test('the claim (APPROVED → EXECUTING) throttled: the slot is given back and the approval is still APPROVED for the retry', async () => {
    const fix = await asked();
    const event = await approvedAndQueued(world, fix);
    const transition = world.ledger.transitionApproval;
    world.ledger.transitionApproval = async () => {
      throw throttled();
    };
    expect((await runApprovalBatch(event, world.workerDeps)).batchItemFailures).toHaveLength(1);
    world.ledger.transitionApproval = transition;
    expect((await world.ledger.getApproval(fix.id))?.state).toBe('APPROVED');

    const retry = await runApprovalBatch(redelivered(event), world.workerDeps);
    expect(retry).toMatchObject({ batchItemFailures: [], outcomes: [{ status: 'finished', state: 'SUCCEEDED' }] });
    expect(updates()).toBe(1);
  });
});

describe('a finding resolved while its approval waited', () => {
  test('for a provider the hub does not re-plan (Istio: the agent applies), the ledger saying resolved refuses the fix; nothing is sent to the executor', async () => {
    const fix = await asked();
    const event = await approvedAndQueued(world, fix);
    // The hub re-plans App Mesh itself; without a fresh-state reader this is the Istio path.
    const { freshState: _, ...deps } = world.workerDeps;
    // A scheduled audit found the finding gone and resolved it, after the click.
    const finding = (await world.ledger.getFinding(fix.findingId))!;
    expect(await resolveFinding(world.ledger, finding, world.now())).toBeDefined();

    const run = await runApprovalBatch(event, deps);
    expect(run).toMatchObject({ batchItemFailures: [], outcomes: [{ status: 'finished', state: 'FAILED' }] });
    expect(updates()).toBe(0);
    expect(await world.ledger.getApproval(fix.id)).toMatchObject({ state: 'FAILED', outcome: expect.stringMatching(/^refused at execution: the finding is no longer open \(resolved at .*\)/) });
    expect(blockOf(messageOf(world, fix), 'meshgov_outcome').text.text).toContain('the finding is no longer open');
    // Nothing changed: the hour's slot is free for the next change.
    expect(await world.ledger.reserveChangeSlot('chg-next', 1)).toBeDefined();
  });
});

describe('a change made whose Slack message could not be redrawn', () => {
  test('the SQS message comes back until the message shows the outcome, and the change is not made twice', async () => {
    const fix = await asked();
    const event = await approvedAndQueued(world, fix);
    // Slack answers 503 to every attempt of the notifier's client (three: FAST_RETRY_CONFIG retries twice).
    world.slack.failNext('chat.update', 503, 3);
    const first = await runApprovalBatch(event, world.workerDeps);
    expect(first).toMatchObject({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }], outcomes: [{ status: 'finished', state: 'SUCCEEDED', notShown: expect.any(String) }] });
    expect(updates()).toBe(1);
    expect(blockOf(messageOf(world, fix), 'meshgov_outcome')?.text.text ?? '').not.toContain('applied and verified');

    const retry = await runApprovalBatch(redelivered(event), world.workerDeps);
    expect(retry).toMatchObject({ batchItemFailures: [], outcomes: [{ status: 'ignored', reason: 'already SUCCEEDED' }] });
    expect(updates()).toBe(1);
    expect(blockOf(messageOf(world, fix), 'meshgov_outcome').text.text).toContain('*Result:* applied and verified');
  });
});

describe('a change made whose Slack message can never be redrawn', () => {
  test('the bot token was revoked: the outcome is logged as an error for a person, and SQS does not deliver it again', async () => {
    const fix = await asked();
    const event = await approvedAndQueued(world, fix);
    // Between the click and the run, the app was reinstalled: Slack refuses the old token (invalid_auth) for good.
    const revoked = new SlackNotifier(slackClientFor(world.slack, 'xoxb-0000000000-revoked'), { awsRegion: 'us-west-2' });
    const errors: Array<[string, Record<string, unknown> | undefined]> = [];
    const run = await runApprovalBatch(event, { ...world.workerDeps, notifier: revoked, logError: (message, fields) => errors.push([message, fields]) });
    expect(run).toMatchObject({ batchItemFailures: [], outcomes: [{ status: 'finished', state: 'SUCCEEDED' }] });
    expect(run.outcomes[0]).not.toHaveProperty('notShown');
    expect(updates()).toBe(1);
    expect(errors).toEqual([['approval message cannot be redrawn; Slack refuses it for good', expect.objectContaining({ approvalId: fix.id, state: 'SUCCEEDED', error: 'invalid_auth' })]]);
  });
});
