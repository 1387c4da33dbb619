import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { processEvent } from '../../../functions/aws/hub/process-event';
import { runLatencyAlarm, type LatencyAlarmDeps } from '../../../functions/aws/latency-alarm';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import type { CloudWatchEmulator } from '../../emulators/cloudwatch';
import type { SlackEmulator } from '../../emulators/slack';
import { sharedEvent } from '../../support/shared-events';
import { CHANNEL } from '../slack/support/storyline';
import { alarmDepsFor, aliceUpdatesNode, aliceUpdatesRoute, hubDepsFor, MESH, nodeSpec, PAYMENTS_HOST, routeStoryServers, scheduledEvent, seedEnvoyLatency } from './support/route-story';

/**
 * Dependencies in the suspect search, on the App Mesh path: checkout-api calls the virtual
 * service payments-api.payments.svc.cluster.local, which routes to payments-api-v1 and -v2.
 * The only recent change is alice's to payments-api-v1 (a connection pool that queues
 * checkout's calls); checkout-api's latency alarm fires. The alarm run reads prod-mesh (App Mesh
 * emulator, real SDK), derives checkout-api's dependencies from the model, and names that change
 * as a dependency's, in the finding and in Slack.
 */

const ALARM_AT = Date.parse('2026-11-20T15:11:42Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SCAN_AT = new Date(ALARM_AT - 2 * HOUR);
const CHANGE_AT = new Date(ALARM_AT - 30 * MINUTE);
const PER_MINUTE = 3000;

let cw: CloudWatchEmulator;
let slack: SlackEmulator;
let client: AppMeshClient;
let now: Date;
const clock = () => now;

routeStoryServers(
  (emulator) => seedEnvoyLatency(emulator, 'checkout-api', ALARM_AT - 80 * HOUR, ALARM_AT, (t) => ({ perMinute: PER_MINUTE, slowShare: t >= CHANGE_AT.getTime() ? 0.3 : 0.002 })),
  (servers) => {
    ({ cw, slack, client } = servers);
    now = SCAN_AT;
  },
);

/** The hub reads prod-mesh on schedule, then sees alice's CloudTrail event; returns the recorded change's id. */
async function hubObserves(change: () => Promise<{ event: { id: string } }>, ledger: MemoryLedger): Promise<string> {
  const hub = hubDepsFor(client, ledger, clock);
  await processEvent(scheduledEvent(SCAN_AT), hub);
  now = CHANGE_AT;
  const { event } = await change();
  now = new Date(CHANGE_AT.getTime() + 3_000);
  await processEvent(event as never, hub);
  return `chg-cloudtrail-${event.id}`;
}

function alarmDeps(ledger: MemoryLedger, readMesh: boolean): LatencyAlarmDeps {
  return alarmDepsFor({ client, cw, slack }, ledger, clock, { newId: (prefix) => `${prefix}-0001`, readMesh });
}

function checkoutAlarm(id: string) {
  const event = sharedEvent('aws/cloudwatch-alarm-state-change-latency.json');
  event.id = id;
  event.detail.alarmName = 'meshgov-slo-checkout-api-latency-page-1h-5m';
  return event;
}

function slowPool() {
  const spec = nodeSpec('payments-api-v1');
  spec.listeners![0].connectionPool = { http: { maxConnections: 4, maxPendingRequests: 2 } };
  return spec;
}

describe('the suspect search follows what the service calls', () => {
  it("names a change to a backend checkout-api calls as a dependency's, in the finding and in Slack", async () => {
    const ledger = new MemoryLedger(clock);
    const changeId = await hubObserves(() => aliceUpdatesNode(client, 'payments-api-v1', slowPool(), CHANGE_AT, '4e9f1a3b-5c7d-4e8f-8a1b-2c4d6e8f0a17'), ledger);
    now = new Date(ALARM_AT + 20_000);
    const outcome = await runLatencyAlarm(checkoutAlarm('5f0a2b4c-6d8e-4f9a-9b2c-3d5e7f9a1b28'), alarmDeps(ledger, true));
    if (outcome.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${outcome.status}`);

    const finding = (await ledger.getFinding(outcome.findings[0]))!.finding;
    expect(finding.resource).toMatchObject({ name: 'checkout-api', mesh: MESH });
    expect(finding.detail.suspect).toMatchObject({ changeId, relation: 'dependency', action: 'appmesh.virtual-node.update', service: `appmesh:${MESH}/payments-api-v1`, who: 'alice@example.com' });
    expect(finding.detail.topology).toMatchObject({
      dependencies: expect.arrayContaining([`appmesh:${MESH}/${PAYMENTS_HOST}`, `appmesh:${MESH}/payments-api-v1`, `appmesh:${MESH}/payments-api-v2`]),
    });
    expect(finding.message).toContain(`Suspected change to a dependency of this service (appmesh:${MESH}/payments-api-v1, which it calls)`);
    expect(outcome.result.proposals[0]?.approval).toMatchObject({ undoOf: changeId, remediation: { action: 'appmesh.virtual-node.update.undo', mode: 'approval' } });

    const posted = slack.messages(CHANNEL).map((m) => JSON.stringify({ text: m.text, blocks: m.blocks }));
    expect(posted.some((m) => m.includes(changeId) && m.includes('to a dependency of this service'))).toBe(true);
  });

  it("finds a route change behind checkout-api's backend the same way", async () => {
    const ledger = new MemoryLedger(clock);
    const changeId = await hubObserves(() => aliceUpdatesRoute(client, 10, 90, CHANGE_AT, '6a1b3c5d-7e9f-4a0b-8c3d-4e6f8a0b2c39'), ledger);
    now = new Date(ALARM_AT + 20_000);
    const outcome = await runLatencyAlarm(checkoutAlarm('7b2c4d6e-8f0a-4b1c-9d4e-5f7a9b1c3d4a'), alarmDeps(ledger, true));
    if (outcome.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${outcome.status}`);
    expect((await ledger.getFinding(outcome.findings[0]))?.finding.detail.suspect).toMatchObject({ changeId, relation: 'dependency', action: 'appmesh.route.update' });
  });

  it('finds nothing to blame without the mesh: the change is not to checkout-api itself', async () => {
    const ledger = new MemoryLedger(clock);
    await hubObserves(() => aliceUpdatesNode(client, 'payments-api-v1', slowPool(), CHANGE_AT, '8c3d5e7f-9a1b-4c2d-8e5f-6a8b0c2d4e5b'), ledger);
    now = new Date(ALARM_AT + 20_000);
    const outcome = await runLatencyAlarm(checkoutAlarm('9d4e6f8a-0b2c-4d3e-9f6a-7b9c1d3e5f6c'), alarmDeps(ledger, false));
    if (outcome.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${outcome.status}`);
    const finding = (await ledger.getFinding(outcome.findings[0]))!.finding;
    expect(finding.detail.suspect).toBeUndefined();
    expect(finding.remediation).toBeNull();
  });

  it('still confirms the burn when the mesh cannot be read, without dependencies', async () => {
    const ledger = new MemoryLedger(clock);
    now = new Date(ALARM_AT + 20_000);
    const warnings: string[] = [];
    const deps = alarmDeps(ledger, false);
    deps.mesh = { source: { collect: async () => Promise.reject(new Error('ServiceUnavailableException')) }, builders: [buildAppMeshModel] };
    deps.log = (level, message) => void (level === 'warn' && warnings.push(message));
    const outcome = await runLatencyAlarm(checkoutAlarm('0e5f7a9b-1c3d-4e4f-8a7b-8c0d2e4f6a7d'), deps);
    expect(outcome.status).toBe('confirmed');
    expect(warnings.some((w) => w.includes("dependencies"))).toBe(true);
  });
});
