/**
 * executeRemediation on the real functions-framework server: the hub's signed request applies
 * an approved change to the Kubernetes emulator through the live Istio writer; anything not
 * signed, stale or replayed is refused with 401 and changes nothing.
 */
import type { Remediation } from '../../../functions/core/findings';
import { signRequest, type ExecuteRequest } from '../../../functions/core/link';
import { auditScope } from '../../../functions/core/pipeline/audit-scope';
import type { Trigger } from '../../../functions/core/pipeline/trigger';
import { loadPolicy } from '../../../functions/core/policy/load';
import { AGENT_BUILDERS } from '../../../functions/gcp/agent-deps';
import { istioSource } from '../../../functions/providers/istio/live';
import { agentExecutor } from '../../../functions/providers/agent/agent-executor';
import { loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { wholeCluster } from '../istio/cluster-fixture';
import { agentEnvironment, kubeconfigFile, removeKubeconfigFiles, LINK_SECRET } from './agent-environment';
import { startFunctionsServer, type FunctionsServer } from './functions-server';

let emulator: KubernetesEmulator;
let server: FunctionsServer;
let dryRunServer: FunctionsServer;

/** carol approved the change in Slack (the shared storyline). */
const approval: Trigger = { source: 'slack', eventId: '1795187052.000300', eventTime: '2026-11-20T15:04:12Z', actor: 'carol@example.com', summary: 'approved by carol@example.com in Slack' };

beforeAll(async () => {
  emulator = await startKubernetesEmulator();
  const kubeconfig = kubeconfigFile(emulator);
  const hubUrl = 'https://hub.invalid/agent/findings'; // executeRemediation never calls the hub
  [server, dryRunServer] = await Promise.all([
    startFunctionsServer({ target: 'executeRemediation', env: agentEnvironment({ kubeconfig, hubUrl, extra: { MESHGOV_DRY_RUN: 'false' } }) }),
    // No MESHGOV_DRY_RUN: the rules' default (dryRun: true) holds, as on a fresh deployment.
    startFunctionsServer({ target: 'executeRemediation', env: agentEnvironment({ kubeconfig, hubUrl }) }),
  ]);
});

afterAll(async () => {
  await server?.stop();
  await dryRunServer?.stop();
  await emulator?.stop();
  removeKubeconfigFiles();
});

beforeEach(() => {
  emulator.reset();
  emulator.seed(wholeCluster());
  emulator.resetCalls();
});

/**
 * The remediation the agent's own full audit plans for payments/default, with the resourceVersion
 * it read, and its finding: the agent plans that finding again before applying (held for approval
 * here by orders' plaintext rule and legacy-batch, so requests say a person approved it).
 */
async function planned(): Promise<{ remediation: Remediation; findingId: string; approved: true }> {
  const k8s = await loadKubernetesClient();
  const source = istioSource({ kubeConfig: await loadKubeConfigFor(emulator), client: k8s });
  const trigger: Trigger = { source: 'cloud-scheduler', eventId: '13268925375184921', eventTime: '2026-11-20T14:47:12.483917Z', summary: 'scheduled full audit' };
  const scoped = await auditScope(trigger, { kind: 'all', providers: ['istio', 'x509'] }, { source, builders: AGENT_BUILDERS, policy: loadPolicy(), clock: () => new Date() });
  const finding = scoped.report.findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api');
  expect(finding?.remediation).toBeTruthy();
  emulator.resetCalls();
  return { remediation: finding!.remediation!, findingId: finding!.id, approved: true };
}

interface SentRequest {
  body: string;
  headers: Record<string, string>;
}

function signed(request: ExecuteRequest | Record<string, unknown>, options: { secret?: string; at?: Date } = {}): SentRequest {
  const body = JSON.stringify(request);
  return { body, headers: { 'content-type': 'application/json', ...signRequest(body, options.secret ?? LINK_SECRET, options.at ?? new Date()) } };
}

async function send(target: FunctionsServer, request: SentRequest): Promise<{ status: number; json: any }> {
  const response = await fetch(target.url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

function paymentsPolicy() {
  return emulator.get('PeerAuthentication', 'payments', 'default')!;
}

function patches(): number {
  return emulator.calls()['patch peerauthentications'] ?? 0;
}

test('a signed execute request patches payments/default to STRICT, verifies it and answers the ApplyResult', async () => {
  const { remediation, findingId, approved } = await planned();
  const before = paymentsPolicy();
  const answer = await send(server, signed({ remediation, trigger: approval, changeId: 'chg-7c1e9a44d2b0', findingId, approved }));

  expect(answer.status).toBe(200);
  expect(answer.json).toMatchObject({ changeId: 'chg-7c1e9a44d2b0', outcome: 'verified', target: { kind: 'PeerAuthentication', namespace: 'payments', name: 'default' } });
  expect(answer.json.before).toMatchObject({ spec: { mtls: { mode: 'PERMISSIVE' } } });
  expect(answer.json.after).toMatchObject({ spec: { mtls: { mode: 'STRICT' } } });
  const after = paymentsPolicy();
  expect(after.spec).toEqual({ mtls: { mode: 'STRICT' } });
  expect(after.metadata.annotations).toMatchObject({ 'meshgov.io/change-id': 'chg-7c1e9a44d2b0' });
  expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
  expect(emulator.requests().filter((r) => r.verb === 'patch')).toEqual([expect.objectContaining({ contentType: 'application/merge-patch+json', fieldManager: 'meshgov', status: 200 })]);
  await server.waitForLog((l) => l.changeId === 'chg-7c1e9a44d2b0' && l.severity === 'NOTICE' && l.message.startsWith('change verified'));
});

describe('refused with 401, and nothing changes', () => {
  // Options are computed when the test runs: a timestamp fixed at load time would drift into the window.
  const now = (): Date => new Date();
  const minutes = (n: number) => (): Date => new Date(Date.now() + n * 60_000);
  const cases: Array<[string, (r: SentRequest) => SentRequest, string, { secret?: string; at: () => Date }]> = [
    ['a tampered body (another mode, same signature)', (r) => ({ ...r, body: r.body.replace('"STRICT"', '"DISABLE"') }), 'bad-signature', { at: now }],
    ['a wrong secret', (r) => r, 'bad-signature', { secret: 'not-the-link-secret-0123456789abcdef', at: now }],
    ['a stale timestamp (signed 6 minutes ago)', (r) => r, 'stale-timestamp', { at: minutes(-6) }],
    ['a timestamp 6 minutes ahead', (r) => r, 'future-timestamp', { at: minutes(6) }],
    ['no signature headers', (r) => ({ ...r, headers: { 'content-type': 'application/json' } }), 'missing-header', { at: now }],
  ];

  test.each(cases)('%s', async (_name, alter, reason, options) => {
    const { remediation, findingId, approved } = await planned();
    const before = paymentsPolicy();
    const request = signed({ remediation, trigger: approval, changeId: 'chg-forged-1', findingId, approved }, { at: options.at(), ...(options.secret ? { secret: options.secret } : {}) });
    const answer = await send(server, alter(request));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: reason });
    expect(paymentsPolicy()).toEqual(before);
    expect(emulator.requests()).toHaveLength(0);
  });

  test('a replay of an accepted request', async () => {
    const { remediation, findingId, approved } = await planned();
    const request = signed({ remediation, trigger: approval, changeId: 'chg-replayed-1', findingId, approved });
    expect((await send(server, request)).status).toBe(200);
    const afterFirst = paymentsPolicy();
    emulator.resetCalls();

    const replay = await send(server, request);
    expect(replay).toEqual({ status: 401, json: { error: 'replayed-nonce', message: expect.stringContaining('replay') } });
    expect(paymentsPolicy()).toEqual(afterFirst);
    expect(emulator.requests()).toHaveLength(0);
    await server.waitForLog((l) => l.reason === 'replayed-nonce' && l.severity === 'WARNING');
  });
});

test('a resourceVersion conflict (someone edited the policy after the audit) aborts the change: 409', async () => {
  const { remediation, findingId, approved } = await planned();
  emulator.bumpResourceVersion('PeerAuthentication', 'payments', 'default', (o) => {
    o.metadata.labels = { ...o.metadata.labels, 'owner': 'payments-team' };
  });
  const edited = paymentsPolicy();
  const answer = await send(server, signed({ remediation, trigger: approval, changeId: 'chg-conflict-1', findingId, approved }));
  expect(answer.status).toBe(409);
  // The re-plan on the cluster sees the new version before the writer's own resourceVersion check would.
  expect(answer.json).toMatchObject({ changeId: 'chg-conflict-1', outcome: 'aborted', wrote: false, detail: expect.stringMatching(/^re-planned on the cluster: the resource changed since the request/) });
  expect(paymentsPolicy()).toEqual(edited);
  expect(patches()).toBe(0);
});

test('a write that loses the race on the API server (409 Conflict on the patch) is aborted: 409', async () => {
  const { remediation, findingId, approved } = await planned();
  const before = paymentsPolicy();
  emulator.failNext('patch peerauthentications', 409, 1);
  const answer = await send(server, signed({ remediation, trigger: approval, changeId: 'chg-race-1', findingId, approved }));
  expect(answer.status).toBe(409);
  expect(answer.json).toMatchObject({ outcome: 'aborted', detail: expect.stringContaining('409 Conflict') });
  expect(paymentsPolicy()).toEqual(before);
});

test('a change the cluster refuses (the agent lacks RBAC: 403) fails: 500 with the reason, nothing changed', async () => {
  const { remediation, findingId, approved } = await planned();
  const before = paymentsPolicy();
  emulator.failNext('patch peerauthentications', 403, 1);
  const answer = await send(server, signed({ remediation, trigger: approval, changeId: 'chg-forbidden-1', findingId, approved }));
  expect(answer.status).toBe(500);
  expect(answer.json).toMatchObject({ changeId: 'chg-forbidden-1', outcome: 'failed', detail: expect.stringMatching(/403|forbidden/i) });
  expect(paymentsPolicy()).toEqual(before);
  await server.waitForLog((l) => l.changeId === 'chg-forbidden-1' && l.severity === 'WARNING' && l.message.startsWith('change failed'));
});

test('a signed but malformed body is refused with 400 naming the field, and nothing changes', async () => {
  const { remediation, findingId, approved } = await planned();
  const before = paymentsPolicy();
  const answer = await send(server, signed({ remediation: { ...remediation, mode: 'manual' }, trigger: approval, changeId: 'chg-manual-1', findingId, approved }));
  expect(answer).toEqual({ status: 400, json: { error: 'malformed-request', field: 'remediation.mode', message: expect.stringContaining('remediation.mode') } });
  const noTrigger = await send(server, signed({ remediation, changeId: 'chg-no-trigger', findingId, approved }));
  expect(noTrigger.json).toMatchObject({ error: 'malformed-request', field: 'trigger' });
  expect(paymentsPolicy()).toEqual(before);
});

test('an action this agent does not apply is refused with 400 naming remediation.action', async () => {
  const remediation: Remediation = { action: 'appmesh.listener.set-strict', mode: 'approval', reason: 'approved', change: { virtualNodeName: 'payments-api' } };
  const answer = await send(server, signed({ remediation, trigger: approval, changeId: 'chg-appmesh-1', findingId: 'f-appmesh', approved: true }));
  expect(answer).toEqual({ status: 400, json: { error: 'unsupported-action', field: 'remediation.action', message: expect.any(String) } });
});

test('in dry-run (the default), a valid request changes nothing and says so: 409 with dryRun', async () => {
  const { remediation, findingId, approved } = await planned();
  const before = paymentsPolicy();
  const answer = await send(dryRunServer, signed({ remediation, trigger: approval, changeId: 'chg-dry-1', findingId, approved }));
  expect(answer.status).toBe(409);
  expect(answer.json).toMatchObject({ changeId: 'chg-dry-1', outcome: 'aborted', dryRun: true, target: { namespace: 'payments', name: 'default' } });
  expect(paymentsPolicy()).toEqual(before);
  expect(emulator.requests()).toHaveLength(0);
});

test('only POST is served', async () => {
  const response = await fetch(server.url, { method: 'GET' });
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe('POST');
});

describe("the hub's agent executor (the Istio path of approvals and Undo)", () => {
  test('dispatches an approved change as a signed request, then undoes it through the same link', async () => {
    const executor = agentExecutor({ url: server.url, secret: async () => LINK_SECRET });
    const { remediation, findingId, approved } = await planned();
    expect(executor.handles(remediation)).toBe(true);
    const applied = await executor.apply(remediation, { trigger: approval, changeId: 'chg-hub-0001', findingId, approved });
    expect(applied).toMatchObject({ outcome: 'verified', target: { kind: 'PeerAuthentication', namespace: 'payments', name: 'default' } });
    expect(paymentsPolicy().spec).toEqual({ mtls: { mode: 'STRICT' } });

    const change = {
      id: 'chg-hub-0001',
      provider: 'istio' as const,
      action: remediation.action,
      target: applied.target,
      before: applied.before,
      after: applied.after,
      reason: remediation.reason,
      trigger: approval,
      at: new Date().toISOString(),
      outcome: 'verified' as const,
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    };
    const undone = await executor.revert(change, { trigger: { ...approval, summary: 'Undo by carol@example.com' }, changeId: 'chg-hub-0002' });
    expect(undone).toMatchObject({ outcome: 'verified' });
    expect(paymentsPolicy().spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  test('reports a failure, without retrying forever, when the agent refuses the signature', async () => {
    const executor = agentExecutor({ url: server.url, secret: async () => 'not-the-link-secret-0123456789abcdef' });
    const { remediation, findingId, approved } = await planned();
    const result = await executor.apply(remediation, { trigger: approval, changeId: 'chg-hub-0003', findingId, approved });
    expect(result).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/refused the request \(401/) });
    expect(paymentsPolicy().spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });
});
