/**
 * A PeerAuthentication meshgov created, that someone edited before meshgov's re-read, and whose
 * clean-up delete was refused: the change ends `failed`, and its `after` is the object read
 * back, which holds the other person's edit, not meshgov's. Such a record is not marked
 * `afterWritten`, so it gets no Undo: an Undo would delete the object, their edit with it.
 * Real parts: the Kubernetes emulator, the live Istio reader and executor, the approval worker.
 */
import { executeApproval } from '../../../functions/core/approvals/execute-approval';
import { auditWithBuilders } from '../../../functions/core/audit';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import { pendingApproval } from '../../../functions/core/pipeline/approval-request';
import type { RemediationExecutor } from '../../../functions/core/pipeline/ports';
import { routeFor } from '../../../functions/core/pipeline/route';
import { loadPolicy } from '../../../functions/core/policy/load';
import { undoActionOf } from '../../../functions/core/remediation/undo-action';
import { undoableFailure } from '../../../functions/core/remediation/undoable-failure';
import { buildIstioModel } from '../../../functions/providers/istio';
import { istioExecutor, istioSource } from '../../../functions/providers/istio/live';
import { buildCertificateModel } from '../../../functions/providers/x509';
import { controlPlane, neighbourNamespaces, paymentsNamespace } from './cluster-fixture';
import { startLiveCluster, type LiveCluster } from './live-cluster';

let live: LiveCluster | undefined;
afterEach(async () => live?.emulator.stop());

/** As the hub's agent executor takes an Istio Undo to the agent, which reverts with this executor. */
function undoing(executor: RemediationExecutor): RemediationExecutor {
  return { ...executor, handles: (r) => executor.handles(r) || (r.action.startsWith('istio.') && r.action.endsWith('.undo')) };
}

it("a created policy someone edited before the re-read, whose delete was refused, gets no Undo, and the approval worker leaves it in place", async () => {
  // A PERMISSIVE mesh, and orders without a policy of its own: the fix creates one.
  const objects = [...controlPlane(), ...paymentsNamespace(), ...neighbourNamespaces()].map((o) =>
    o.kind === 'PeerAuthentication' && o.metadata.namespace === 'istio-system' ? { ...o, spec: { mtls: { mode: 'PERMISSIVE' } } } : o,
  );
  live = await startLiveCluster(objects);
  const cluster = live;
  const policy = loadPolicy();
  const clock = () => new Date();
  const inventory = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s }).collect({ kind: 'istio-namespace', namespace: 'orders' });
  const finding = auditWithBuilders(inventory, { policy, now: clock(), builders: [buildIstioModel, buildCertificateModel] }).findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'orders-api')!;
  const remediation = finding.remediation!;
  expect(remediation.action).toBe('istio.peerauthentication.create-strict');

  // bob edits the new policy before meshgov reads it back (PERMISSIVE, a port exception of his); meshgov's delete is refused.
  let created = false;
  let edited = false;
  cluster.emulator.failNext(
    (call) => {
      if (call.resource !== 'peerauthentications' || call.namespace !== 'orders') return false;
      if (call.verb === 'create') created = true;
      if (call.verb === 'get' && created && !edited) {
        edited = true;
        cluster.emulator.bumpResourceVersion('PeerAuthentication', 'orders', 'default', (pa) => ((pa['spec'] as any) = { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } }));
        return false;
      }
      return call.verb === 'delete';
    },
    403,
    1,
  );
  const trigger = { source: 'cloud-scheduler' as const, eventId: 'sched-orders', eventTime: clock().toISOString(), summary: 'scheduled audit' };
  const executor = istioExecutor({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, sleep: cluster.sleep });
  const result = await executor.apply(remediation, { trigger, changeId: 'chg-create-1', findingId: finding.id, approved: false });
  expect(result).toMatchObject({ outcome: 'failed', wrote: true, before: null, detail: expect.stringContaining('deleting it failed') });
  expect(result.afterWritten).toBeUndefined();
  const bobs = structuredClone(cluster.emulator.get('PeerAuthentication', 'orders', 'default')!['spec']);

  const change: ChangeRecord = { id: 'chg-create-1', findingId: finding.id, provider: 'istio', action: remediation.action, target: result.target, before: result.before, after: result.after, reason: remediation.reason, trigger, at: clock().toISOString(), outcome: result.outcome, wrote: true, detail: result.detail, service: 'istio:orders/orders-api', expiresAt: 2_000_000_000 };
  expect(undoableFailure(change)).toBe(false);

  // Even an Undo approval made for it some other way is refused before the executor runs.
  const ledger = new MemoryLedger(clock);
  await ledger.recordChange(change);
  const undo = pendingApproval(`undo-${change.id}`, finding, { action: undoActionOf(change.action), mode: 'approval', reason: `undo of automatic change ${change.id}`, change: { changeId: change.id } }, routeFor(finding, policy), policy, clock(), { undoOf: change.id });
  await ledger.createApproval(undo);
  await ledger.transitionApproval(undo.id, ['PENDING'], 'APPROVED', { decidedBy: 'U07PRIYA0001', decidedAt: clock().toISOString() });
  const undone = await executeApproval(undo.id, { ledger, executors: [undoing(executor)], policy, dryRun: false, clock, newId: (p) => `${p}-undo` });
  expect(undone).toMatchObject({ status: 'finished', state: 'FAILED', detail: expect.stringContaining('there is nothing of it to undo') });
  expect(cluster.emulator.get('PeerAuthentication', 'orders', 'default')!['spec']).toEqual(bobs);
});
