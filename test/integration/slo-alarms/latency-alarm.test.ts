import { DescribeVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { executeApproval } from '../../../functions/core/approvals/execute-approval';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import type { Policy } from '../../../functions/core/policy/types';
import { slosOfPolicy } from '../../../functions/core/slo/definition';
import { evaluateSlos } from '../../../functions/core/slo/evaluate';
import { runLatencyAlarm, type LatencyAlarmDeps } from '../../../functions/aws/latency-alarm';
import { SlackNotifier } from '../../../functions/notify/slack/slack-notifier';
import { appMeshExecutor } from '../../../functions/providers/appmesh/live';
import { APPMESH_LATENCY_METRIC, APPMESH_REQUEST_COUNT_METRIC } from '../../../functions/providers/metrics/cloudwatch/appmesh-metrics';
import { cloudWatchSloSource } from '../../../functions/providers/metrics/cloudwatch/source';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../emulators/appmesh';
import { appMeshClientFor } from '../../emulators/appmesh/appMeshTestFixtures';
import { cloudWatchClientFor, startCloudWatchEmulator, type CloudWatchEmulator } from '../../emulators/cloudwatch';
import { slackClientFor, startSlackEmulator, type SlackEmulator } from '../../emulators/slack';
import { sharedEvent } from '../../support/shared-events';
import { CHANNEL, paymentsPolicy, USERS, WORKSPACE } from '../slack/support/storyline';

/**
 * The alarm-triggered run end to end on loopback: the real-shaped CloudWatch "Alarm State
 * Change" event into the latency Lambda's run function, the fresh burn query through the real
 * CloudWatch SDK against the GetMetricData stand-in, the ledger holding the change meshgov made
 * to payments-api forty minutes before (its listener set to STRICT), Slack through the real
 * notifier against the Slack emulator, and the approved rollback through the approval executor
 * and the live App Mesh writer against the App Mesh emulator.
 */

const NAMESPACE = 'ContainerInsights/Prometheus';
const ALARM_AT = Date.parse('2026-11-20T15:11:42Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PER_MINUTE = 3000;

let cw: CloudWatchEmulator;
let slack: SlackEmulator;
let appmesh: AppMeshEmulator;

/** payments-api: 0.2 % of requests over 250 ms, then 25 % since the change 40 minutes before the alarm. */
function seedPayments(slowShare: (t: number) => number, virtualNode = 'payments-api', from = ALARM_AT - 80 * HOUR, to = ALARM_AT): void {
  const latency = [];
  const requests = [];
  for (let t = from; t < to; t += MINUTE) {
    const slow = Math.round(PER_MINUTE * slowShare(t));
    latency.push({ timestamp: t, values: [80, 400], counts: [PER_MINUTE - slow, slow] });
    requests.push({ timestamp: t, values: [PER_MINUTE], counts: [1] });
  }
  const dimensions = { Mesh: 'prod-mesh', VirtualNode: virtualNode };
  cw.seedMetric({ namespace: NAMESPACE, metricName: APPMESH_LATENCY_METRIC, dimensions, points: latency });
  cw.seedMetric({ namespace: NAMESPACE, metricName: APPMESH_REQUEST_COUNT_METRIC, dimensions, points: requests });
}

let recovered = false;

/** payments-api rolled back a minute after the alarm: 0.2 % again for the next 70 minutes (seeded once). */
function seedRecovery(): void {
  if (recovered) return;
  recovered = true;
  seedPayments(() => 0.002, 'payments-api', ALARM_AT + MINUTE, ALARM_AT + 71 * MINUTE);
}

function paymentsNodeSpec(mode: 'PERMISSIVE' | 'STRICT') {
  const node = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode;
  node.spec.listeners[0].tls.mode = mode;
  if (mode === 'STRICT') node.spec.listeners[0].tls.validation = { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } };
  return node.spec;
}

/** What a test changes of rule slo-latency-burn in rules/: its remediation mode, its page and ticket severities. */
type BurnRule = Partial<Pick<Policy['rules']['slo-latency-burn'], 'remediation' | 'pageSeverity' | 'ticketSeverity'>>;

function sloPolicy(autoRollbackOwnChanges = false, burnRule: BurnRule = {}): Policy {
  return paymentsPolicy((p) => {
    Object.assign(p.rules['slo-latency-burn'], burnRule);
    p.slos = [
      {
        name: 'payments-api-latency',
        service: 'payments-api',
        mesh: 'appmesh',
        meshName: 'prod-mesh',
        objective: 99,
        thresholdMs: 250,
        source: { cloudwatch: { namespace: NAMESPACE, region: 'us-west-2' } },
        ...(autoRollbackOwnChanges ? { autoRollbackOwnChanges } : {}),
      },
      {
        name: 'orders-api-latency',
        service: 'orders-api',
        mesh: 'appmesh',
        meshName: 'prod-mesh',
        objective: 99,
        thresholdMs: 250,
        source: { cloudwatch: { namespace: NAMESPACE, region: 'us-west-2' } },
      },
    ];
  });
}

beforeAll(async () => {
  cw = await startCloudWatchEmulator();
  slack = await startSlackEmulator({ workspace: WORKSPACE, users: USERS });
});

afterAll(async () => {
  await Promise.all([cw?.stop(), slack?.stop()]);
});

beforeEach(async () => {
  appmesh = await startAppMeshEmulator({ seed: { meshes: [{ meshName: 'prod-mesh' }], virtualNodes: [{ meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: paymentsNodeSpec('STRICT') }] } });
  slack.reset();
});

afterEach(async () => {
  await appmesh.stop();
});

interface Setup {
  deps: LatencyAlarmDeps;
  ledger: MemoryLedger;
  change: ChangeRecord;
  executors: LatencyAlarmDeps['executors'];
  /** Moves the run's clock (and the ledger's): a later alarm state change. */
  runAt(at: number): void;
}

/** The ledger with meshgov's set-strict change to payments-api, 40 minutes before the alarm, at the node's live version. */
async function setup(options: { autoRollback?: boolean; burning?: boolean; burnRule?: BurnRule; specs?: { before: unknown; after: unknown } } = {}): Promise<Setup> {
  let now = ALARM_AT + 20_000;
  const clock = () => new Date(now);
  const ledger = new MemoryLedger(clock);
  const client = appMeshClientFor(appmesh);
  const live = await client.send(new DescribeVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api' }));
  const changedAt = new Date(ALARM_AT - 40 * MINUTE);
  const change: ChangeRecord = {
    id: 'chg-7a1c2e9b',
    findingId: 'mtls-not-strict:appmesh:prod-mesh/payments-api',
    provider: 'appmesh',
    action: 'appmesh.listener.set-strict',
    target: { kind: 'VirtualNode', mesh: 'prod-mesh', name: 'payments-api', version: live.virtualNode!.metadata!.version },
    before: options.specs?.before ?? paymentsNodeSpec('PERMISSIVE'),
    after: options.specs?.after ?? paymentsNodeSpec('STRICT'),
    reason: 'listener 8080 accepts plaintext; set TLS mode STRICT',
    trigger: { source: 'schedule', eventId: 'c8a9f1e2-3b4d-4c5e-8f6a-7b8c9d0e1f2a', eventTime: changedAt.toISOString(), summary: 'scheduled audit' },
    at: changedAt.toISOString(),
    outcome: 'verified',
    service: 'appmesh:prod-mesh/payments-api',
    expiresAt: Math.floor(ALARM_AT / 1000) + 90 * 86_400,
  };
  await ledger.recordChange(change);
  // An older change to the same service, outside the 1 h alert window: not the suspect.
  await ledger.recordChange({ ...change, id: 'chg-0ld3r001', at: new Date(ALARM_AT - 5 * HOUR).toISOString() });
  const executors = [appMeshExecutor({ client, accountId: '111122223333' })];
  let ids = 0;
  const deps: LatencyAlarmDeps = {
    ledger,
    policy: sloPolicy(options.autoRollback, options.burnRule),
    notifier: new SlackNotifier(slackClientFor(slack), { awsRegion: 'us-west-2' }),
    executors,
    clock,
    dryRun: false,
    newId: (prefix) => `${prefix}-${String(++ids).padStart(4, '0')}`,
    log: () => undefined,
    cloudwatch: cloudWatchSloSource({ client: cloudWatchClientFor(cw) }),
  };
  const runAt = (at: number) => {
    now = at;
  };
  return { deps, ledger, change, executors, runAt };
}

function alarmEvent(state: 'ALARM' | 'OK', id = '0a2c4e6b-8d1f-4a3c-9e5b-7d9f1b3e5a48') {
  const event = sharedEvent('aws/cloudwatch-alarm-state-change-latency.json');
  event.id = id;
  event.detail.state.value = state;
  event.detail.previousState.value = state === 'ALARM' ? 'OK' : 'ALARM';
  return event;
}

/** The SLO sweep rule's EventBridge "Scheduled Event" (the shared event, from another rule). */
function sweepEvent(id: string) {
  const event = sharedEvent('aws/scheduled-event.json');
  event.id = id;
  event.time = new Date(ALARM_AT).toISOString().replace('.000Z', 'Z');
  event.resources = ['arn:aws:events:us-west-2:111122223333:rule/MeshGovernance-MeshGovSloAlarmsSloSweep1A2B3C4D-5E6F7A8B9C0D'];
  return event;
}

async function liveMode(): Promise<string | undefined> {
  const client = appMeshClientFor(appmesh);
  const node = await client.send(new DescribeVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api' }));
  client.destroy();
  return node.virtualNode?.spec?.listeners?.[0]?.tls?.mode;
}

describe('the latency alarm run', () => {
  describe('while payments-api burns', () => {
    beforeAll(() => seedPayments((t) => (t >= ALARM_AT - 40 * MINUTE ? 0.25 : 0.002)));

    it('confirms the burn, names the suspected change in the finding and in Slack, and offers its rollback', async () => {
      const { deps, ledger, change } = await setup();
      const outcome = await runLatencyAlarm(alarmEvent('ALARM'), deps);
      expect(outcome.status).toBe('confirmed');
      if (outcome.status !== 'confirmed') return;

      const record = await ledger.getFinding(outcome.findings[0]);
      expect(record?.status).toBe('open');
      expect(record?.finding.rule).toBe('slo-latency-burn');
      expect(record?.finding.detail.suspect).toMatchObject({ changeId: change.id, relation: 'service', when: change.at, action: 'appmesh.listener.set-strict', byMeshgov: true });
      expect(record?.trigger?.source).toBe('cloudwatch-alarm');

      const [proposal] = outcome.result.proposals;
      expect(proposal.automatic).toBe(false);
      expect(proposal.approval).toMatchObject({ state: 'PENDING', undoOf: change.id, remediation: { action: 'appmesh.listener.set-strict.undo', mode: 'approval', change: { changeId: change.id } } });
      // govern found the rollback already asked and did not ask again.
      expect(outcome.result.governed.approvalsRequested).toEqual([]);

      const posted = slack.messages(CHANNEL).map((m) => JSON.stringify({ text: m.text, blocks: m.blocks }));
      expect(posted.some((m) => m.includes(change.id) && m.includes('payments-api'))).toBe(true);
      expect(slack.messages(CHANNEL).length).toBeGreaterThanOrEqual(2);
    });

    it('rolls the change back when the rollback is approved: the PERMISSIVE listener is restored', async () => {
      const { deps, ledger, change, executors } = await setup();
      const outcome = await runLatencyAlarm(alarmEvent('ALARM', '1b3d5f7a-9c2e-4b4d-8f6a-0c2e4a6c8e91'), deps);
      if (outcome.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${outcome.status}`);
      const approvalId = outcome.result.proposals[0].approval.id;
      expect(await liveMode()).toBe('STRICT');

      await ledger.transitionApproval(approvalId, ['PENDING'], 'APPROVED', { decidedBy: 'U07DAVE0001', decidedAt: deps.clock().toISOString() });
      const executed = await executeApproval(approvalId, { ledger, notifier: deps.notifier, executors, policy: deps.policy, dryRun: false, clock: deps.clock, newId: deps.newId });
      expect(executed).toMatchObject({ status: 'finished', state: 'SUCCEEDED' });
      expect(await liveMode()).toBe('PERMISSIVE');
      const undo = (await ledger.listChanges(new Date(ALARM_AT).toISOString())).find((c) => c.approvalId === approvalId);
      expect(undo).toMatchObject({ action: 'appmesh.listener.set-strict.undo', outcome: 'verified', approvedBy: 'U07DAVE0001' });
      expect(change.id).toBe((await ledger.getApproval(approvalId))?.undoOf);
    });

    it("rolls meshgov's own change back at once when rules/ allows it (autoRollbackOwnChanges, and the rule's remediation auto)", async () => {
      const { deps } = await setup({ autoRollback: true, burnRule: { remediation: 'auto' } });
      const outcome = await runLatencyAlarm(alarmEvent('ALARM', '2c4e6a8b-0d1f-4c3e-9a5b-1d3f5b7d9fa2'), deps);
      if (outcome.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${outcome.status}`);
      expect(outcome.result.proposals[0].automatic).toBe(true);
      expect(outcome.result.automatic).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED' })]);
      expect(await liveMode()).toBe('PERMISSIVE');
    });

    it("does not roll back on its own a change that also enforced the node's client policies: undoing it would send plaintext to servers that may be STRICT since", async () => {
      const enforcing = paymentsNodeSpec('STRICT');
      enforcing.backendDefaults = { clientPolicy: { tls: { enforce: true, ports: [], certificate: { sds: { secretName: 'spiffe://prod-mesh.example.com/payments-api' } }, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } } } } };
      const { deps, ledger, change } = await setup({ autoRollback: true, burnRule: { remediation: 'auto' }, specs: { before: paymentsNodeSpec('PERMISSIVE'), after: enforcing } });
      const outcome = await runLatencyAlarm(alarmEvent('ALARM', '5c7e9fa1-3d4f-4a81-8c2d-4e6a8cae2f35'), deps);
      if (outcome.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${outcome.status}`);
      expect(outcome.result.proposals).toEqual([expect.objectContaining({ automatic: false })]);
      expect(outcome.result.automatic).toEqual([]);
      const approval = await ledger.getApproval(outcome.result.proposals[0].approval.id);
      expect(approval).toMatchObject({ state: 'PENDING', undoOf: change.id, remediation: { reason: expect.stringContaining(`undoing change ${change.id} does more than take servers back to PERMISSIVE`) } });
      expect(await liveMode()).toBe('STRICT');
    });

    it('with autoRollbackOwnChanges but the rule at approval (as shipped), asks for the rollback and runs nothing', async () => {
      const { deps, ledger, change } = await setup({ autoRollback: true, burnRule: { remediation: 'approval' } });
      const outcome = await runLatencyAlarm(alarmEvent('ALARM', '3a5c7e9f-1b2d-4e6f-8a0b-2c4e6a8c0e13'), deps);
      if (outcome.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${outcome.status}`);
      expect(outcome.result.proposals).toEqual([expect.objectContaining({ automatic: false })]);
      expect(outcome.result.automatic).toEqual([]);
      const approval = await ledger.getApproval(outcome.result.proposals[0].approval.id);
      expect(approval).toMatchObject({ state: 'PENDING', undoOf: change.id, remediation: { mode: 'approval', reason: expect.stringContaining('allows at most approval remediation') } });
      expect(await liveMode()).toBe('STRICT');
    });

    it('with the rule at manual, names the suspected change and its Undo but asks nothing and runs nothing, autoRollbackOwnChanges or not', async () => {
      const { deps, ledger, change } = await setup({ autoRollback: true, burnRule: { remediation: 'manual' } });
      const outcome = await runLatencyAlarm(alarmEvent('ALARM', '4b6d8fa0-2c3e-4f70-9b1c-3d5f7b9d1f24'), deps);
      if (outcome.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${outcome.status}`);
      expect(outcome.result.proposals).toEqual([]);
      expect(outcome.result.automatic).toEqual([]);
      expect(outcome.result.governed.approvalsRequested).toEqual([]);
      const record = await ledger.getFinding(outcome.findings[0]);
      expect(record?.status).toBe('open');
      expect(record?.finding.detail.suspect).toMatchObject({ changeId: change.id, byMeshgov: true });
      expect(record?.finding.remediation).toEqual({
        action: 'appmesh.listener.set-strict.undo',
        mode: 'manual',
        reason: expect.stringContaining('rule slo-latency-burn allows only manual remediation'),
        change: { changeId: change.id },
      });
      expect(await ledger.findOpenApproval(outcome.findings[0])).toBeUndefined();
      // The owner is told of the burn and its suspect, with no approval to click.
      const posted = slack.messages(CHANNEL).map((m) => JSON.stringify({ text: m.text, blocks: m.blocks }));
      expect(posted.some((m) => m.includes(change.id))).toBe(true);
      expect(await liveMode()).toBe('STRICT');
    });

    it("grades the finding's windows by the rule's pageSeverity and ticketSeverity, in the alarm run and in the sweep", async () => {
      const burnRule: BurnRule = { pageSeverity: 'high', ticketSeverity: 'low' };
      const gradesIn = async (ledger: MemoryLedger) => {
        const record = (await ledger.listOpenFindings()).find((r) => r.finding.rule === 'slo-latency-burn')!;
        const windows = record.finding.detail.windows as Array<{ kind: string; long: string; short: string; severity: string }>;
        return { trigger: record.trigger?.source, finding: record.finding.severity, windows: windows.map((w) => `${w.kind} ${w.long}/${w.short} ${w.severity}`) };
      };
      const graded = ['page 1h/5m high', 'page 6h/30m high', 'ticket 3d/6h low'];

      const alarm = await setup({ burnRule });
      expect(await runLatencyAlarm(alarmEvent('ALARM', '5c7e9fb1-3d4f-4a81-8c2d-4e6a8cae2a35'), alarm.deps)).toMatchObject({ status: 'confirmed' });
      expect(await gradesIn(alarm.ledger)).toEqual({ trigger: 'cloudwatch-alarm', finding: 'high', windows: graded });

      const sweep = await setup({ burnRule });
      expect(await runLatencyAlarm(sweepEvent('6d8fa0c2-4e5a-4b92-9d3e-5f7b9dbf3b46'), sweep.deps)).toMatchObject({ status: 'swept' });
      expect(await gradesIn(sweep.ledger)).toEqual({ trigger: 'schedule', finding: 'high', windows: graded });
    });

    it('the scheduled sweep reads both App Mesh SLOs in one batch: the burn is reported as an alarm would, and orders-api, which has no traffic here, as slo-no-data', async () => {
      const { deps, ledger, change, runAt } = await setup();
      cw.resetCalls();
      const swept = await runLatencyAlarm(sweepEvent('8c0e2a4b-6d7f-4c9e-a1b2-7d9f1b3d0f58'), deps);
      expect(swept).toMatchObject({ status: 'swept', slos: 2, read: 2 });
      // Both SLOs in the same GetMetricData calls (one per window length, with their pages), not one set per SLO.
      const sweepCalls = cw.requests().filter((r) => !r.nextToken).length;
      cw.resetCalls();
      await runLatencyAlarm(alarmEvent('ALARM', '0e2a4c6d-8f0b-4d1e-b3c4-9fb1d3f5a07c'), deps);
      expect(sweepCalls).toBe(cw.requests().filter((r) => !r.nextToken).length);

      const open = await ledger.listOpenFindings();
      expect(open.map((r) => [r.finding.rule, r.finding.resource.name]).sort()).toEqual([
        ['slo-latency-burn', 'payments-api'],
        ['slo-no-data', 'orders-api'],
      ]);
      const burn = open.find((r) => r.finding.rule === 'slo-latency-burn')!;
      expect(burn.trigger).toMatchObject({ source: 'schedule', summary: 'scheduled SLO sweep' });
      expect(burn.finding.detail.suspect).toMatchObject({ changeId: change.id });
      expect(await ledger.findOpenApproval(burn.id)).toMatchObject({ undoOf: change.id });

      // An hour later payments-api has recovered and orders-api takes traffic: the next sweep clears both.
      seedRecovery();
      seedPayments(() => 0.002, 'orders-api', ALARM_AT + 10 * MINUTE, ALARM_AT + 71 * MINUTE);
      runAt(ALARM_AT + 70 * MINUTE);
      const later = await runLatencyAlarm(sweepEvent('9d1f3b5c-7e8a-4dab-b2c3-8eaf2c4e1a69'), deps);
      expect(later).toMatchObject({ status: 'swept', read: 2, findings: [] });
      expect(await ledger.listOpenFindings()).toEqual([]);
    });

    it('a sweep whose read fails is retried: it throws, and the open findings stay as they are', async () => {
      const { deps, ledger } = await setup();
      const fired = await runLatencyAlarm(alarmEvent('ALARM', 'ae203c4d-8f9b-4ebc-83d4-9fb03d5f2b7a'), deps);
      if (fired.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${fired.status}`);
      // A 400 is not retried by the SDK: the one call of that window fails, for every SLO in it.
      cw.failNext('InvalidParameterValue', 1);
      await expect(runLatencyAlarm(sweepEvent('bf314d5e-9a0c-4fcd-94e5-a0c14e6a3c8b'), deps)).rejects.toThrow(/fresh query: .*payments-api-latency/);
      expect((await ledger.getFinding(fired.findings[0]))?.status).toBe('open');
    });

    it('an OK whose fresh query fails is retried: it throws, and the finding stays open', async () => {
      const { deps, ledger, runAt } = await setup();
      const fired = await runLatencyAlarm(alarmEvent('ALARM', '0c2e4a6b-8d9f-4a1b-9c3d-5e7f9a1b3c5d'), deps);
      if (fired.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${fired.status}`);
      seedRecovery();
      runAt(ALARM_AT + 70 * MINUTE);
      cw.failNext('InvalidParameterValue', 1);
      await expect(runLatencyAlarm(alarmEvent('OK', '1d3f5b7c-9e0a-4b2c-8d4e-6f8a0b2c4d6e'), deps)).rejects.toThrow(/fresh query: .*payments-api-latency/);
      expect((await ledger.getFinding(fired.findings[0]))?.status).toBe('open');
    });

    it('keeps the finding open on an OK while the fresh numbers still burn (another alarm of the composite)', async () => {
      const { deps, ledger } = await setup();
      const fired = await runLatencyAlarm(alarmEvent('ALARM', '6a8c0e2f-4b5d-4a7c-9e9f-5b7d9f1bde36'), deps);
      if (fired.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${fired.status}`);
      const findingId = fired.findings[0];

      // Twenty seconds later nothing has changed: payments-api is still 25 % slow.
      const ok = await runLatencyAlarm(alarmEvent('OK', '7b9d1f3a-5c6e-4b8d-8fa0-6c8e0a2cef47'), deps);
      expect(ok).toEqual({ status: 'still-burning', sloName: 'payments-api-latency', findings: [findingId] });
      const record = await ledger.getFinding(findingId);
      expect(record?.status).toBe('open');
      expect(record?.finding.detail.windows).toEqual(expect.arrayContaining([expect.objectContaining({ long: '1h', short: '5m', factor: 14.4 })]));
    });

    it('resolves the finding on an OK once the burn has stopped, and updates its Slack message', async () => {
      const { deps, ledger, runAt } = await setup();
      const fired = await runLatencyAlarm(alarmEvent('ALARM', '3d5f7b9c-1e2a-4d4f-8b6c-2e4a6c8eab03'), deps);
      if (fired.status !== 'confirmed') throw new Error(`expected a confirmed burn, got ${fired.status}`);
      const findingId = fired.findings[0];
      const ts = (await ledger.getFinding(findingId))?.slack?.ts;
      expect(ts).toBeDefined();

      // Rolled back a minute after the alarm: 0.2 % again, and 70 minutes on no pair fires
      // (6h: 41 slow minutes at 25x, about 2.9x against 6x; 1d: under 1x against 3x).
      seedRecovery();
      runAt(ALARM_AT + 70 * MINUTE);
      const ok = await runLatencyAlarm(alarmEvent('OK', '4e6a8c0d-2f3b-4e5a-9c7d-3f5b7d9fbc14'), deps);
      expect(ok).toEqual({ status: 'resolved', sloName: 'payments-api-latency', resolved: [findingId] });
      expect((await ledger.getFinding(findingId))?.status).toBe('resolved');
      const message = slack.messages(CHANNEL).find((m) => m.ts === ts);
      expect(message?.history.length).toBeGreaterThan(1);
    });
  });

  it('does not page on a 3-minute spike: the fresh query finds the 1h window within budget', async () => {
    // Every orders-api request slow for 3 minutes: 60x over 5m, but 5x over 1h.
    seedPayments((t) => (t >= ALARM_AT - 3 * MINUTE ? 1 : 0.002), 'orders-api');
    const { deps, ledger } = await setup();
    const event = alarmEvent('ALARM', '5f7b9d1e-3a4c-4f6b-8d8e-4a6c8e0acd25');
    event.detail.alarmName = 'meshgov-slo-latency-orders-api';
    event.detail.configuration.metrics[1].metricStat.metric.dimensions = { Mesh: 'prod-mesh', VirtualNode: 'checkout-api', TargetVirtualNode: 'orders-api' };
    event.detail.configuration.metrics[2].metricStat.metric.dimensions = { Mesh: 'prod-mesh', VirtualNode: 'orders-api' };
    expect(await runLatencyAlarm(event, deps)).toEqual({ status: 'not-confirmed', sloName: 'orders-api-latency', resolved: [] });
    // Not for want of data: the short window does burn.
    const { indicators } = await evaluateSlos(slosOfPolicy(deps.policy).filter((s) => s.name === 'orders-api-latency'), { cloudwatch: deps.cloudwatch }, deps.clock());
    const page = indicators[0].windows.find((w) => w.long === '1h' && w.short === '5m')!;
    expect(page.burnShort).toBeGreaterThanOrEqual(14.4);
    expect(page.burnLong).toBeLessThan(14.4);
    expect(await ledger.listOpenFindings()).toEqual([]);
    expect(await ledger.findOpenApproval('anything')).toBeUndefined();
  });

  it('ignores INSUFFICIENT_DATA and the single-window alarms behind a composite', async () => {
    const { deps } = await setup();
    const insufficient = alarmEvent('ALARM');
    insufficient.detail.state.value = 'INSUFFICIENT_DATA';
    expect(await runLatencyAlarm(insufficient, deps)).toMatchObject({ status: 'ignored' });
    const window = alarmEvent('ALARM');
    window.detail.alarmName = 'meshgov-slo-payments-api-latency-page-1h-5m-short';
    expect(await runLatencyAlarm(window, deps)).toMatchObject({ status: 'ignored', reason: expect.stringContaining('composite') });
  });

  it('names the field of a malformed event', async () => {
    const { deps } = await setup();
    const event = alarmEvent('ALARM');
    delete event.detail.alarmName;
    await expect(runLatencyAlarm(event, deps)).rejects.toThrow(/detail\.alarmName/);
    const wrongState = alarmEvent('ALARM');
    wrongState.detail.state.value = 'FIRING';
    await expect(runLatencyAlarm(wrongState, deps)).rejects.toThrow(/detail\.state\.value/);
  });
});
