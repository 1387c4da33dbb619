import { DescribeRouteCommand, DescribeVirtualNodeCommand, DescribeVirtualRouterCommand, UpdateRouteCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import { processEvent } from '../../../functions/aws/hub/process-event';
import { runLatencyAlarm, type LatencyAlarmDeps } from '../../../functions/aws/latency-alarm';
import { executeApproval } from '../../../functions/core/approvals/execute-approval';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import { appMeshExecutor } from '../../../functions/providers/appmesh/live';
import type { AppMeshEmulator } from '../../emulators/appmesh';
import type { CloudWatchEmulator } from '../../emulators/cloudwatch';
import type { SlackEmulator } from '../../emulators/slack';
import { sharedEvent } from '../../support/shared-events';
import { CHANNEL, DAVE } from '../slack/support/storyline';
import {
  ACCOUNT,
  alarmDepsFor,
  aliceUpdatesNode,
  aliceUpdatesRoute,
  aliceUpdatesRouter,
  hubDepsFor,
  MESH,
  nodeSpec,
  PAYMENTS_HOST,
  ROUTE,
  ROUTER,
  routeSpec,
  routeStoryServers,
  scheduledEvent,
  seedEnvoyLatency,
} from './support/route-story';

/**
 * The story on loopback: "a latency alarm fires after a route change; a rollback is
 * proposed, approved, and applied". The hub reads prod-mesh on its schedule (App Mesh emulator,
 * real SDK); alice shifts the canary route from 90/10 to 10/90 with UpdateRoute, and its
 * CloudTrail event reaches the hub's event processing, which records the change with the spec
 * it replaced; forty minutes later the canary node's latency alarm fires (CloudWatch stand-in),
 * the run names alice's route change in the finding and in Slack (Slack emulator) and asks for
 * its rollback; the approved rollback puts 90/10 back through UpdateRoute, guarded by the
 * route's version, and the ledger records it.
 */

const ALARM_AT = Date.parse('2026-11-20T15:11:42Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SCAN_AT = new Date(ALARM_AT - 2 * HOUR);
const CHANGE_AT = new Date(ALARM_AT - 40 * MINUTE);
const ALICE_ARN = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com';
const PER_MINUTE = 3000;

let cw: CloudWatchEmulator;
let slack: SlackEmulator;
let appmesh: AppMeshEmulator;
let client: AppMeshClient;
let now: Date;

routeStoryServers(
  // The canary: 0.2 % of its requests over 250 ms, then 25 % once the route sends it 90 % of the traffic.
  (emulator) =>
    seedEnvoyLatency(emulator, 'payments-api-v2', ALARM_AT - 80 * HOUR, ALARM_AT, (t) =>
      t >= CHANGE_AT.getTime() ? { perMinute: PER_MINUTE * 9, slowShare: 0.25 } : { perMinute: PER_MINUTE, slowShare: 0.002 },
    ),
  (servers) => {
    ({ cw, slack, appmesh, client } = servers);
    now = SCAN_AT;
  },
);

const clock = () => now;

/** The hub as deployed: the scheduled audit fills its snapshot, then alice's UpdateRoute event arrives. */
async function hubSeesAliceChangeTheRoute(ledger: MemoryLedger, options: { scanned?: boolean; withResponse?: boolean } = {}) {
  const hub = hubDepsFor(client, ledger, clock);
  if (options.scanned !== false) {
    const scan = await processEvent(scheduledEvent(SCAN_AT), hub);
    expect(scan).toMatchObject({ status: 'audited', findings: 0 });
  }
  now = CHANGE_AT;
  const { event } = await aliceUpdatesRoute(client, 10, 90, CHANGE_AT, '7d2e4f6a-8b0c-4d1e-9f3a-5b7c9d1e3f50', { withResponse: options.withResponse ?? true });
  now = new Date(CHANGE_AT.getTime() + 4_000);
  const outcome = await processEvent(event, hub);
  expect(outcome.status).toBe('audited');
  return { hub, event, changeId: `chg-cloudtrail-${event.id}` };
}

function alarmDeps(ledger: MemoryLedger): LatencyAlarmDeps {
  let ids = 0;
  return alarmDepsFor({ client, cw, slack }, ledger, clock, { newId: (prefix) => `${prefix}-${String(++ids).padStart(4, '0')}` });
}

type ConfirmedAlarm = Extract<Awaited<ReturnType<typeof runLatencyAlarm>>, { status: 'confirmed' }>;

/** The canary's page alarm handled 20 s after it fired, which must confirm the burn. */
async function confirmedPageAlarm(ledger: MemoryLedger, alarmId: string): Promise<{ deps: LatencyAlarmDeps; outcome: ConfirmedAlarm }> {
  now = new Date(ALARM_AT + 20_000);
  const deps = alarmDeps(ledger);
  const outcome = await runLatencyAlarm(pageAlarm(alarmId), deps);
  if (outcome.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${outcome.status}`);
  return { deps, outcome };
}

/** The composite page alarm meshgov generates for the canary's SLO, going to ALARM. */
function pageAlarm(id: string) {
  const event = sharedEvent('aws/cloudwatch-alarm-state-change-latency.json');
  event.id = id;
  event.time = new Date(ALARM_AT).toISOString().replace('.000', '');
  event.detail.alarmName = 'meshgov-slo-payments-api-latency-page-1h-5m';
  event.detail.state.value = 'ALARM';
  event.detail.previousState.value = 'OK';
  return event;
}

async function liveWeights(): Promise<number[]> {
  const out = await client.send(new DescribeRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE }));
  return (out.route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => t.weight ?? -1);
}

async function approveAndRun(ledger: MemoryLedger, deps: LatencyAlarmDeps, approvalId: string) {
  await ledger.transitionApproval(approvalId, ['PENDING'], 'APPROVED', { decidedBy: DAVE.id, decidedAt: now.toISOString() });
  return executeApproval(approvalId, { ledger, notifier: deps.notifier, executors: deps.executors, policy: deps.policy, dryRun: false, clock, newId: deps.newId });
}

describe('a route change that makes an SLO burn', () => {
  it("records alice's route change with the spec it replaced, once per event", async () => {
    const ledger = new MemoryLedger(clock);
    const { hub, event, changeId } = await hubSeesAliceChangeTheRoute(ledger);
    const change = await ledger.getChange(changeId);
    expect(change).toMatchObject({
      provider: 'appmesh',
      action: 'appmesh.route.update',
      target: { kind: 'Route', mesh: MESH, name: ROUTE, parentName: ROUTER, meshOwner: ACCOUNT, resourceOwner: ACCOUNT, version: 2 },
      before: routeSpec(90, 10),
      after: routeSpec(10, 90),
      trigger: { source: 'cloudtrail', actor: ALICE_ARN, eventTime: '2026-11-20T14:31:42Z' },
      at: '2026-11-20T14:31:42Z',
      outcome: 'applied',
      service: `appmesh:${MESH}/${ROUTER}`,
      detail: "previous spec from meshgov's copy of version 1",
    });
    expect(change?.findingId).toBeUndefined();
    expect((change?.target.services as string[]).sort()).toEqual([`appmesh:${MESH}/${PAYMENTS_HOST}`, `appmesh:${MESH}/payments-api`, `appmesh:${MESH}/payments-api-v1`, `appmesh:${MESH}/payments-api-v2`].sort());

    // EventBridge delivers at least once: the same event again writes nothing new.
    await processEvent(event, hub);
    expect((await ledger.listChanges('2026-11-20T00:00:00Z')).map((c) => c.id)).toEqual([changeId]);
    expect((await ledger.getChange(changeId))?.before).toEqual(routeSpec(90, 10));
  });

  it('keeps the previous spec when the audit fails after the reader took the change in, and the event comes again', async () => {
    const ledger = new MemoryLedger(clock);
    const hub = hubDepsFor(client, ledger, clock);
    await processEvent(scheduledEvent(SCAN_AT), hub);
    now = CHANGE_AT;
    const { event } = await aliceUpdatesRoute(client, 10, 90, CHANGE_AT, '6c1d3e5f-7a9b-4c0d-8e2f-4a6b8c0d2e41');
    // The hub's source reads App Mesh, then ACM: an ACM outage fails the event after the snapshot holds version 2.
    const appMeshOnly = hub.source;
    let acmDown = true;
    hub.source = {
      async collect(scope) {
        const inventory = await appMeshOnly.collect(scope);
        if (acmDown) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return inventory;
      },
    };
    await expect(processEvent(event, hub)).rejects.toThrow('Rate exceeded');
    acmDown = false;
    await processEvent(event, hub);
    expect(await ledger.getChange(`chg-cloudtrail-${event.id}`)).toMatchObject({ target: { version: 2 }, before: routeSpec(90, 10), after: routeSpec(10, 90) });
  });

  it('takes the previous spec from the ledger when another container saw the change before', async () => {
    const ledger = new MemoryLedger(clock);
    await hubSeesAliceChangeTheRoute(ledger);
    // A cold container (no snapshot) handles alice's next change: the ledger knows version 2's spec.
    const cold = hubDepsFor(client, ledger, clock);
    const { event } = await aliceUpdatesRoute(client, 30, 70, new Date(CHANGE_AT.getTime() + 5 * MINUTE), '5b0c2d4e-6f8a-4b9c-8d1e-3f5a7b9c1d32');
    await processEvent(event, cold);
    expect(await ledger.getChange(`chg-cloudtrail-${event.id}`)).toMatchObject({
      target: { version: 3 },
      before: routeSpec(10, 90),
      after: routeSpec(30, 70),
      detail: `previous spec from change chg-cloudtrail-7d2e4f6a-8b0c-4d1e-9f3a-5b7c9d1e3f50, which produced version 2`,
    });
  });

  it('takes the new version from the snapshot when CloudTrail recorded no response', async () => {
    const ledger = new MemoryLedger(clock);
    const { changeId } = await hubSeesAliceChangeTheRoute(ledger, { withResponse: false });
    expect(await ledger.getChange(changeId)).toMatchObject({ target: { version: 2 }, before: routeSpec(90, 10), after: routeSpec(10, 90) });
  });

  it('names the route change when the alarm fires, and the approved rollback restores 90/10', async () => {
    const ledger = new MemoryLedger(clock);
    const { changeId } = await hubSeesAliceChangeTheRoute(ledger);
    const { deps, outcome } = await confirmedPageAlarm(ledger, '8e3f5a7b-9c1d-4e2f-8a4b-6c8d0e2f4a61');

    const finding = (await ledger.getFinding(outcome.findings[0]))!.finding;
    expect(finding.detail.suspect).toMatchObject({ changeId, relation: 'service', action: 'appmesh.route.update', who: 'alice@example.com', byMeshgov: false });
    expect(finding.message).toContain(`change ${changeId}`);
    const [proposal] = outcome.result.proposals;
    expect(proposal).toMatchObject({ automatic: false, approval: { state: 'PENDING', undoOf: changeId, remediation: { action: 'appmesh.route.update.undo', mode: 'approval', change: { changeId } } } });
    const posted = slack.messages(CHANNEL).map((m) => JSON.stringify({ text: m.text, blocks: m.blocks }));
    expect(posted.some((m) => m.includes(changeId) && m.includes('appmesh.route.update'))).toBe(true);
    expect(await liveWeights()).toEqual([10, 90]);

    const executed = await approveAndRun(ledger, deps, proposal.approval.id);
    expect(executed).toMatchObject({ status: 'finished', state: 'SUCCEEDED' });
    expect(await liveWeights()).toEqual([90, 10]);
    const undo = (await ledger.listChanges(new Date(ALARM_AT).toISOString())).find((c) => c.approvalId === proposal.approval.id);
    expect(undo).toMatchObject({
      action: 'appmesh.route.update.undo',
      outcome: 'verified',
      approvedBy: DAVE.id,
      target: { kind: 'Route', mesh: MESH, parentName: ROUTER, name: ROUTE, version: 3 },
      before: routeSpec(10, 90),
      after: routeSpec(90, 10),
    });
    expect((await ledger.getApproval(proposal.approval.id))?.state).toBe('SUCCEEDED');
  });

  it('does not overwrite the route when it was edited again after the suspected change', async () => {
    const ledger = new MemoryLedger(clock);
    const { changeId } = await hubSeesAliceChangeTheRoute(ledger);
    const { deps, outcome } = await confirmedPageAlarm(ledger, '9f4a6b8c-0d2e-4f3a-9b5c-7d9e1f3a5b72');
    const approvalId = outcome.result.proposals[0].approval.id;

    // bob splits the traffic evenly while the approval waits.
    await client.send(new UpdateRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec: routeSpec(50, 50) }));
    const executed = await approveAndRun(ledger, deps, approvalId);
    expect(executed).toMatchObject({ status: 'finished', state: 'FAILED' });
    expect(await liveWeights()).toEqual([50, 50]);
    const undo = (await ledger.listChanges(new Date(ALARM_AT).toISOString())).find((c) => c.approvalId === approvalId);
    expect(undo).toMatchObject({ action: 'appmesh.route.update.undo', outcome: 'aborted', detail: expect.stringContaining(`changed again after change ${changeId} (version 2, now 3)`) });
  });

  it('proposes a manual rollback, saying why, when the spec before the change is unknown', async () => {
    const ledger = new MemoryLedger(clock);
    // A cold hub: no snapshot of prod-mesh, and no earlier record of the route.
    const { changeId } = await hubSeesAliceChangeTheRoute(ledger, { scanned: false });
    expect(await ledger.getChange(changeId)).toMatchObject({ before: undefined, detail: 'previous spec unknown: the change made version 2, meshgov held no copy of it' });

    const { outcome } = await confirmedPageAlarm(ledger, '0a5b7c9d-1e3f-4a4b-8c6d-8e0f2a4b6c83');
    const finding = (await ledger.getFinding(outcome.findings[0]))!.finding;
    expect(finding.detail.suspect).toMatchObject({ changeId });
    expect(finding.remediation).toMatchObject({ action: 'appmesh.route.update.undo', mode: 'manual', reason: expect.stringContaining('the configuration before it is unknown') });
    expect(finding.remediation?.reason).toContain('restore the previous configuration by hand');
    expect(outcome.result.proposals).toEqual([]);
    expect(await ledger.findOpenApproval(finding.id)).toBeUndefined();
    const posted = slack.messages(CHANNEL).map((m) => JSON.stringify({ text: m.text, blocks: m.blocks }));
    expect(posted.some((m) => m.includes(changeId) && m.includes('by hand'))).toBe(true);
    expect(await liveWeights()).toEqual([10, 90]);
  });
});

describe('restoring what a person changed on other App Mesh resources', () => {
  /** The hub's scheduled read, then a person's change and its CloudTrail event through the hub. */
  async function observed(ledger: MemoryLedger, change: () => Promise<{ event: { id: string } }>): Promise<ChangeRecord> {
    const hub = hubDepsFor(client, ledger, clock);
    await processEvent(scheduledEvent(SCAN_AT), hub);
    now = CHANGE_AT;
    const { event } = await change();
    await processEvent(event as never, hub);
    return (await ledger.getChange(`chg-cloudtrail-${event.id}`))!;
  }

  it('restores a virtual router', async () => {
    const ledger = new MemoryLedger(clock);
    const change = await observed(ledger, () => aliceUpdatesRouter(client, { listeners: [{ portMapping: { port: 9090, protocol: 'http2' } }] }, CHANGE_AT, '1b6c8d0e-2f4a-4b5c-9d7e-9f1a3b5c7d94'));
    expect(change).toMatchObject({ action: 'appmesh.virtual-router.update', target: { kind: 'VirtualRouter', name: ROUTER, version: 2 }, before: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } });
    // A router's change touches the virtual service it provides and the nodes its routes send to.
    expect(change.target.services).toEqual(expect.arrayContaining([`appmesh:${MESH}/${PAYMENTS_HOST}`, `appmesh:${MESH}/payments-api-v2`]));

    const result = await appMeshExecutor({ client, accountId: ACCOUNT }).revert(change, { trigger: change.trigger, changeId: 'chg-undo-router' });
    expect(result).toMatchObject({ outcome: 'verified', target: { kind: 'VirtualRouter', version: 3 } });
    const live = await client.send(new DescribeVirtualRouterCommand({ meshName: MESH, virtualRouterName: ROUTER }));
    expect(live.virtualRouter?.spec).toEqual({ listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] });
  });

  it('restores a virtual node', async () => {
    const ledger = new MemoryLedger(clock);
    const slower = nodeSpec('payments-api-v1');
    slower.listeners![0].connectionPool = { http: { maxConnections: 4, maxPendingRequests: 2 } };
    const change = await observed(ledger, () => aliceUpdatesNode(client, 'payments-api-v1', slower, CHANGE_AT, '2c7d9e1f-3a5b-4c6d-8e8f-0a2b4c6d8ea5'));
    expect(change).toMatchObject({ action: 'appmesh.virtual-node.update', service: `appmesh:${MESH}/payments-api-v1`, target: { version: 2 }, before: nodeSpec('payments-api-v1') });

    const result = await appMeshExecutor({ client, accountId: ACCOUNT }).revert(change, { trigger: change.trigger, changeId: 'chg-undo-node' });
    expect(result.outcome).toBe('verified');
    const live = await client.send(new DescribeVirtualNodeCommand({ meshName: MESH, virtualNodeName: 'payments-api-v1' }));
    expect(live.virtualNode?.spec?.listeners?.[0]?.connectionPool).toBeUndefined();
    expect(live.virtualNode?.metadata?.version).toBe(3);
  });

  it('refuses another account\'s resource and a change with no version or spec to guard by', async () => {
    const ledger = new MemoryLedger(clock);
    const change = await observed(ledger, () => aliceUpdatesRoute(client, 10, 90, CHANGE_AT, '3d8e0f2a-4b6c-4d7e-9f0a-1b3c5d7e9fb6'));
    const executor = appMeshExecutor({ client, accountId: '444455556666' });
    expect(await executor.revert(change, { trigger: change.trigger, changeId: 'chg-undo-x' })).toMatchObject({ outcome: 'aborted', detail: expect.stringContaining('belongs to account 111122223333') });
    const unguarded = { ...change, target: { ...change.target, version: undefined }, after: undefined };
    expect(await appMeshExecutor({ client, accountId: ACCOUNT }).revert(unguarded, { trigger: change.trigger, changeId: 'chg-undo-y' })).toMatchObject({ outcome: 'aborted', detail: expect.stringContaining('neither the version nor the spec') });
    expect(await liveWeights()).toEqual([10, 90]);
  });

  it('writes nothing when it cannot read the route right before restoring it, or the route is gone', async () => {
    const ledger = new MemoryLedger(clock);
    const change = await observed(ledger, () => aliceUpdatesRoute(client, 10, 90, CHANGE_AT, '5fa02b4c-6d8e-4f9a-8b2c-3d5e7f9a1bd8'));
    const executor = appMeshExecutor({ client, accountId: ACCOUNT });
    const label = `Route ${MESH}/${ROUTER}/${ROUTE}`;
    appmesh.resetCalls();

    appmesh.failNext('DescribeRoute', 'BadRequestException', 1, 'meshName is malformed');
    expect(await executor.revert(change, { trigger: change.trigger, changeId: 'chg-undo-unread' })).toMatchObject({
      outcome: 'failed',
      detail: `could not read ${label} before restoring it: BadRequestException: meshName is malformed; nothing was changed`,
    });
    appmesh.failNext('DescribeRoute', 'NotFoundException');
    expect(await executor.revert(change, { trigger: change.trigger, changeId: 'chg-undo-gone' })).toMatchObject({ outcome: 'aborted', detail: `${label} no longer exists; nothing was restored` });
    expect(appmesh.calls()).toMatchObject({ DescribeRoute: 2, UpdateRoute: 0 });
    expect(await liveWeights()).toEqual([10, 90]);
  });

  it('says so when another writer came between its read and its write, and when App Mesh refuses the write', async () => {
    const ledger = new MemoryLedger(clock);
    const change = await observed(ledger, () => aliceUpdatesRoute(client, 10, 90, CHANGE_AT, '4e9f1a3b-5c7d-4e8f-9a1b-2c4d6e8f0ac7'));
    const executor = appMeshExecutor({ client, accountId: ACCOUNT });

    appmesh.failNext('UpdateRoute', 'ForbiddenException');
    expect(await executor.revert(change, { trigger: change.trigger, changeId: 'chg-undo-403' })).toMatchObject({ outcome: 'aborted', detail: expect.stringContaining('App Mesh refused the write') });
    expect(await liveWeights()).toEqual([10, 90]);

    // Someone writes right after meshgov's read: its write lands two versions up, over theirs.
    appmesh.touchAfterNext('DescribeRoute', MESH, 'route', ROUTE, { parentName: ROUTER });
    const raced = await executor.revert(change, { trigger: change.trigger, changeId: 'chg-undo-race' });
    expect(raced).toMatchObject({ outcome: 'failed', detail: expect.stringContaining('another writer updated it between') });
  });
});
