/**
 * A PeerAuthentication meshgov created that does not hold its spec on the re-read.
 * - Someone edited it between the create and the re-read: its resourceVersion moved on from the
 *   one the create made, so the object is theirs as much as meshgov's. meshgov does not delete
 *   it (their edit would go with it): the change ends `failed`, recording as `after` what the
 *   create made (`afterWritten`), and its Undo, asked of the approval worker, leaves it in place
 *   too, because the spec is no longer the one meshgov created.
 * - Nobody wrote after it, but a mutating admission policy made it differ (still at the
 *   version the create made), and the clean-up delete is refused: the object is exactly what
 *   meshgov's create made, so its Undo deletes it.
 * Real parts: the Kubernetes emulator, the live Istio reader and executor, the approval worker.
 */
import { executeApproval } from '../../../functions/core/approvals/execute-approval';
import { auditWithBuilders } from '../../../functions/core/audit';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import { pendingApproval } from '../../../functions/core/pipeline/approval-request';
import type { ApplyResult, RemediationExecutor } from '../../../functions/core/pipeline/ports';
import { routeFor } from '../../../functions/core/pipeline/route';
import { loadPolicy } from '../../../functions/core/policy/load';
import { undoActionOf } from '../../../functions/core/remediation/undo-action';
import { undoableFailure } from '../../../functions/core/remediation/undoable-failure';
import { buildIstioModel } from '../../../functions/providers/istio';
import { istioExecutor, istioSource } from '../../../functions/providers/istio/live';
import { buildCertificateModel } from '../../../functions/providers/x509';
import { controlPlane, neighbourNamespaces, paymentsNamespace } from './cluster-fixture';
import { startLiveCluster, type LiveCluster } from './live-cluster';
import { startMutatingAdmission, type MutatingAdmission } from './mutating-admission-proxy';
import { loadKubeConfigFor } from '../../emulators/kubernetes';
import type { Finding } from '../../../functions/core/findings';

let live: LiveCluster | undefined;
let admission: MutatingAdmission | undefined;
afterEach(async () => {
  await admission?.stop();
  await live?.emulator.stop();
  admission = undefined;
});

/** As the hub's agent executor takes an Istio Undo to the agent, which reverts with this executor. */
function undoing(executor: RemediationExecutor): RemediationExecutor {
  return { ...executor, handles: (r) => executor.handles(r) || (r.action.startsWith('istio.') && r.action.endsWith('.undo')) };
}

const policy = loadPolicy();
const clock = () => new Date();
const trigger = { source: 'cloud-scheduler' as const, eventId: 'sched-orders', eventTime: clock().toISOString(), summary: 'scheduled audit' };

/** A PERMISSIVE mesh, and orders without a policy of its own: its fix creates one. */
async function ordersFix(): Promise<{ cluster: LiveCluster; finding: Finding }> {
  const objects = [...controlPlane(), ...paymentsNamespace(), ...neighbourNamespaces()].map((o) =>
    o.kind === 'PeerAuthentication' && o.metadata.namespace === 'istio-system' ? { ...o, spec: { mtls: { mode: 'PERMISSIVE' } } } : o,
  );
  live = await startLiveCluster(objects);
  const inventory = await istioSource({ kubeConfig: live.kubeConfig, client: live.k8s }).collect({ kind: 'istio-namespace', namespace: 'orders' });
  const finding = auditWithBuilders(inventory, { policy, now: clock(), builders: [buildIstioModel, buildCertificateModel] }).findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'orders-api')!;
  expect(finding.remediation!.action).toBe('istio.peerauthentication.create-strict');
  return { cluster: live, finding };
}

function changeOf(finding: Finding, result: ApplyResult): ChangeRecord {
  const remediation = finding.remediation!;
  return {
    id: 'chg-create-1', findingId: finding.id, provider: 'istio', action: remediation.action, target: result.target, before: result.before, after: result.after,
    ...(result.afterWritten ? { afterWritten: true } : {}),
    reason: remediation.reason, trigger, at: clock().toISOString(), outcome: result.outcome, wrote: true, detail: result.detail, service: 'istio:orders/orders-api', expiresAt: 2_000_000_000,
  };
}

/** The Undo of `change`, approved by a person and run by the approval worker. */
async function undoApproved(change: ChangeRecord, finding: Finding, executor: RemediationExecutor) {
  const ledger = new MemoryLedger(clock);
  await ledger.recordChange(change);
  const undo = pendingApproval(`undo-${change.id}`, finding, { action: undoActionOf(change.action), mode: 'approval', reason: `undo of change ${change.id}`, change: { changeId: change.id } }, routeFor(finding, policy), policy, clock(), { undoOf: change.id });
  await ledger.createApproval(undo);
  await ledger.transitionApproval(undo.id, ['PENDING'], 'APPROVED', { decidedBy: 'U07PRIYA0001', decidedAt: clock().toISOString() });
  return executeApproval(undo.id, { ledger, executors: [undoing(executor)], policy, dryRun: false, clock, newId: (p) => `${p}-undo` });
}

it('a created policy someone edited before the re-read is not deleted, and its Undo, run by the approval worker, leaves it in place', async () => {
  const { cluster, finding } = await ordersFix();
  // bob edits the new policy before meshgov reads it back (PERMISSIVE, a port exception of his).
  let created = false;
  let edited = false;
  cluster.emulator.failNext(
    (call) => {
      if (call.resource !== 'peerauthentications' || call.namespace !== 'orders') return false;
      if (call.verb === 'create') created = true;
      if (call.verb === 'get' && created && !edited) {
        edited = true;
        cluster.emulator.bumpResourceVersion('PeerAuthentication', 'orders', 'default', (pa) => ((pa['spec'] as any) = { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } }));
      }
      return false;
    },
    403,
    1,
  );
  const executor = istioExecutor({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, sleep: cluster.sleep });
  const result = await executor.apply(finding.remediation!, { trigger, changeId: 'chg-create-1', findingId: finding.id, approved: false });

  expect(result).toMatchObject({ outcome: 'failed', wrote: true, before: null, afterWritten: true, after: { spec: { mtls: { mode: 'STRICT' } } }, detail: expect.stringContaining('after meshgov created it') });
  expect(result.detail).toContain('not deleted');
  expect(cluster.emulator.requests().filter((r) => r.verb === 'delete')).toEqual([]);
  const bobs = structuredClone(cluster.emulator.get('PeerAuthentication', 'orders', 'default')!['spec']);
  expect(bobs).toEqual({ mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } });

  const change = changeOf(finding, result);
  expect(undoableFailure(change)).toBe(true);
  const undone = await undoApproved(change, finding, executor);
  expect(undone).toMatchObject({ status: 'finished', state: 'FAILED', detail: expect.stringContaining('has been replaced or edited since; it is left in place') });
  expect(cluster.emulator.requests().filter((r) => r.verb === 'delete')).toEqual([]);
  expect(cluster.emulator.get('PeerAuthentication', 'orders', 'default')!['spec']).toEqual(bobs);
});

it("a created policy an admission policy turned PERMISSIVE, whose delete was refused, is exactly meshgov's: its Undo deletes it", async () => {
  const { cluster, finding } = await ordersFix();
  admission = await startMutatingAdmission(cluster.emulator.url, (method, path, body) =>
    method === 'POST' && path === '/apis/security.istio.io/v1/namespaces/orders/peerauthentications' ? { ...body, spec: { mtls: { mode: 'PERMISSIVE' } } } : undefined,
  );
  cluster.emulator.failNext({ verb: 'delete', resource: 'peerauthentications', namespace: 'orders' }, 403, 1);
  const executor = istioExecutor({ kubeConfig: await loadKubeConfigFor(admission.url), client: cluster.k8s, sleep: cluster.sleep });
  const result = await executor.apply(finding.remediation!, { trigger, changeId: 'chg-create-1', findingId: finding.id, approved: false });

  expect(result).toMatchObject({ outcome: 'failed', wrote: true, before: null, afterWritten: true, after: { spec: { mtls: { mode: 'PERMISSIVE' } } }, detail: expect.stringContaining('deleting it failed') });
  expect(cluster.emulator.get('PeerAuthentication', 'orders', 'default')).toBeDefined();

  const change = changeOf(finding, result);
  expect(undoableFailure(change)).toBe(true);
  const undone = await undoApproved(change, finding, executor);
  expect(undone).toMatchObject({ status: 'finished', state: 'SUCCEEDED' });
  expect(cluster.emulator.get('PeerAuthentication', 'orders', 'default')).toBeUndefined();
});
