/**
 * Approvals end to end: govern asks in Slack, a person clicks, the real interactivity handler
 * verifies and decides, the worker applies through the App Mesh writer (against the App Mesh
 * emulator) and redraws the message. The ledger is DynamoDbLedger on dynalite; Slack is the
 * emulator through @slack/web-api. Every mTLS fix needs approval under these rules.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createSlackActionsHandler } from '../../../functions/aws/slack-actions';
import { sharedEvent } from '../../support/shared-events';
import { aliceChange } from './support/fleet';
import { approvalOf, blockOf, headerOf, messageOf } from './support/lookups';
import { clickEvent, tampered } from './support/signed-click';
import { ALICE, CAROL, CHANNEL, DAVE, MALLORY, paymentsPolicy } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;

const everyFixApproved = (edit: (p: ReturnType<typeof paymentsPolicy>) => void = () => {}) =>
  paymentsPolicy((p) => {
    for (const rule of ['mtls-not-strict', 'mtls-client-not-enforced', 'mtls-conflict'] as const) p.rules[rule].remediation = 'approval';
    edit(p);
  });

/** A world where alice's change has been audited and meshgov has asked for every fix. */
async function asked(options: Parameters<typeof startTestWorld>[0] = {}) {
  world = await startTestWorld({ policy: everyFixApproved(), ...options });
  const run = await world.govern(aliceChange(world.now()));
  // payments-worker's client fix, payments-api's one change (its listener and client edits), and the others'.
  expect(run.approvalsRequested).toHaveLength(3);
  return { workerFix: await approvalOf(world, 'mtls-client-not-enforced', 'payments-worker'), strictFix: await approvalOf(world, 'mtls-not-strict', 'payments-api') };
}

const enforceOf = (w: World, node: string) => (w.appmesh.state.describe('virtualNode', 'prod-mesh', node) as any).spec.backends[0].virtualService.clientPolicy.tls;
const updates = (w: World) => w.appmesh.calls().UpdateVirtualNode;
const ACK: APIGatewayProxyStructuredResultV2 = { statusCode: 200, body: '' };

describe('Slack approvals', () => {
  test('the request has Approve and Reject buttons naming the approval, and a confirm dialog on risky fixes', async () => {
    const { workerFix, strictFix } = await asked();
    const strict = messageOf(world, strictFix);
    // payments-api's listener and client edits are one change, asked for once, under its STRICT
    // finding (the one that can cut traffic); the change line names both edits.
    expect(headerOf(strict)).toBe('Approval needed: require mTLS (STRICT) on port 8080 of payments-api (prod-mesh)');
    expect(blockOf(strict, 'meshgov_finding').text.text).toMatch(/\*Change:\* UpdateVirtualNode `prod-mesh\/payments-api` at version 3, whole spec: listener 8080 TLS `STRICT`.*backend `ledger\.payments\.svc\.cluster\.local` enforces mTLS/);
    // Approving it fixes payments-api's client finding too, and the request says so.
    expect(blockOf(strict, 'meshgov_finding').text.text).toContain('*Also fixes:* mtls-client-not-enforced on VirtualNode prod-mesh/payments-api');
    expect(strictFix.alsoFixes).toEqual(['mtls-client-not-enforced on VirtualNode prod-mesh/payments-api']);
    const buttons = blockOf(strict, 'meshgov_decision').elements;
    expect(buttons.map((b: any) => b.value)).toEqual([`approve:${strictFix.id}`, `reject:${strictFix.id}`]);
    expect(buttons[0].confirm.title.text).toBe('Apply this change?');
    const why = blockOf(strict, 'meshgov_finding').text.text;
    expect(why).toContain('*Why approval:* preconditions do not hold: ');
    expect(why).toContain('VirtualNode prod-mesh/payments-worker sends plaintext to VirtualNode prod-mesh/payments-api port 8080');
    // The trust the listener would validate with is taken from the rest of the mesh: a guess the approver confirms.
    expect(why).toContain('cannot tell whether it validates the client certificates of VirtualGateway prod-mesh/partner-ingress: confirm it');
    expect(blockOf(strict, 'meshgov_meta').elements[0].text).toContain('changed by alice@example.com');
    // Enforcing a client's mTLS toward servers that accept it breaks nothing: no confirm dialog.
    expect(blockOf(messageOf(world, workerFix), 'meshgov_decision').elements[0].confirm).toBeUndefined();
    expect(strictFix).toMatchObject({ state: 'PENDING', team: 'payments', causedBy: expect.stringContaining('alice@example.com'), slack: { channel: CHANNEL } });
  });

  test('a correctly signed Approve runs exactly once, even when two clicks race', async () => {
    const { workerFix } = await asked();
    const [carol, dave] = await Promise.all([
      world.click({ approvalId: workerFix.id, user: CAROL, messageTs: workerFix.slack!.ts }),
      world.click({ approvalId: workerFix.id, user: DAVE, messageTs: workerFix.slack!.ts }),
    ]);
    expect(carol).toEqual(ACK);
    expect(dave).toEqual(ACK);
    // Slack needs its answer within 3 seconds, so the click only decides and hands off: the change itself runs in the worker.
    expect(updates(world)).toBe(0);
    expect(world.queue.sent).toEqual([{ message: { approvalId: workerFix.id }, delaySeconds: 0 }]);
    const decided = await world.ledger.getApproval(workerFix.id);
    expect(decided).toMatchObject({ state: 'APPROVED', decidedBy: expect.stringMatching(new RegExp(`^(${CAROL.id}|${DAVE.id})$`)) });
    const loser = decided!.decidedBy === CAROL.id ? DAVE : CAROL;
    expect(world.slack.ephemerals(CHANNEL)).toEqual([
      expect.objectContaining({ user: loser.id, text: expect.stringContaining(`was already approved by <@${decided!.decidedBy}>`) }),
    ]);

    const outcomes = await world.drain();
    expect(outcomes).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED' })]);
    expect(updates(world)).toBe(1);
    expect(enforceOf(world, 'payments-worker')).toMatchObject({ enforce: true, certificate: expect.anything() });

    const done = await world.ledger.getApproval(workerFix.id);
    expect(done).toMatchObject({ state: 'SUCCEEDED', outcome: expect.stringMatching(/^applied and verified: wrote VirtualNode prod-mesh\/payments-worker \(version 4 → 5\)/) });
    const change = (outcomes[0] as any).change;
    expect(await world.ledger.getChange(change.id)).toMatchObject({
      approvalId: workerFix.id,
      approvedBy: decided!.decidedBy,
      action: 'appmesh.client-policy.enforce',
      outcome: 'verified',
      trigger: { source: 'slack', actor: `slack:${decided!.decidedBy}` },
      before: expect.anything(),
      after: expect.anything(),
    });
    const message = messageOf(world, workerFix);
    expect(headerOf(message)).toBe(':white_check_mark: Applied: enforce client mTLS on payments-worker (prod-mesh)');
    expect(blockOf(message, 'meshgov_outcome').text.text).toMatch(new RegExp(`^\\*Approved by\\* <@${decided!.decidedBy}> at .*\\n\\*Result:\\* applied and verified`));
    expect(message.blocks!.some((b) => b.type === 'actions')).toBe(false);

    // SQS delivers at least once: the same message again changes nothing.
    await world.queue.send({ approvalId: workerFix.id });
    expect(await world.drain()).toEqual([{ status: 'ignored', approvalId: workerFix.id, reason: 'already SUCCEEDED' }]);
    expect(updates(world)).toBe(1);
  });

  describe('a forged, expired or replayed request gets 401 and runs nothing', () => {
    const nowSeconds = () => Math.floor(world.now().getTime() / 1000);
    test.each([
      ['signed with another secret', (id: string) => clickEvent({ approvalId: id, user: CAROL, timestamp: nowSeconds(), secret: 'f0rged0000000000000000000000beef' })],
      ['a body changed after signing (another user id)', (id: string) => tampered(clickEvent({ approvalId: id, user: MALLORY, timestamp: nowSeconds() }), (b) => b.replace(MALLORY.id, CAROL.id))],
      ['a timestamp 6 minutes old', (id: string) => clickEvent({ approvalId: id, user: CAROL, timestamp: nowSeconds() - 360 })],
      ['a timestamp 6 minutes ahead', (id: string) => clickEvent({ approvalId: id, user: CAROL, timestamp: nowSeconds() + 360 })],
      ['the shared sample as captured (validly signed, but at 2026-11-20 15:04:12 UTC, far from now)', (_id: string) => sharedEvent<APIGatewayProxyEventV2>('aws/apigw-http-slack-block-actions.json')],
      [
        'no signature headers',
        (id: string) => {
          const event = clickEvent({ approvalId: id, user: CAROL, timestamp: nowSeconds() });
          delete event.headers['x-slack-signature'];
          delete event.headers['x-slack-request-timestamp'];
          return event;
        },
      ],
    ])('%s', async (_name, make) => {
      const { workerFix } = await asked();
      const handler = createSlackActionsHandler(async () => world.actionsDeps);
      const response = await handler(make(workerFix.id));
      expect(response.statusCode).toBe(401);
      expect((await world.ledger.getApproval(workerFix.id))?.state).toBe('PENDING');
      expect(world.queue.sent).toEqual([]);
      expect(world.slack.ephemerals()).toEqual([]);
      expect(await world.drain()).toEqual([]);
      expect(updates(world)).toBe(0);
    });

    test('the shared sample is accepted when the clock stands at its moment (so the 401 above is the clock, not the signature)', async () => {
      await asked();
      const handler = createSlackActionsHandler(async () => ({ ...world.actionsDeps, clock: () => new Date('2026-11-20T15:04:12Z') }));
      expect(await handler(sharedEvent<APIGatewayProxyEventV2>('aws/apigw-http-slack-block-actions.json'))).toEqual(ACK);
      // carol's click names the storyline's approval, which this ledger does not hold.
      expect(world.slack.ephemerals()).toEqual([expect.objectContaining({ user: CAROL.id, text: expect.stringContaining('no request `rmd-7c1e9a44d2b0` on record') })]);
    });

    test('a replayed request', async () => {
      const { workerFix } = await asked();
      const handler = createSlackActionsHandler(async () => world.actionsDeps);
      // Mallory's click is refused, but a replay must not even reach the decision again.
      const event = clickEvent({ approvalId: workerFix.id, user: MALLORY, timestamp: nowSeconds() });
      expect(await handler(event)).toEqual(ACK);
      expect(world.slack.ephemerals()).toHaveLength(1);
      const replay = await handler(structuredClone(event));
      expect(replay.statusCode).toBe(401);
      expect(replay.body).toContain('replayed-request');
      expect(world.slack.ephemerals()).toHaveLength(1);
      expect((await world.ledger.getApproval(workerFix.id))?.state).toBe('PENDING');
    });

    test('a replayed Approve acts once', async () => {
      const { workerFix } = await asked();
      const handler = createSlackActionsHandler(async () => world.actionsDeps);
      const event = clickEvent({ approvalId: workerFix.id, user: CAROL, timestamp: nowSeconds() });
      const [a, b] = await Promise.all([handler(event), handler(structuredClone(event))]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 401]);
      expect(world.queue.sent).toHaveLength(1);
      await world.drain();
      expect(updates(world)).toBe(1);
    });
  });

  test('a request from another workspace or another app gets 403 and runs nothing', async () => {
    const { workerFix } = await asked();
    const otherTeam = await world.click({ approvalId: workerFix.id, user: CAROL, edit: (p) => (p.team.id = 'T09OTHERWS1') });
    const otherApp = await world.click({ approvalId: workerFix.id, user: CAROL, edit: (p) => (p.api_app_id = 'A09OTHERAPP') });
    expect([otherTeam.statusCode, otherApp.statusCode]).toEqual([403, 403]);
    expect((await world.ledger.getApproval(workerFix.id))?.state).toBe('PENDING');
    expect(world.queue.sent).toEqual([]);
  });

  test('an unauthorised user is refused, with an ephemeral explanation only they see', async () => {
    const { workerFix } = await asked();
    expect(await world.click({ approvalId: workerFix.id, user: MALLORY })).toEqual(ACK);
    expect(world.slack.ephemerals()).toEqual([
      expect.objectContaining({
        channel: CHANNEL,
        user: MALLORY.id,
        text: `:lock: Only approvers of team *payments* can decide request \`${workerFix.id}\`, and you are not one of them. Nothing was changed.`,
      }),
    ]);
    expect((await world.ledger.getApproval(workerFix.id))?.state).toBe('PENDING');
    expect(world.queue.sent).toEqual([]);
    // The approvers group was asked, since mallory is not listed by id.
    expect(world.slack.calls('usergroups.users.list')).toBe(1);
  });

  test('a self-approval is refused with an ephemeral explanation; the author may still reject', async () => {
    const { strictFix } = await asked();
    expect(await world.click({ approvalId: strictFix.id, user: ALICE })).toEqual(ACK);
    expect(world.slack.ephemerals()).toEqual([
      expect.objectContaining({
        user: ALICE.id,
        text: ':lock: You made the change that caused this finding (alice@example.com), so someone else must approve its fix. You may still reject it. Nothing was changed.',
      }),
    ]);
    expect(world.slack.calls('users.lookupByEmail')).toBe(1);
    expect((await world.ledger.getApproval(strictFix.id))?.state).toBe('PENDING');

    expect(await world.click({ verb: 'reject', approvalId: strictFix.id, user: ALICE })).toEqual(ACK);
    expect(await world.drain()).toEqual([{ status: 'shown', approvalId: strictFix.id, state: 'REJECTED' }]);
    const message = messageOf(world, strictFix);
    expect(headerOf(message)).toBe(':no_entry_sign: Rejected: require mTLS (STRICT) on port 8080 of payments-api (prod-mesh)');
    expect(blockOf(message, 'meshgov_outcome').text.text).toMatch(new RegExp(`^\\*Rejected by\\* <@${ALICE.id}>`));
    expect(updates(world)).toBe(0);
  });

  test('an expired approval cannot run: a late click is refused and the message says expired', async () => {
    const { workerFix } = await asked();
    world.advance(24 * 3_600_000 + 1_000);
    expect(await world.click({ approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    expect(world.slack.ephemerals()).toEqual([expect.objectContaining({ user: CAROL.id, text: expect.stringMatching(/^:hourglass: Request `rmd-[0-9a-f]{12}` expired at /) })]);
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'EXPIRED' });
    expect(await world.drain()).toEqual([{ status: 'shown', approvalId: workerFix.id, state: 'EXPIRED' }]);
    expect(headerOf(messageOf(world, workerFix))).toMatch(/^:hourglass: Expired: enforce client mTLS on payments-worker/);
    expect(updates(world)).toBe(0);
  });

  test('an approval that reaches the worker after it expired does not run', async () => {
    const { workerFix } = await asked();
    expect(await world.click({ approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    world.advance(24 * 3_600_000 + 1_000);
    expect(await world.drain()).toEqual([expect.objectContaining({ status: 'finished', state: 'EXPIRED' })]);
    expect(updates(world)).toBe(0);
    expect(enforceOf(world, 'payments-worker').enforce).toBe(false);
  });

  test('a fix whose resource changed since the request is refused at execution', async () => {
    const { workerFix } = await asked();
    // Someone edits payments-worker after meshgov asked: App Mesh version 4 → 5.
    world.appmesh.touch('prod-mesh', 'virtualNode', 'payments-worker', { changeSpec: (spec: any) => ({ ...spec, logging: { accessLog: { file: { path: '/dev/stderr' } } } }) });
    expect(await world.click({ approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    const [outcome] = await world.drain();
    expect(outcome).toMatchObject({ status: 'finished', state: 'FAILED', detail: 'refused at execution: the resource changed since the request, so the approved change no longer applies as shown (version 4 then, 5 now)' });
    expect(updates(world)).toBe(0);
    const message = messageOf(world, workerFix);
    expect(headerOf(message)).toBe(':x: Not applied: enforce client mTLS on payments-worker (prod-mesh)');
    expect(blockOf(message, 'meshgov_outcome').text.text).toContain('*Result:* refused at execution: the resource changed since the request');
  });

  test('a fix whose precondition broke since the request (a new client sends plaintext) is refused at execution', async () => {
    const { strictFix } = await asked();
    // A new client starts calling payments-api without TLS after the request was made.
    world.appmesh.seed({
      virtualNodes: [
        {
          meshName: 'prod-mesh',
          virtualNodeName: 'refunds-api',
          spec: {
            backends: [{ virtualService: { virtualServiceName: 'payments-api.payments.svc.cluster.local' } }],
            listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: 'refunds-api.payments.svc.cluster.local' } },
          },
        },
      ],
    });
    expect(await world.click({ approvalId: strictFix.id, user: CAROL })).toEqual(ACK);
    const [outcome] = await world.drain();
    expect(outcome).toMatchObject({ status: 'finished', state: 'FAILED' });
    expect((outcome as any).detail).toBe('refused at execution: a precondition no longer holds: VirtualNode prod-mesh/refunds-api sends plaintext to VirtualNode prod-mesh/payments-api port 8080');
    expect(updates(world)).toBe(0);
    expect((world.appmesh.state.describe('virtualNode', 'prod-mesh', 'payments-api') as any).spec.listeners[0].tls.mode).toBe('PERMISSIVE');
  });

  test('during a freeze window an approved fix waits, says so, and runs when the window ends', async () => {
    const { workerFix } = await asked();
    const start = world.now();
    world.policy.remediation.freezeWindows = [{ name: 'black-friday', start: new Date(start.getTime() - 60_000).toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString() }];
    expect(await world.click({ approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    expect(await world.drain()).toEqual([{ status: 'deferred', approvalId: workerFix.id, reason: 'freeze window "black-friday" is in force', retryAfterSeconds: 300 }]);
    expect(world.queue.sent.at(-1)).toEqual({ message: { approvalId: workerFix.id }, delaySeconds: 300 });
    expect(headerOf(messageOf(world, workerFix))).toBe(':double_vertical_bar: Approved, waiting: enforce client mTLS on payments-worker (prod-mesh)');
    expect(await world.ledger.getApproval(workerFix.id)).toMatchObject({ state: 'APPROVED' });

    world.advance(3_600_000);
    const after = await world.drain();
    expect(after).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED' })]);
    expect(updates(world)).toBe(1);
  });

  test('with dry-run on, an approved fix is not applied and the message says why', async () => {
    const { workerFix } = await asked({ workerDryRun: true });
    expect(await world.click({ approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    expect(await world.drain()).toEqual([expect.objectContaining({ status: 'finished', state: 'FAILED', detail: expect.stringContaining('not applied: dry-run is on') })]);
    expect(updates(world)).toBe(0);
    expect(headerOf(messageOf(world, workerFix))).toMatch(/^:x: Not applied:/);
  });

  test('when no team approvers are configured nobody can approve (fail closed)', async () => {
    world = await startTestWorld({ policy: everyFixApproved((p) => (p.ownership.teams[0].slack.approvers = {})) });
    await world.govern(aliceChange(world.now()));
    const workerFix = await approvalOf(world, 'mtls-client-not-enforced', 'payments-worker');
    expect(await world.click({ approvalId: workerFix.id, user: CAROL })).toEqual(ACK);
    expect(world.slack.ephemerals()[0].text).toContain('lists no approvers');
    expect((await world.ledger.getApproval(workerFix.id))?.state).toBe('PENDING');
  });
});
