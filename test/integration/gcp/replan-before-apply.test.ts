/**
 * The agent plans every change again on a full read of its cluster before applying it
 * (functions/gcp/replan-change.ts). The real parts: the Kubernetes emulator, the agent served
 * by functions-framework (executeRemediation), the hub's agentExecutor, govern() and
 * executeApproval() wired as the approval worker is deployed (fresh state for App Mesh only,
 * functions/aws/slack/wire-slack.ts), and the live Istio reader standing in for the agent's audits.
 */
import { executeApproval } from '../../../functions/core/approvals/execute-approval';
import type { Remediation } from '../../../functions/core/findings';
import type { ApprovalRecord } from '../../../functions/core/ledger/types';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { signRequest, type ExecuteRequest } from '../../../functions/core/link';
import { emptyInventory } from '../../../functions/core/model/inventory';
import { auditScope, type ScopedReport } from '../../../functions/core/pipeline/audit-scope';
import { govern, type GovernDeps } from '../../../functions/core/pipeline/govern';
import type { Trigger } from '../../../functions/core/pipeline/trigger';
import { loadPolicy } from '../../../functions/core/policy/load';
import type { Policy } from '../../../functions/core/policy/types';
import { AGENT_BUILDERS } from '../../../functions/gcp/agent-deps';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import { agentExecutor } from '../../../functions/providers/agent/agent-executor';
import { istioSource } from '../../../functions/providers/istio/live';
import { loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesEmulator, type KubernetesObject } from '../../emulators/kubernetes';
import { RecordingNotifier } from '../../support/recording-notifier';
import { controlPlane, neighbourNamespaces, paymentsNamespace } from '../istio/cluster-fixture';
import { agentEnvironment, kubeconfigFile, LINK_SECRET, removeKubeconfigFiles } from './agent-environment';
import { startFunctionsServer, type FunctionsServer } from './functions-server';

let emulator: KubernetesEmulator;
let agent: FunctionsServer;

beforeAll(async () => {
  emulator = await startKubernetesEmulator();
  agent = await startFunctionsServer({ target: 'executeRemediation', env: agentEnvironment({ kubeconfig: kubeconfigFile(emulator), hubUrl: 'https://hub.invalid/agent/findings', extra: { MESHGOV_DRY_RUN: 'false' } }) });
});
afterAll(async () => {
  await agent?.stop();
  await emulator?.stop();
  removeKubeconfigFiles();
});
beforeEach(() => {
  emulator.reset();
  agent.clearLogs();
});

const FULL = { kind: 'all', providers: ['istio', 'x509'] } as const;
const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** orders-api has a sidecar and no rule of its own toward payments yet; no sidecar-less legacy-batch: payments STRICT is safe. */
function cleanCluster(): KubernetesObject[] {
  const neighbours = neighbourNamespaces().filter((o) => o.metadata.name !== 'payments-api-plaintext' && o.metadata.namespace !== 'legacy-batch' && o.metadata.name !== 'legacy-batch');
  return [...controlPlane(), ...paymentsNamespace(), ...neighbours];
}
/** orders starts sending plaintext to payments-api: a DestinationRule with DISABLE toward its host. */
const plaintextRule = (): KubernetesObject => neighbourNamespaces().find((o) => o.metadata.name === 'payments-api-plaintext')!;
const paymentsPolicy = () => emulator.get('PeerAuthentication', 'payments', 'default');
const writes = () => emulator.requests().filter((r) => WRITES.has(r.verb));
const PLAINTEXT_BLOCKER = 'DestinationRule orders/payments-api-plaintext sends plaintext to Deployment payments/payments-api port 8080';

let eventNumber = 0;
const scheduled = (): Trigger => ({ source: 'cloud-scheduler', eventId: `sched-${++eventNumber}`, eventTime: new Date().toISOString(), summary: 'scheduled full audit' });

/** A full audit of the emulator, as the agent's scheduled audit reports it to the hub. */
async function agentAudit(policy: Policy = loadPolicy()): Promise<ScopedReport> {
  const source = istioSource({ kubeConfig: await loadKubeConfigFor(emulator), client: await loadKubernetesClient() });
  return auditScope(scheduled(), FULL, { source, builders: AGENT_BUILDERS, policy, clock: () => new Date() });
}

function paymentsFinding(scoped: ScopedReport) {
  return scoped.report.findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api')!;
}

/** A RecordingNotifier that also keeps what each redrawn approval said. */
class OutcomeNotifier extends RecordingNotifier {
  readonly redrawn: ApprovalRecord[] = [];
  override async updateApproval(approval: ApprovalRecord): Promise<void> {
    await super.updateApproval(approval);
    this.redrawn.push(approval);
  }
}

function hub(policy: Policy) {
  const ledger = new MemoryLedger();
  const notifier = new OutcomeNotifier();
  let n = 0;
  const deps: GovernDeps = {
    ledger,
    policy,
    executors: [agentExecutor({ url: agent.url, secret: async () => LINK_SECRET })],
    clock: () => new Date(),
    dryRun: false,
    newId: (prefix: string) => `${prefix}-${++n}`,
  };
  // The approval worker as deployed: it re-reads App Mesh only; Istio is left to the agent.
  const worker = { ...deps, notifier, freshState: { providers: ['appmesh' as const], source: { collect: async () => emptyInventory() }, builders: [buildAppMeshModel] } };
  return { ledger, notifier, deps, worker };
}

/** The scheduled audit asks approval for payments/default STRICT, and a person approves it. */
async function approvedStrict(h: ReturnType<typeof hub>): Promise<ApprovalRecord> {
  const governed = await govern(await agentAudit(h.deps.policy), h.deps);
  expect(governed.approvalsRequested).toHaveLength(1);
  const approved = await h.ledger.transitionApproval(governed.approvalsRequested[0]!, ['PENDING'], 'APPROVED', { decidedBy: 'U0DAVE', decidedAt: new Date().toISOString() });
  expect(approved).toBeDefined();
  return approved!;
}

function approvalPolicy(): Policy {
  const policy = loadPolicy();
  policy.rules['mtls-not-strict'].remediation = 'approval';
  return policy;
}

function signed(request: ExecuteRequest | Record<string, unknown>): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(request);
  return { body, headers: { 'content-type': 'application/json', ...signRequest(body, LINK_SECRET, new Date()) } };
}

async function send(request: ExecuteRequest | Record<string, unknown>): Promise<{ status: number; json: any }> {
  const { body, headers } = signed(request);
  const response = await fetch(agent.url, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json() };
}

const approval: Trigger = { source: 'slack', eventId: 'rmd-1', eventTime: new Date().toISOString(), actor: 'slack:U0DAVE', summary: 'approval rmd-1 by Slack user U0DAVE' };

describe('an approved change', () => {
  test('is refused when a caller started sending plaintext after the approval: FAILED naming the precondition, Slack redrawn, nothing written', async () => {
    emulator.seed(cleanCluster());
    const h = hub(approvalPolicy());
    const approved = await approvedStrict(h);
    // orders adds its DISABLE rule; the hub has not heard of it (no audit reported it yet).
    emulator.seed([plaintextRule()]);
    const before = paymentsPolicy();
    emulator.resetCalls();

    const outcome = await executeApproval(approved.id, h.worker);

    const refusal = `re-planned on the cluster: a precondition no longer holds: ${PLAINTEXT_BLOCKER}`;
    expect(outcome).toMatchObject({ status: 'finished', state: 'FAILED', detail: expect.stringContaining(refusal) });
    expect(outcome.status === 'finished' && outcome.change).toMatchObject({ outcome: 'aborted', wrote: false, detail: refusal });
    expect(paymentsPolicy()).toEqual(before);
    expect(writes()).toEqual([]);
    expect(await h.ledger.getApproval(approved.id)).toMatchObject({ state: 'FAILED', outcome: expect.stringContaining(refusal) });
    expect(h.notifier.redrawn.at(-1)).toMatchObject({ id: approved.id, state: 'FAILED', outcome: expect.stringContaining(refusal) });
    await agent.waitForLog((l) => l.severity === 'WARNING' && l.message === `change refused: ${refusal}` && l.findingId === approved.findingId && l.approved === true);
  });

  test('whose preconditions still hold is applied, though other objects changed since the approval', async () => {
    emulator.seed(cleanCluster());
    const h = hub(approvalPolicy());
    const approved = await approvedStrict(h);
    // An edit elsewhere that does not concern payments.
    emulator.bumpResourceVersion('DestinationRule', 'observability', 'otel-collector', (o) => {
      o.metadata.labels = { ...o.metadata.labels, owner: 'observability-team' };
    });

    const outcome = await executeApproval(approved.id, h.worker);

    expect(outcome).toMatchObject({ status: 'finished', state: 'SUCCEEDED' });
    expect(paymentsPolicy()!['spec']).toEqual({ mtls: { mode: 'STRICT' } });
    await agent.waitForLog((l) => l.message === 'change re-planned on the cluster: it still holds' && l.findingId === approved.findingId && l.approved === true);
  });
});

describe('an automatic change', () => {
  test('from an older report is refused when the cluster now holds it for approval (a delayed report)', async () => {
    emulator.seed(cleanCluster());
    const older = await agentAudit();
    expect(paymentsFinding(older).remediation).toMatchObject({ mode: 'auto', action: 'istio.peerauthentication.set-strict' });
    emulator.seed([plaintextRule()]);
    const before = paymentsPolicy();
    emulator.resetCalls();

    const governed = await govern(older, hub(loadPolicy()).deps);

    expect(governed.changes).toEqual([
      expect.objectContaining({ outcome: 'aborted', wrote: false, detail: `re-planned on the cluster: the fix now needs approval: preconditions do not hold: ${PLAINTEXT_BLOCKER}` }),
    ]);
    expect(paymentsPolicy()).toEqual(before);
    expect(writes()).toEqual([]);
  });

  test('that creates a policy (no resourceVersion to hold it) is refused when a plaintext caller appeared', async () => {
    // Mesh-wide PERMISSIVE and no policy in payments: the fix creates payments/default (orders keeps a STRICT policy of its own).
    const meshWidePermissive = cleanCluster()
      .filter((o) => !(o.kind === 'PeerAuthentication' && o.metadata.namespace === 'payments'))
      .map((o) => (o.kind === 'PeerAuthentication' ? { ...o, spec: { mtls: { mode: 'PERMISSIVE' } } } : o));
    const ordersStrict = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'orders' }, spec: { mtls: { mode: 'STRICT' } } };
    emulator.seed([...meshWidePermissive, ordersStrict]);
    const older = await agentAudit();
    expect(paymentsFinding(older).remediation).toMatchObject({ mode: 'auto', action: 'istio.peerauthentication.create-strict', change: { operation: 'create' } });
    emulator.seed([plaintextRule()]);
    emulator.resetCalls();

    const governed = await govern(older, hub(loadPolicy()).deps);

    expect(governed.changes).toEqual([expect.objectContaining({ outcome: 'aborted', wrote: false, detail: expect.stringMatching(/^re-planned on the cluster: the fix now needs approval: preconditions do not hold: .*sends plaintext to/) })]);
    expect(paymentsPolicy()).toBeUndefined();
    expect(writes()).toEqual([]);
  });
});

describe('a change whose target was edited since it was planned', () => {
  test.each([
    ['approved', true, /^re-planned on the cluster: the resource changed since the request, so the approved change no longer applies as shown \(version \d+ then, \d+ now\)$/],
    ['automatic', false, /^re-planned on the cluster: the resource changed since the audit that planned the change/],
  ])('%s: refused with 409 by the re-plan, nothing written', async (_name, approved, detail) => {
    emulator.seed(cleanCluster());
    const finding = paymentsFinding(await agentAudit());
    emulator.bumpResourceVersion('PeerAuthentication', 'payments', 'default', (o) => {
      o.metadata.labels = { ...o.metadata.labels, owner: 'payments-team' };
    });
    const edited = paymentsPolicy();
    emulator.resetCalls();

    const answer = await send({ remediation: finding.remediation!, trigger: approval, changeId: `chg-stale-${approved}`, findingId: finding.id, approved });

    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({ changeId: `chg-stale-${approved}`, outcome: 'aborted', wrote: false, detail: expect.stringMatching(detail) });
    expect(paymentsPolicy()).toEqual(edited);
    expect(writes()).toEqual([]);
  });
});

test('a change sent again under the same id after its first attempt landed is answered from that attempt, not refused', async () => {
  emulator.seed(cleanCluster());
  const finding = paymentsFinding(await agentAudit());
  const request = { remediation: finding.remediation!, trigger: approval, changeId: 'chg-resent-1', findingId: finding.id, approved: false };
  expect(await send(request)).toMatchObject({ status: 200, json: { outcome: 'verified', wrote: true } });

  // The hub lost the answer and sends it again (signed afresh): the finding is gone and the version moved.
  const again = await send(request);

  expect(again).toMatchObject({ status: 200, json: { outcome: 'verified', detail: expect.stringContaining('already applied by an earlier attempt of change chg-resent-1') } });
  expect(emulator.calls()['patch peerauthentications']).toBe(1);
});

test('a cluster the agent cannot read answers 500 failed, with nothing written', async () => {
  emulator.seed(cleanCluster());
  const finding = paymentsFinding(await agentAudit());
  const before = paymentsPolicy();
  emulator.resetCalls();
  // More failures than the reader's retries.
  emulator.failNext('list destinationrules', 500, 20);

  const answer = await send({ remediation: finding.remediation!, trigger: approval, changeId: 'chg-unread-1', findingId: finding.id, approved: true });

  expect(answer.status).toBe(500);
  expect(answer.json).toMatchObject({ changeId: 'chg-unread-1', outcome: 'failed', wrote: false, detail: expect.stringMatching(/^re-planning on the cluster failed/) });
  expect(paymentsPolicy()).toEqual(before);
  expect(writes()).toEqual([]);
});

describe('the request names the finding and the decision', () => {
  test.each([
    ['no findingId', { findingId: undefined }, 'findingId'],
    ['no approved', { approved: undefined }, 'approved'],
    ['approved that is not a boolean', { approved: 'yes' }, 'approved'],
    ['an empty findingId', { findingId: '' }, 'findingId'],
  ])('%s: 400 naming the field, before anything is read', async (_name, alter, field) => {
    emulator.seed(cleanCluster());
    const finding = paymentsFinding(await agentAudit());
    emulator.resetCalls();

    const answer = await send({ remediation: finding.remediation!, trigger: approval, changeId: 'chg-unnamed-1', findingId: finding.id, approved: true, ...alter });

    expect(answer).toEqual({ status: 400, json: { error: 'malformed-request', field, message: expect.stringMatching(new RegExp(`^${field}: `)) } });
    expect(emulator.requests()).toEqual([]);
  });
});

describe('an Undo', () => {
  test('is not re-planned: it restores its recorded change without reading the cluster, though a re-plan would now refuse the change', async () => {
    emulator.seed(cleanCluster());
    const finding = paymentsFinding(await agentAudit());
    const executor = agentExecutor({ url: agent.url, secret: async () => LINK_SECRET });
    const remediation: Remediation = finding.remediation!;
    const applied = await executor.apply(remediation, { trigger: approval, changeId: 'chg-undone-1', findingId: finding.id, approved: false });
    expect(applied).toMatchObject({ outcome: 'verified' });
    emulator.seed([plaintextRule()]);
    emulator.resetCalls();

    const change = { id: 'chg-undone-1', provider: 'istio' as const, action: remediation.action, target: applied.target, before: applied.before, after: applied.after, reason: remediation.reason, trigger: approval, at: new Date().toISOString(), outcome: 'verified' as const, expiresAt: Math.floor(Date.now() / 1000) + 86_400 };
    const undone = await executor.revert(change, { trigger: { ...approval, summary: 'Undo by U0DAVE' }, changeId: 'chg-undo-1' });

    expect(undone).toMatchObject({ outcome: 'verified' });
    expect(paymentsPolicy()!['spec']).toEqual({ mtls: { mode: 'PERMISSIVE' } });
    expect(emulator.requests().filter((r) => r.verb === 'list')).toEqual([]);
  });

  test('that names a finding or a decision is refused with 400 naming the field', async () => {
    emulator.seed(cleanCluster());
    const change = { id: 'chg-undone-2', provider: 'istio', action: 'istio.peerauthentication.set-strict', target: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'payments', name: 'default' }, before: {}, after: {} };
    const remediation = { action: 'istio.peerauthentication.set-strict.undo', mode: 'approval', reason: 'undo of chg-undone-2', change: { target: change.target } };

    const answer = await send({ remediation, trigger: approval, changeId: 'chg-undo-2', revert: change, findingId: 'f-1' });

    expect(answer).toEqual({ status: 400, json: { error: 'malformed-request', field: 'findingId', message: expect.stringContaining('must be absent on a revert') } });
  });
});
