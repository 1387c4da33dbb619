/**
 * The blast radius (maxChangesPerRun, maxChangesPerHour) counts every change that wrote to the
 * mesh, not only the verified ones: a write can land and still end `failed` when its read-back
 * fails (an API server shedding load answers the re-read with 503). Real parts: the Kubernetes
 * and App Mesh emulators with their fault injection, the live Istio and App Mesh executors, the
 * agent's executeRemediation behind the hub's agent executor, govern() and the memory ledger.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { executeApproval } from '../../functions/core/approvals/execute-approval';
import { undoableFailure } from '../../functions/core/remediation/undoable-failure';
import { MemoryLedger } from '../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../functions/core/ledger/types';
import { meshgovChangesSince } from '../../functions/core/ledger/meshgov-changes';
import type { ExecuteResponse } from '../../functions/core/link';
import { auditScope, type ScopedReport } from '../../functions/core/pipeline/audit-scope';
import { govern, type GovernDeps, type GovernResult } from '../../functions/core/pipeline/govern';
import type { RemediationExecutor } from '../../functions/core/pipeline/ports';
import type { Trigger } from '../../functions/core/pipeline/trigger';
import { loadPolicy } from '../../functions/core/policy/load';
import type { Policy } from '../../functions/core/policy/types';
import { AGENT_BUILDERS } from '../../functions/gcp/agent-deps';
import { agentExecutor } from '../../functions/providers/agent/agent-executor';
import { buildAppMeshModel } from '../../functions/providers/appmesh';
import { appMeshExecutor, appMeshSource, MeshSnapshotCache } from '../../functions/providers/appmesh/live';
import { istioExecutor, istioSource } from '../../functions/providers/istio/live';
import { RecordingNotifier } from '../support/recording-notifier';
import type { AppMeshEmulator, AppMeshSeed } from '../emulators/appmesh';
import { ACCOUNT_ID } from '../emulators/appmesh/appMeshTestFixtures';
import { loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesEmulator, type KubernetesObject } from '../emulators/kubernetes';
import { clientFor, startEmulator } from './appmesh/support/harness';
import { FLEET_MESH } from './appmesh/support/mesh-fleet';
import { storySeed } from './appmesh/support/story-mesh';
import { agentEnvironment, kubeconfigFile, LINK_SECRET, removeKubeconfigFiles } from './gcp/agent-environment';
import { startFunctionsServer, type FunctionsServer } from './gcp/functions-server';
import { controlPlane, paymentsNamespace } from './istio/cluster-fixture';

const scheduled = (clock: () => Date): Trigger => ({ source: 'cloud-scheduler', eventId: 'sched-1', eventTime: clock().toISOString(), summary: 'scheduled audit' });

function limited(perRun: number, perHour: number): Policy {
  const policy = loadPolicy();
  policy.remediation.maxChangesPerRun = perRun;
  policy.remediation.maxChangesPerHour = perHour;
  return policy;
}

function governDeps(policy: Policy, executor: RemediationExecutor, ledger: MemoryLedger, clock: () => Date): GovernDeps {
  let n = 0;
  return { ledger, policy, executors: [executor], clock, dryRun: false, newId: (prefix) => `${prefix}-${++n}` };
}

/**
 * The executor as the approval worker reaches it for an Undo: the hub's agent executor takes every
 * `istio.*` action, an Undo included, and the agent reverts the recorded change with this executor.
 */
function undoing(executor: RemediationExecutor): RemediationExecutor {
  return { ...executor, handles: (remediation) => executor.handles(remediation) || (remediation.action.startsWith('istio.') && remediation.action.endsWith('.undo')) };
}

function autoChanges(scoped: ScopedReport): number {
  return new Set(scoped.report.findings.filter((f) => f.remediation?.mode === 'auto').map((f) => JSON.stringify(f.remediation!.change))).size;
}

describe('Istio: PeerAuthentications patched while the API server answers their re-reads with 503', () => {
  const NAMESPACES = ['pay-a', 'pay-b', 'pay-c'];
  let emulator: KubernetesEmulator;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator();
  });
  afterAll(async () => emulator?.stop());

  /** payments' workloads and PERMISSIVE policy, once per namespace: one STRICT auto fix each. */
  function copyOf(ns: string): KubernetesObject[] {
    return JSON.parse(JSON.stringify(paymentsNamespace()).replaceAll('payments', ns).replace(/"uid":"[^"]*"/g, `"uid":"${ns}-uid"`));
  }

  async function cluster() {
    emulator.reset();
    emulator.seed([...controlPlane(), ...NAMESPACES.flatMap(copyOf)]);
    const k8s = await loadKubernetesClient();
    const kubeConfig = await loadKubeConfigFor(emulator);
    const clock = () => new Date();
    const audit = async (policy: Policy, fixes = NAMESPACES.length) => {
      const scoped = await auditScope(scheduled(clock), { kind: 'all', providers: ['istio', 'x509'] }, { source: istioSource({ kubeConfig, client: k8s }), builders: AGENT_BUILDERS, policy, clock });
      expect(autoChanges(scoped)).toBe(fixes);
      return scoped;
    };
    return { executor: istioExecutor({ kubeConfig, client: k8s, sleep: async () => undefined }), audit, clock };
  }

  /**
   * Once a PeerAuthentication is patched, every read of it answers 503 (API Priority and Fairness
   * shedding load), until the returned function ends the overload.
   */
  function failReadsAfterPatch(): () => void {
    const patched = new Set<string>();
    let overloaded = true;
    emulator.failNext(
      (call) => {
        if (!overloaded || call.resource !== 'peerauthentications') return false;
        if (call.verb === 'patch') patched.add(`${call.namespace}/${call.name}`);
        return call.verb === 'get' && patched.has(`${call.namespace}/${call.name}`);
      },
      503,
      1000,
      { retryAfterSeconds: 0 },
    );
    return () => (overloaded = false);
  }

  const strict = () => NAMESPACES.filter((ns) => (emulator.get('PeerAuthentication', ns, 'default')!['spec'] as any).mtls.mode === 'STRICT');

  function expectOneLandedFailure(result: GovernResult): void {
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]).toMatchObject({ outcome: 'failed', wrote: true, detail: expect.stringContaining('patched, but the re-read failed') });
  }

  it('maxChangesPerRun 1 and maxChangesPerHour 1: one write, and the hour is used up', async () => {
    const { executor, audit, clock } = await cluster();
    const policy = limited(1, 1);
    const ledger = new MemoryLedger(clock);
    const scoped = await audit(policy);
    failReadsAfterPatch();

    const result = await govern(scoped, governDeps(policy, executor, ledger, clock));

    expectOneLandedFailure(result);
    expect(strict()).toHaveLength(1);
    expect(await ledger.reserveChangeSlot('chg-probe', 1)).toBeUndefined();
    expect(await meshgovChangesSince(ledger, new Date(clock().getTime() - 3_600_000))).toBe(1);
  });

  it('maxChangesPerRun 1 alone: the write that failed its re-read ends the run', async () => {
    const { executor, audit, clock } = await cluster();
    const policy = limited(1, 100);
    const scoped = await audit(policy);
    failReadsAfterPatch();

    const result = await govern(scoped, governDeps(policy, executor, new MemoryLedger(clock), clock));

    expectOneLandedFailure(result);
    expect(strict()).toHaveLength(1);
  });

  it('maxChangesPerHour 1 alone: one write, and a run later in the hour with a healthy API server writes nothing', async () => {
    const { executor, audit, clock } = await cluster();
    const policy = limited(100, 1);
    const ledger = new MemoryLedger(clock);
    const deps = governDeps(policy, executor, ledger, clock);
    const scoped = await audit(policy);
    const recover = failReadsAfterPatch();

    expectOneLandedFailure(await govern(scoped, deps));
    expect(strict()).toHaveLength(1);

    recover();
    const again = await govern(await audit(policy, NAMESPACES.length - 1), deps);
    expect(again.changes).toEqual([]);
    expect(strict()).toHaveLength(1);
  });

  it('a fix that wrote nothing (its first read failed) gives its slot back to the next one, and offers no Undo', async () => {
    const { executor, audit, clock } = await cluster();
    const policy = limited(1, 1);
    const ledger = new MemoryLedger(clock);
    const scoped = await audit(policy);
    const first = scoped.report.findings.find((f) => f.remediation?.mode === 'auto')!.resource.namespace!;
    emulator.failNext({ verb: 'get', resource: 'peerauthentications', namespace: first }, 503, 1000, { retryAfterSeconds: 0 });
    const notifier = new RecordingNotifier();

    const result = await govern(scoped, { ...governDeps(policy, executor, ledger, clock), notifier });
    const [failed, verified] = result.changes;
    expect(notifier.sent.filter((m) => m.type === 'change').map((m) => [m.id, m.kind])).toEqual([
      [failed!.id, 'failed'],
      [verified!.id, `undo-${verified!.id}`],
    ]);

    expect(result.changes.map((c) => [c.target['namespace'], c.outcome, c.wrote])).toEqual([
      [first, 'failed', false],
      [expect.not.stringMatching(first), 'verified', true],
    ]);
    expect(strict()).toHaveLength(1);
    expect(strict()).not.toContain(first);
  });

  it('a patch that landed but whose re-read failed records what it set, so its revert undoes it once reads work, and not over a later edit', async () => {
    const { executor, audit, clock } = await cluster();
    const policy = limited(1, 1);
    const ledger = new MemoryLedger(clock);
    const scoped = await audit(policy);
    const endOverload = failReadsAfterPatch();
    const notifier = new RecordingNotifier();
    const [landed] = (await govern(scoped, { ...governDeps(policy, executor, ledger, clock), notifier })).changes;
    const ns = landed!.target['namespace'] as string;
    expect(landed).toMatchObject({ outcome: 'failed', wrote: true, before: { spec: { mtls: { mode: 'PERMISSIVE' } } }, after: { metadata: { namespace: ns, name: 'default' }, spec: { mtls: { mode: 'STRICT' } } } });
    // `after` is the object the patch made (its answer), at the version it made: nothing wrote since.
    expect((landed!.after as { metadata: Record<string, unknown> }).metadata['resourceVersion']).toBe(emulator.get('PeerAuthentication', ns, 'default')!.metadata.resourceVersion);
    // Its announcement offers the Undo, as a verified change's does.
    expect(notifier.sent.filter((m) => m.type === 'change')).toEqual([expect.objectContaining({ id: landed!.id, kind: `undo-${landed!.id}` })]);
    expect(await ledger.getApproval(`undo-${landed!.id}`)).toMatchObject({ state: 'PENDING', undoOf: landed!.id });
    endOverload();

    const context = { trigger: scheduled(clock), changeId: 'chg-undo-1' };
    // Someone set the mode again since: the revert leaves their edit alone.
    const edited = emulator.get('PeerAuthentication', ns, 'default')!;
    emulator.bumpResourceVersion('PeerAuthentication', ns, 'default', (pa) => ((pa['spec'] as any).mtls.mode = 'PERMISSIVE'));
    expect(await executor.revert(landed!, context)).toMatchObject({ outcome: 'aborted', wrote: false, detail: expect.stringContaining('spec.mtls.mode changed again since') });
    emulator.bumpResourceVersion('PeerAuthentication', ns, 'default', (pa) => (pa['spec'] = edited['spec']));

    // A person clicks the announcement's Undo: the approval worker reverts the failed change.
    const undoId = `undo-${landed!.id}`;
    await ledger.transitionApproval(undoId, ['PENDING'], 'APPROVED', { decidedBy: 'U07PRIYA0001', decidedAt: clock().toISOString() });
    const undone = await executeApproval(undoId, { ledger, executors: [undoing(executor)], policy, dryRun: false, clock, newId: (prefix) => `${prefix}-undo` });
    expect(undone).toMatchObject({ status: 'finished', state: 'SUCCEEDED', change: { outcome: 'verified', wrote: true } });
    expect((emulator.get('PeerAuthentication', ns, 'default')!['spec'] as any).mtls.mode).toBe('PERMISSIVE');
  });

  it("a patch someone else overwrote before the re-read is not rolled back over, and records what meshgov wrote as its after: its Undo then leaves the other edit alone", async () => {
    const { executor, audit, clock } = await cluster();
    const policy = limited(1, 1);
    const ledger = new MemoryLedger(clock);
    const scoped = await audit(policy);
    // bob edits the policy between meshgov's patch and its re-read (PERMISSIVE again, and a port of his own).
    let patches = 0;
    let edited = false;
    emulator.failNext(
      (call) => {
        if (call.resource !== 'peerauthentications') return false;
        if (call.verb === 'patch') patches++;
        if (call.verb === 'get' && patches === 1 && !edited) {
          edited = true;
          emulator.bumpResourceVersion('PeerAuthentication', call.namespace, call.name!, (pa) => ((pa['spec'] as any) = { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } }));
        }
        return false;
      },
      403,
      1,
    );
    const notifier = new RecordingNotifier();
    const [failed] = (await govern(scoped, { ...governDeps(policy, executor, ledger, clock), notifier })).changes;
    const ns = failed!.target['namespace'] as string;
    expect(failed).toMatchObject({ outcome: 'failed', wrote: true, afterWritten: true, detail: expect.stringContaining('not rolled back over that write'), after: { spec: { mtls: { mode: 'STRICT' } } } });
    expect(patches).toBe(1);
    const bobs = emulator.get('PeerAuthentication', ns, 'default')!['spec'];

    const undoId = `undo-${failed!.id}`;
    await ledger.transitionApproval(undoId, ['PENDING'], 'APPROVED', { decidedBy: 'U07PRIYA0001', decidedAt: clock().toISOString() });
    const undone = await executeApproval(undoId, { ledger, executors: [undoing(executor)], policy, dryRun: false, clock, newId: (prefix) => `${prefix}-undo` });
    expect(undone).toMatchObject({ status: 'finished', state: 'FAILED', detail: expect.stringContaining('changed again since') });
    expect(emulator.get('PeerAuthentication', ns, 'default')!['spec']).toEqual(bobs);
  });
});

describe("the hub's agent executor against the agent, whose re-reads answer 503", () => {
  let emulator: KubernetesEmulator;
  let agent: FunctionsServer;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator();
    agent = await startFunctionsServer({
      target: 'executeRemediation',
      env: agentEnvironment({ kubeconfig: kubeconfigFile(emulator), hubUrl: 'https://hub.invalid/agent/findings', extra: { MESHGOV_DRY_RUN: 'false' } }),
    });
  });
  afterAll(async () => {
    await agent?.stop();
    await emulator?.stop();
    removeKubeconfigFiles();
  });

  it('a change the agent reports failed after its patch landed counts at the hub: one write, and the hour is used up', async () => {
    const NAMESPACES = ['pay-a', 'pay-b'];
    emulator.reset();
    emulator.seed([...controlPlane(), ...NAMESPACES.flatMap((ns) => JSON.parse(JSON.stringify(paymentsNamespace()).replaceAll('payments', ns).replace(/"uid":"[^"]*"/g, `"uid":"${ns}-uid"`)))]);
    const clock = () => new Date();
    const policy = limited(1, 1);
    const kubeConfig = await loadKubeConfigFor(emulator);
    const scoped = await auditScope(scheduled(clock), { kind: 'all', providers: ['istio', 'x509'] }, { source: istioSource({ kubeConfig, client: await loadKubernetesClient() }), builders: AGENT_BUILDERS, policy, clock });
    expect(autoChanges(scoped)).toBe(2);
    const patched = new Set<string>();
    emulator.failNext(
      (call) => {
        if (call.resource !== 'peerauthentications') return false;
        if (call.verb === 'patch') patched.add(`${call.namespace}/${call.name}`);
        return call.verb === 'get' && patched.has(`${call.namespace}/${call.name}`);
      },
      503,
      1000,
      { retryAfterSeconds: 0 },
    );
    const ledger = new MemoryLedger(clock);

    const result = await govern(scoped, governDeps(policy, agentExecutor({ url: agent.url, secret: async () => LINK_SECRET }), ledger, clock));

    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]).toMatchObject({ outcome: 'failed', wrote: true, detail: expect.stringContaining('patched, but the re-read failed') });
    expect(NAMESPACES.filter((ns) => (emulator.get('PeerAuthentication', ns, 'default')!['spec'] as any).mtls.mode === 'STRICT')).toHaveLength(1);
    expect(await ledger.reserveChangeSlot('chg-probe', 1)).toBeUndefined();
  });
});

describe('App Mesh: virtual nodes written while App Mesh answers their read-back with 503', () => {
  const NODES = ['orders-api-legacy', 'orders-api-legacy-b', 'orders-api-legacy-c'];
  const ATTEMPTS = 2;
  let emulator: AppMeshEmulator;
  let client: AppMeshClient;

  afterEach(async () => {
    client?.destroy();
    await emulator?.stop();
  });

  /** The story mesh with two more copies of orders-api-legacy: three PERMISSIVE nodes, three STRICT auto fixes. */
  function seed(): AppMeshSeed {
    const story = storySeed();
    const legacy = story.virtualNodes!.find((n) => n.virtualNodeName === NODES[0])!;
    for (const [i, name] of NODES.slice(1).entries()) {
      const copy = JSON.parse(JSON.stringify(legacy).replaceAll(NODES[0]!, name));
      copy.metadata = { ...copy.metadata, uid: `3a9c1e5b-7d2f-4b8a-a0c6-9e1f3b5d7a2${5 + i}` };
      story.virtualNodes!.push(copy);
    }
    return story;
  }

  async function start() {
    emulator = await startEmulator({ seed: seed() });
    client = clientFor(emulator, { maxAttempts: ATTEMPTS });
    const source = appMeshSource({ client, cache: new MeshSnapshotCache() });
    const clock = () => new Date();
    const audit = async (policy: Policy) => {
      const scoped = await auditScope(scheduled(clock), { kind: 'all', providers: ['appmesh'] }, { source, builders: [buildAppMeshModel], policy, clock });
      expect(autoChanges(scoped)).toBe(NODES.length);
      return scoped;
    };
    return { executor: appMeshExecutor({ client, accountId: ACCOUNT_ID }), audit, clock };
  }

  /** After each UpdateVirtualNode, the read-back of the node fails on every attempt. */
  function failReadBackAfterUpdate(): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (context.commandName === 'UpdateVirtualNodeCommand') emulator.failNext('DescribeVirtualNode', 503, ATTEMPTS);
        return output;
      },
      { step: 'initialize', name: 'failReadBackAfterUpdate' },
    );
  }

  const strict = () => NODES.filter((name) => (emulator.state.describe('virtualNode', FLEET_MESH, name) as any).spec.listeners[0].tls.mode === 'STRICT');

  it('maxChangesPerRun 1 and maxChangesPerHour 1: one write, and the hour is used up', async () => {
    const { executor, audit, clock } = await start();
    const policy = limited(1, 1);
    const ledger = new MemoryLedger(clock);
    const scoped = await audit(policy);
    failReadBackAfterUpdate();

    const result = await govern(scoped, governDeps(policy, executor, ledger, clock));

    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]).toMatchObject({ outcome: 'failed', wrote: true, detail: expect.stringMatching(/^wrote VirtualNode prod-mesh\/orders-api-legacy(-b|-c)? \(version \d+\) but could not read it back: ServiceUnavailableException/) });
    expect(strict()).toHaveLength(1);
    expect(emulator.calls().UpdateVirtualNode).toBe(1);
    expect(await ledger.reserveChangeSlot('chg-probe', 1)).toBeUndefined();
  });

  it('a write App Mesh refused (LimitExceededException, the node unchanged) wrote nothing: its slot goes to the next fix', async () => {
    const { executor, audit, clock } = await start();
    const policy = limited(1, 1);
    const scoped = await audit(policy);
    emulator.failNext('UpdateVirtualNode', 'LimitExceededException', 1, 'You have exceeded a service limit for your account.');

    const result = await govern(scoped, governDeps(policy, executor, new MemoryLedger(clock), clock));

    expect(result.changes.map((c) => [c.outcome, c.wrote])).toEqual([
      ['failed', false],
      ['verified', true],
    ]);
    expect(result.changes[0]!.detail).toContain('the resource is unchanged');
    expect(strict()).toEqual([result.changes[1]!.target['name']]);
  });

  it('maxChangesPerHour 1 alone: a run later in the hour writes nothing more', async () => {
    const { executor, audit, clock } = await start();
    const policy = limited(100, 1);
    const ledger = new MemoryLedger(clock);
    const deps = governDeps(policy, executor, ledger, clock);
    failReadBackAfterUpdate();

    const first = await govern(await audit(policy), deps);
    expect(first.changes.map((c) => [c.outcome, c.wrote])).toEqual([['failed', true]]);

    client.middlewareStack.remove('failReadBackAfterUpdate');
    const scoped = await auditScope(scheduled(clock), { kind: 'all', providers: ['appmesh'] }, { source: appMeshSource({ client, cache: new MeshSnapshotCache() }), builders: [buildAppMeshModel], policy, clock });
    const again = await govern(scoped, deps);
    expect(again.changes).toEqual([]);
    expect(strict()).toHaveLength(1);
    expect(emulator.calls().UpdateVirtualNode).toBe(1);
  });
});

describe("the hub's agent executor: whether the agent wrote", () => {
  const remediation = { action: 'istio.peerauthentication.set-strict', mode: 'auto' as const, reason: 'r', change: { operation: 'merge-patch', target: { namespace: 'pay-a', name: 'default' } } };
  const context = { trigger: { source: 'cloud-scheduler' as const, eventId: 'e', eventTime: '2026-11-20T15:00:00Z', summary: 's' }, changeId: 'chg-1' };
  const answer = (status: number, body: Partial<ExecuteResponse> | string) => new Response(typeof body === 'string' ? body : JSON.stringify({ changeId: 'chg-1', target: {}, ...body }), { status });

  /** An executor whose agent gives these answers (or throws these errors), one per attempt. */
  function against(...answers: Array<Response | Error>) {
    let calls = 0;
    const fetch = (async () => {
      const next = answers[Math.min(calls++, answers.length - 1)]!;
      if (next instanceof Error) throw next;
      return next.clone();
    }) as unknown as typeof globalThis.fetch;
    return agentExecutor({ url: 'https://agent.invalid/executeRemediation', secret: async () => LINK_SECRET, fetch, attempts: 3 });
  }

  const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), { code: 'ECONNREFUSED' }) });
  const timedOut = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });

  it.each([
    ['409 aborted from an agent from before `wrote`: nothing was written', [answer(409, { outcome: 'aborted', detail: 'changed since the audit read it' })], 'aborted', false],
    ['500 failed from an agent from before `wrote`: it may have landed', [answer(500, { outcome: 'failed', detail: 'patched, but the re-read failed' })], 'failed', true],
    ['500 failed that says nothing was written', [answer(500, { outcome: 'failed', detail: 'cannot read the object', wrote: false })], 'failed', false],
    ['500 failed that says it wrote', [answer(500, { outcome: 'failed', detail: 'patched, but the re-read failed', wrote: true })], 'failed', true],
    ['200 verified with nothing to write', [answer(200, { outcome: 'verified', detail: 'the change is already in place', wrote: false })], 'verified', false],
    ['a refused signature (401)', [answer(401, { error: 'bad-signature' } as never)], 'failed', false],
    ['an agent that is not configured (500 before reading the request)', [answer(500, { error: 'agent-misconfigured', message: 'the agent is not configured; see its logs', changeId: undefined, target: undefined } as never)], 'failed', false],
    ['a gateway timeout on every attempt: the agent may have run behind it', [answer(504, 'upstream request timeout')], 'failed', true],
    ['a gateway timeout, then an abort: the first attempt may have written', [answer(504, 'upstream request timeout'), answer(409, { outcome: 'aborted', detail: 'changed since the audit read it' })], 'aborted', true],
    ['no connection on any attempt: nothing was sent', [refused], 'failed', false],
    ['no answer in time: the request was sent', [timedOut], 'failed', true],
  ] as Array<[string, Array<Response | Error>, string, boolean]>)('%s', async (_what, answers, outcome, wrote) => {
    const result = await against(...answers).apply(remediation, context);
    expect(result).toMatchObject({ outcome, wrote });
  });

  it("relays that a failed change's after is what the agent wrote only when the agent says so: an older agent's after may be a re-read of someone else's edit", async () => {
    const after = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'pay-a' }, spec: { mtls: { mode: 'STRICT' } } };
    const before = { ...after, spec: { mtls: { mode: 'PERMISSIVE' } } };
    const marked = await against(answer(500, { outcome: 'failed', detail: 'patched, but the re-read failed', wrote: true, before, after, afterWritten: true })).apply(remediation, context);
    expect(marked).toMatchObject({ outcome: 'failed', wrote: true, after, afterWritten: true });
    const older = await against(answer(500, { outcome: 'failed', detail: 'patched, but the re-read failed', wrote: true, before, after })).apply(remediation, context);
    expect(older.afterWritten).toBeUndefined();
    const record = (result: typeof older): ChangeRecord => ({ id: 'chg-1', provider: 'istio', action: remediation.action, reason: 'r', trigger: context.trigger, at: '2026-11-20T15:00:01Z', expiresAt: 1_900_000_000, ...result, before: result.before, after: result.after });
    expect([undoableFailure(record(marked)), undoableFailure(record(older))]).toEqual([true, false]);
  });
});
