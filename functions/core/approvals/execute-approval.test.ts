import { storylineMesh } from '../../../test/integration/slack/support/fleet';
import { RecordingExecutor, type HeldResource } from '../../../test/integration/slack/support/recording-executor';
import { paymentsPolicy } from '../../../test/integration/slack/support/storyline';
import { RecordingNotifier } from '../../../test/support/recording-notifier';
import { buildAppMeshModel } from '../../providers/appmesh';
import { MemoryLedger } from '../ledger/memory-ledger';
import type { ApprovalRecord, ChangeRecord } from '../ledger/types';
import { emptyInventory, type AppMeshApiType, type Inventory } from '../model/inventory';
import { auditScope } from '../pipeline/audit-scope';
import { govern } from '../pipeline/govern';
import { resolveFinding } from '../pipeline/observe-findings';
import type { InventorySource } from '../pipeline/ports';
import type { Trigger } from '../pipeline/trigger';
import { executeApproval, EXECUTING_TAKEOVER_MS, type ExecuteApprovalDeps } from './execute-approval';

const NOW = new Date('2026-11-20T15:04:12Z');
const CAROL = 'U05JX7RB2LM';
const TYPES: Record<string, AppMeshApiType> = { meshes: 'mesh', virtualNodes: 'virtualNode', virtualServices: 'virtualService', virtualRouters: 'virtualRouter', routes: 'route', virtualGateways: 'virtualGateway', gatewayRoutes: 'gatewayRoute' };
const trigger: Trigger = {
  source: 'cloudtrail',
  eventId: 'b3f1c2d4-8e7a-4b6c-9d05-1a2e3f4c5d6e',
  eventTime: '2026-11-20T15:00:49Z',
  actor: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com',
  summary: 'UpdateVirtualNode payments-api by alice@example.com',
};

/** prod-mesh as Describe returns it, held in memory: the source reads it, the executor writes it. */
class HeldMesh implements InventorySource {
  readonly objects = Object.entries(storylineMesh()).flatMap(([key, list]) => (list as any[]).map((data) => ({ type: TYPES[key], data: structuredClone(data) })));
  readonly resources = new Map<string, HeldResource>();
  constructor() {
    for (const o of this.objects) if (o.type === 'virtualNode') this.resources.set(`prod-mesh/${o.data.virtualNodeName}`, { spec: o.data.spec, version: o.data.metadata.version });
  }
  async collect(): Promise<Inventory> {
    const inventory = emptyInventory();
    for (const o of this.objects) {
      const held = o.type === 'virtualNode' ? this.resources.get(`prod-mesh/${o.data.virtualNodeName}`) : undefined;
      const data = held ? { ...o.data, spec: held.spec, metadata: { ...o.data.metadata, version: held.version } } : o.data;
      inventory.appmeshApi.push({ doc: { type: o.type, data }, source: { file: data.metadata.arn, line: 1 } });
    }
    return inventory;
  }
}

async function setup(edit: (deps: ExecuteApprovalDeps) => void = () => {}) {
  const policy = paymentsPolicy((p) => (p.rules['mtls-client-not-enforced'].remediation = 'approval'));
  const ledger = new MemoryLedger(() => NOW);
  const mesh = new HeldMesh();
  const executor = new RecordingExecutor(mesh.resources);
  const notifier = new RecordingNotifier();
  const scoped = await auditScope(trigger, { kind: 'all', providers: ['appmesh'] }, { source: mesh, builders: [buildAppMeshModel], policy, clock: () => NOW });
  await govern(scoped, { ledger, policy, notifier, executors: [], clock: () => NOW, dryRun: false, newId: (p) => `${p}-0` });
  const finding = scoped.report.findings.find((f) => f.rule === 'mtls-client-not-enforced' && f.resource.name === 'payments-worker')!;
  const pending = (await ledger.findOpenApproval(finding.id))!;
  await ledger.transitionApproval(pending.id, ['PENDING'], 'APPROVED', { decidedBy: CAROL, decidedAt: NOW.toISOString() });
  let ids = 0;
  const deps: ExecuteApprovalDeps = {
    ledger,
    notifier,
    executors: [executor],
    policy,
    dryRun: false,
    clock: () => NOW,
    newId: (p) => `${p}-${++ids}`,
    freshState: { providers: ['appmesh'], source: mesh, builders: [buildAppMeshModel] },
  };
  edit(deps);
  return { ledger, mesh, executor, notifier, deps, approval: pending };
}

const updatesOf = (n: RecordingNotifier) => n.sent.filter((s) => s.type === 'approval-update').map((s) => s.kind);

describe('executeApproval', () => {
  test('an approved fix is applied once, recorded, and its message redrawn SUCCEEDED', async () => {
    const { ledger, mesh, executor, notifier, deps, approval } = await setup();
    const outcome = await executeApproval(approval.id, deps);
    expect(outcome).toMatchObject({ status: 'finished', state: 'SUCCEEDED', detail: expect.stringMatching(/^applied and verified: prod-mesh\/payments-worker updated to version 5 \(change chg-1\)$/) });
    expect(executor.calls.map((c) => [c.kind, c.changeId])).toEqual([['apply', 'chg-1']]);
    expect(executor.calls[0].trigger).toEqual({ source: 'slack', eventId: approval.id, eventTime: NOW.toISOString(), actor: `slack:${CAROL}`, summary: `approval ${approval.id} by Slack user ${CAROL}` });
    expect(mesh.resources.get('prod-mesh/payments-worker')!.spec.backends[0].virtualService.clientPolicy.tls.enforce).toBe(true);
    expect(await ledger.getChange('chg-1')).toMatchObject({ approvalId: approval.id, approvedBy: CAROL, outcome: 'verified', service: 'appmesh:prod-mesh/payments-worker', before: expect.anything(), after: expect.anything() });
    expect(updatesOf(notifier)).toEqual(['SUCCEEDED']);
    // Delivered again: nothing more happens.
    expect(await executeApproval(approval.id, deps)).toEqual({ status: 'ignored', approvalId: approval.id, reason: 'already SUCCEEDED' });
    expect(executor.calls).toHaveLength(1);
  });

  test('two deliveries at once run the change once', async () => {
    const { executor, deps, approval } = await setup();
    const outcomes = await Promise.all([executeApproval(approval.id, deps), executeApproval(approval.id, deps)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['finished', 'ignored']);
    expect(executor.calls).toHaveLength(1);
  });

  test('a change whose check failed and was restored ends ROLLED_BACK and says so', async () => {
    const { ledger, executor, notifier, deps, approval } = await setup();
    executor.nextOutcome = 'rolled-back';
    const outcome = await executeApproval(approval.id, deps);
    expect(outcome).toMatchObject({ state: 'ROLLED_BACK', detail: expect.stringMatching(/^applied, but the check failed, so the previous spec was restored: listener TLS did not read back STRICT/) });
    expect(await ledger.getApproval(approval.id)).toMatchObject({ state: 'ROLLED_BACK', outcome: expect.stringContaining('previous spec was restored') });
    expect(updatesOf(notifier)).toEqual(['ROLLED_BACK']);
  });

  test('an executor that throws ends FAILED, with the attempt on record', async () => {
    const { ledger, executor, deps, approval } = await setup();
    executor.throwOnApply = new Error('connect ETIMEDOUT 203.0.113.10:443');
    expect(await executeApproval(approval.id, deps)).toMatchObject({ state: 'FAILED', detail: 'failed: connect ETIMEDOUT 203.0.113.10:443 (change chg-1)' });
    expect(await ledger.getChange('chg-1')).toMatchObject({ outcome: 'failed', detail: 'connect ETIMEDOUT 203.0.113.10:443' });
  });

  test('no executor for the action here ends FAILED, and nothing runs', async () => {
    const { deps, approval } = await setup((d) => (d.executors = []));
    expect(await executeApproval(approval.id, deps)).toMatchObject({ state: 'FAILED', detail: 'no executor here applies appmesh.client-policy.enforce' });
  });

  test('the blast radius per hour, counted from the ledger, defers the change', async () => {
    const { ledger, executor, deps, approval } = await setup((d) => (d.policy.remediation.maxChangesPerHour = 2));
    for (const id of ['chg-a', 'chg-b']) {
      await ledger.recordChange({ id, findingId: `f-${id}`, provider: 'appmesh', action: 'appmesh.listener.set-strict', target: {}, before: {}, after: {}, reason: 'auto', trigger, at: new Date(NOW.getTime() - 10 * 60_000).toISOString(), outcome: 'verified', expiresAt: 1_900_000_000 } as ChangeRecord);
    }
    expect(await executeApproval(approval.id, deps)).toEqual({ status: 'deferred', approvalId: approval.id, reason: 'blast radius: 2 change(s) in the last hour already made', retryAfterSeconds: 300 });
    expect((await ledger.getApproval(approval.id))?.state).toBe('APPROVED');
    expect(executor.calls).toEqual([]);
  });

  test('a slot held by a change under way elsewhere defers the change, though the ledger counts no change yet', async () => {
    const { ledger, executor, deps, approval } = await setup((d) => (d.policy.remediation.maxChangesPerHour = 1));
    expect(await ledger.reserveChangeSlot('chg-concurrent', 1)).toBe(0);
    expect(await executeApproval(approval.id, deps)).toEqual({ status: 'deferred', approvalId: approval.id, reason: 'blast radius: 1 change(s) in the last hour already made or under way', retryAfterSeconds: 300 });
    expect((await ledger.getApproval(approval.id))?.state).toBe('APPROVED');
    expect(executor.calls).toEqual([]);
  });

  test('a change that wrote nothing gives its slot back; one that took effect keeps it', async () => {
    const failed = await setup((d) => (d.policy.remediation.maxChangesPerHour = 1));
    failed.executor.apply = async () => ({ outcome: 'failed', detail: 'could not read VirtualNode prod-mesh/payments-worker before writing: ServiceUnavailableException; nothing was changed', target: {}, wrote: false });
    const run = { changesThisRun: 0 };
    expect(await executeApproval(failed.approval.id, failed.deps, run)).toMatchObject({ state: 'FAILED' });
    expect(await failed.ledger.reserveChangeSlot('chg-next', 1)).toBe(0);
    expect(run.changesThisRun).toBe(0);
    expect(await failed.ledger.getChange('chg-1')).toMatchObject({ outcome: 'failed', wrote: false });

    const applied = await setup((d) => (d.policy.remediation.maxChangesPerHour = 1));
    expect(await executeApproval(applied.approval.id, applied.deps)).toMatchObject({ state: 'SUCCEEDED' });
    expect(await applied.ledger.reserveChangeSlot('chg-next', 1)).toBeUndefined();
  });

  test.each([
    ['a write that landed but could not be read back', { outcome: 'failed' as const, detail: 'wrote VirtualNode prod-mesh/payments-worker (version 5) but could not read it back: ServiceUnavailableException', target: {}, wrote: true }],
    ['a write that was rolled back', { outcome: 'rolled-back' as const, detail: 'listener TLS did not read back STRICT; previous spec restored', target: {}, wrote: true }],
  ])('%s keeps its slot and counts against the run', async (_what, result) => {
    const landed = await setup((d) => (d.policy.remediation.maxChangesPerHour = 1));
    landed.executor.apply = async () => result;
    const run = { changesThisRun: 0 };
    expect(await executeApproval(landed.approval.id, landed.deps, run)).toMatchObject({ status: 'finished' });
    expect(run.changesThisRun).toBe(1);
    expect(await landed.ledger.reserveChangeSlot('chg-next', 1)).toBeUndefined();
    expect(await landed.ledger.getChange('chg-1')).toMatchObject({ outcome: result.outcome, wrote: true });
  });

  test('an executor that throws may have written (a timeout after sending): the slot stays taken and the run counts it', async () => {
    const thrown = await setup((d) => (d.policy.remediation.maxChangesPerHour = 1));
    thrown.executor.throwOnApply = new Error('read ETIMEDOUT');
    const run = { changesThisRun: 0 };
    expect(await executeApproval(thrown.approval.id, thrown.deps, run)).toMatchObject({ state: 'FAILED' });
    expect(run.changesThisRun).toBe(1);
    expect(await thrown.ledger.reserveChangeSlot('chg-next', 1)).toBeUndefined();
  });

  test('the blast radius per run defers the rest of a batch', async () => {
    const { deps, approval } = await setup((d) => (d.policy.remediation.maxChangesPerRun = 1));
    expect(await executeApproval(approval.id, deps, { changesThisRun: 1 })).toMatchObject({ status: 'deferred', reason: 'blast radius: 1 change(s) per run already made' });
  });

  test('without a fresh-state reader for the provider, the executor\'s version check is the last guard', async () => {
    const { mesh, deps, approval } = await setup((d) => delete d.freshState);
    mesh.resources.get('prod-mesh/payments-worker')!.version = 9;
    expect(await executeApproval(approval.id, deps)).toMatchObject({ state: 'FAILED', detail: 'not applied: prod-mesh/payments-worker is at version 9, not 4 (change chg-1)' });
  });

  test('a finding fixed by hand since the request is refused, not re-applied', async () => {
    const { mesh, executor, deps, approval } = await setup();
    const tls = mesh.resources.get('prod-mesh/payments-worker')!.spec.backends[0].virtualService.clientPolicy.tls;
    tls.enforce = true;
    tls.certificate = { file: { certificateChain: '/etc/appmesh/certs/payments-worker.pem', privateKey: '/etc/appmesh/certs/payments-worker.key' } };
    expect(await executeApproval(approval.id, deps)).toMatchObject({ state: 'FAILED', detail: 'refused at execution: the finding is no longer there: it was fixed or changed since the request' });
    expect(executor.calls).toEqual([]);
  });

  test('an Undo of a change that did not hold is refused', async () => {
    const { ledger, executor, deps, approval } = await setup();
    await ledger.recordChange({ id: 'chg-x', provider: 'appmesh', action: 'appmesh.client-policy.enforce', target: { mesh: 'prod-mesh', name: 'payments-worker', version: 5 }, before: {}, after: {}, reason: 'auto', trigger, at: NOW.toISOString(), outcome: 'rolled-back', expiresAt: 1_900_000_000 });
    const undo: ApprovalRecord = { ...approval, id: 'undo-chg-x', undoOf: 'chg-x', state: 'APPROVED', remediation: { action: 'appmesh.client-policy.enforce.undo', mode: 'approval', reason: 'undo of automatic change chg-x', change: { changeId: 'chg-x' } }, version: 1 };
    await ledger.createApproval(undo);
    expect(await executeApproval('undo-chg-x', deps)).toMatchObject({ state: 'FAILED', detail: 'change chg-x ended rolled-back: there is nothing of it to undo' });
    expect(executor.calls).toEqual([]);
  });

  test('REJECTED and EXPIRED approvals are only redrawn; PENDING and unknown ones are left alone', async () => {
    const { ledger, notifier, executor, deps, approval } = await setup();
    await ledger.createApproval({ ...approval, id: 'rmd-000000000001', state: 'REJECTED', version: 1 });
    await ledger.createApproval({ ...approval, id: 'rmd-000000000002', state: 'PENDING', version: 1 });
    expect(await executeApproval('rmd-000000000001', deps)).toEqual({ status: 'shown', approvalId: 'rmd-000000000001', state: 'REJECTED' });
    expect(await executeApproval('rmd-000000000002', deps)).toEqual({ status: 'ignored', approvalId: 'rmd-000000000002', reason: 'already PENDING' });
    expect(await executeApproval('rmd-ffffffffffff', deps)).toEqual({ status: 'ignored', approvalId: 'rmd-ffffffffffff', reason: 'no such approval on record' });
    expect(updatesOf(notifier)).toEqual(['REJECTED']);
    expect(executor.calls).toEqual([]);
  });

  test('a Slack failure while redrawing does not change what the ledger says', async () => {
    const { ledger, notifier, deps, approval } = await setup();
    notifier.down = true;
    expect(await executeApproval(approval.id, deps)).toMatchObject({ state: 'SUCCEEDED' });
    expect((await ledger.getApproval(approval.id))?.state).toBe('SUCCEEDED');
  });
});

describe('executeApproval when something fails on the way', () => {
  const LATER = new Date(NOW.getTime() + EXECUTING_TAKEOVER_MS);
  const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
  /**
   * A delivery that applies the change, then cannot record it or end the approval (the ledger
   * throttled until the Lambda died): the approval is left EXECUTING with its change made.
   */
  async function dieAfterApplying(ledger: MemoryLedger, approvalId: string, deps: ExecuteApprovalDeps): Promise<void> {
    const { recordChange, transitionApproval } = ledger;
    ledger.recordChange = async () => {
      throw throttled();
    };
    ledger.transitionApproval = async (id, from, to, patch, options) => {
      if (to !== 'EXECUTING') throw throttled();
      return transitionApproval.call(ledger, id, from, to, patch, options);
    };
    await expect(executeApproval(approvalId, deps)).rejects.toThrow('Rate of requests');
    ledger.recordChange = recordChange;
    ledger.transitionApproval = transitionApproval;
  }
  /** An apply that never comes back (the Lambda timed out); resolves once it was called. */
  const hang = (executor: RecordingExecutor) =>
    new Promise<void>((called) => {
      executor.apply = () => {
        called();
        return new Promise(() => {});
      };
    });

  test('a re-check that cannot read leaves the approval APPROVED, so the retry runs it', async () => {
    const { ledger, mesh, executor, deps, approval } = await setup();
    const collect = mesh.collect.bind(mesh);
    mesh.collect = async () => {
      throw Object.assign(new Error('ListMeshes: ServiceUnavailableException (HTTP 503)'), { name: 'ServiceUnavailableException' });
    };
    await expect(executeApproval(approval.id, deps)).rejects.toThrow('ServiceUnavailableException');
    expect((await ledger.getApproval(approval.id))?.state).toBe('APPROVED');
    expect(executor.calls).toEqual([]);

    mesh.collect = collect;
    expect(await executeApproval(approval.id, deps)).toMatchObject({ status: 'finished', state: 'SUCCEEDED' });
    expect(executor.calls).toHaveLength(1);
  });

  test('the claim is stamped with its time and change id; another delivery within the takeover window leaves it alone', async () => {
    const { ledger, executor, deps, approval } = await setup();
    const applying = hang(executor);
    void executeApproval(approval.id, deps);
    await applying;
    expect(await ledger.getApproval(approval.id)).toMatchObject({ state: 'EXECUTING', outcome: `applying since ${NOW.toISOString()} as change chg-1` });
    deps.clock = () => new Date(LATER.getTime() - 1);
    expect(await executeApproval(approval.id, deps)).toEqual({ status: 'ignored', approvalId: approval.id, reason: 'already EXECUTING' });
  });

  test('an attempt that died before applying is taken over after the window and applied once, as the same change', async () => {
    const { ledger, mesh, executor, deps, approval } = await setup();
    const apply = executor.apply.bind(executor);
    const applying = hang(executor);
    void executeApproval(approval.id, deps);
    await applying;

    executor.apply = apply;
    deps.clock = () => LATER;
    expect(await executeApproval(approval.id, deps)).toMatchObject({
      status: 'finished',
      state: 'SUCCEEDED',
      detail: `the attempt that started at ${NOW.toISOString()} as change chg-1 was interrupted; applied and verified: prod-mesh/payments-worker updated to version 5 (change chg-1)`,
    });
    expect(executor.calls.map((c) => c.changeId)).toEqual(['chg-1']);
    expect(mesh.resources.get('prod-mesh/payments-worker')!.version).toBe(5);
    expect(await ledger.getChange('chg-1')).toMatchObject({ approvalId: approval.id, outcome: 'verified' });
  });

  test('two deliveries that both find the attempt abandoned: one takes it over and applies it, once', async () => {
    const { ledger, executor, deps, approval } = await setup();
    const apply = executor.apply.bind(executor);
    const died = hang(executor);
    void executeApproval(approval.id, deps);
    await died;

    // Both read EXECUTING with the old stamp before either claims it.
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const getApproval = ledger.getApproval.bind(ledger);
    ledger.getApproval = async (id) => {
      const read = await getApproval(id);
      if (++reads === 2) release();
      await bothRead;
      return read;
    };
    executor.apply = apply;
    deps.clock = () => LATER;
    const outcomes = await Promise.all([executeApproval(approval.id, deps), executeApproval(approval.id, deps)]);
    ledger.getApproval = getApproval;

    expect(outcomes.map((o) => o.status).sort()).toEqual(['finished', 'ignored']);
    expect(outcomes.find((o) => o.status === 'ignored')).toEqual({ status: 'ignored', approvalId: approval.id, reason: 'another delivery took it over' });
    expect(executor.calls.map((c) => c.changeId)).toEqual(['chg-1']);
    expect(await ledger.getApproval(approval.id)).toMatchObject({ state: 'SUCCEEDED' });
  });

  test('a takeover stamps the claim again, so a delivery within the new window leaves it alone', async () => {
    const { ledger, executor, deps, approval } = await setup();
    const died = hang(executor);
    void executeApproval(approval.id, deps);
    await died;
    const diedAgain = hang(executor);
    deps.clock = () => LATER;
    void executeApproval(approval.id, deps);
    await diedAgain;
    expect(await ledger.getApproval(approval.id)).toMatchObject({ state: 'EXECUTING', outcome: `applying since ${LATER.toISOString()} as change chg-1` });
    deps.clock = () => new Date(LATER.getTime() + EXECUTING_TAKEOVER_MS - 1);
    expect(await executeApproval(approval.id, deps)).toEqual({ status: 'ignored', approvalId: approval.id, reason: 'already EXECUTING' });
  });

  test('an attempt that died after recording its change is finished from the record, without applying again', async () => {
    const { ledger, executor, notifier, deps, approval } = await setup();
    const transition = ledger.transitionApproval.bind(ledger);
    ledger.transitionApproval = async (id, from, to, patch, options) => {
      if (to !== 'EXECUTING') throw throttled();
      return transition(id, from, to, patch, options);
    };
    await expect(executeApproval(approval.id, deps)).rejects.toThrow('Rate of requests');
    expect(await ledger.getApproval(approval.id)).toMatchObject({ state: 'EXECUTING' });
    expect(await ledger.getChange('chg-1')).toMatchObject({ outcome: 'verified' });

    ledger.transitionApproval = transition;
    deps.clock = () => LATER;
    expect(await executeApproval(approval.id, deps)).toMatchObject({ status: 'finished', state: 'SUCCEEDED', detail: 'applied and verified: prod-mesh/payments-worker updated to version 5 (change chg-1)' });
    expect(executor.calls).toHaveLength(1);
    expect(updatesOf(notifier)).toEqual(['SUCCEEDED']);
  });

  test('an attempt that died after applying but before recording is closed without applying again', async () => {
    const { ledger, executor, deps, approval } = await setup();
    await dieAfterApplying(ledger, approval.id, deps);

    deps.clock = () => LATER;
    const outcome = await executeApproval(approval.id, deps);
    expect(outcome).toMatchObject({ status: 'finished', state: 'SUCCEEDED', detail: expect.stringContaining('the finding is no longer there, so nothing more was applied') });
    expect(executor.calls).toHaveLength(1);
    expect(await ledger.findOpenApproval(approval.findingId)).toBeUndefined();
  });

  test('without a fresh-state reader (Istio), a takeover whose finding a later audit resolved is closed without applying again', async () => {
    const { ledger, executor, deps, approval } = await setup((d) => delete d.freshState);
    await dieAfterApplying(ledger, approval.id, deps);
    // The audit the change itself set off (the agent's report) resolved the finding.
    await resolveFinding(ledger, (await ledger.getFinding(approval.findingId))!, new Date(NOW.getTime() + 60_000));

    deps.clock = () => LATER;
    expect(await executeApproval(approval.id, deps)).toMatchObject({ status: 'finished', state: 'SUCCEEDED', detail: expect.stringContaining('the finding is no longer there, so nothing more was applied') });
    expect(executor.calls).toHaveLength(1);
  });

  test('a re-check that throws gives back the blast-radius slot it took', async () => {
    const { ledger, mesh, deps, approval } = await setup((d) => (d.policy.remediation.maxChangesPerHour = 1));
    mesh.collect = async () => {
      throw Object.assign(new Error('ListMeshes: ServiceUnavailableException (HTTP 503)'), { name: 'ServiceUnavailableException' });
    };
    await expect(executeApproval(approval.id, deps)).rejects.toThrow('ServiceUnavailableException');
    expect(await ledger.reserveChangeSlot('chg-other', 1)).toBeDefined();
  });

  test('a change record that cannot be written is tried again, then named in the outcome and logged whole', async () => {
    const logs: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const { ledger, deps, approval } = await setup((d) => (d.log = (message, fields) => logs.push({ message, fields })));
    let tries = 0;
    ledger.recordChange = async () => {
      tries++;
      throw throttled();
    };
    const outcome = await executeApproval(approval.id, deps);
    expect(tries).toBe(3);
    expect(outcome).toMatchObject({ state: 'SUCCEEDED', detail: expect.stringMatching(/\(change chg-1\); its change record could not be written \(Rate of requests exceeds the allowed throughput\.\), so it is missing from the ledger$/) });
    expect(logs.find((l) => l.message === 'change made but its record could not be written')?.fields).toMatchObject({ change: { id: 'chg-1', outcome: 'verified', before: expect.anything() } });
  });

  test('an EXECUTING approval without a stamp (claimed by an older worker) is taken over once its decision is older than the window', async () => {
    const { ledger, executor, deps, approval } = await setup();
    await ledger.transitionApproval(approval.id, ['APPROVED'], 'EXECUTING');
    expect(await executeApproval(approval.id, deps)).toMatchObject({ status: 'ignored', reason: 'already EXECUTING' });
    deps.clock = () => LATER;
    expect(await executeApproval(approval.id, deps)).toMatchObject({ status: 'finished', state: 'SUCCEEDED', detail: expect.stringMatching(/^the attempt was interrupted; applied and verified/) });
    expect(executor.calls).toHaveLength(1);
  });
});
