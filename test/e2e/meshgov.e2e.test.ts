/**
 * meshgov end to end on loopback (issue 7, point 3): the hub's real Lambda handlers, the real
 * functions-framework agent, the App Mesh, ACM, CloudWatch, Kubernetes and Slack emulators and
 * dynalite, started once (support/system.ts) and driven by real-shaped events. Each test is
 * one story; they share the servers and run in the order written. Stories 1 to 3 leave the
 * meshes clean (story 3's "exactly one message" counts on it): a failure in 1 or 2 shows up in
 * 3 as well. Story 4 (route rollback) runs last, after story 5, whose finding stays open.
 */
import { randomUUID } from 'node:crypto';
import { DescribeVirtualNodeCommand, UpdateRouteCommand, UpdateVirtualNodeCommand, type VirtualNodeSpec } from '@aws-sdk/client-app-mesh';
import type { FindingRecord } from '../../functions/core/ledger/types';
import type { Provider } from '../../functions/core/model/types';
import { appMeshClientFor } from '../emulators/appmesh/appMeshTestFixtures';
import { AGENT_SA } from '../integration/gcp/agent-environment';
import { auditEvent, deliver } from '../integration/gcp/cloud-events';
import { clickEvent } from '../integration/slack/support/signed-click';
import { CAROL, DAVE } from '../integration/slack/support/storyline';
import { EDGE_CERT_ARN, PROD_MESH, ROUTE, ROUTER, routeSpec, weightedTargets } from './support/app-mesh-fleet';
import { alice, cloudTrailUpdate, erin, meshgovRemediator, scheduledEvent, sloPageAlarm, sqsDelivery } from './support/aws-events';
import { seedPaymentsLatency } from './support/latency-metrics';
import { auditEntryOfPatch, kubectlSetPeerAuthenticationMode } from './support/istio-cluster';
import { PAYMENTS_CHANNEL, PLATFORM_CHANNEL, SLO_NAME } from './support/rules';
import { buttonsOf, markSlack, messageAt, textOf } from './support/slack-view';
import { startSystem, type MeshgovSystem } from './support/system';

let sys: MeshgovSystem;

beforeAll(async () => {
  sys = await startSystem();
}, 60_000);

afterAll(async () => {
  await sys?.stop();
});

/** Fails with the hub's last log lines, which say why a handler did what it did. */
function withLogs(message: string): string {
  return `${message}\n--- hub logs ---\n${sys.hubLogs.slice(-30).join('\n')}`;
}

async function openFinding(filter: (r: FindingRecord) => boolean, provider: Provider): Promise<FindingRecord> {
  const open = await sys.ledger.listOpenFindings({ provider });
  const found = open.find(filter);
  if (!found) throw new Error(withLogs(`no such open ${provider} finding; open: ${open.map((r) => `${r.finding.rule} ${r.finding.resource.name}`).join(', ') || 'none'}`));
  return found;
}

function listenerTls(name: string): any {
  return (sys.appmesh.state.describe('virtualNode', PROD_MESH, name) as any).spec.listeners[0].tls;
}

test('story 1: an App Mesh listener made PERMISSIVE is restored to STRICT after an Approve in Slack', async () => {
  const slack = markSlack(sys.slack);
  const startedAt = new Date().toISOString();

  // alice sets the ledger's listener PERMISSIVE through the App Mesh API (its client validation
  // stays, so the event alone tells meshgov which trust STRICT must use)...
  const client = appMeshClientFor(sys.appmesh);
  const live = await client.send(new DescribeVirtualNodeCommand({ meshName: PROD_MESH, virtualNodeName: 'ledger' }));
  const spec = structuredClone(live.virtualNode!.spec!) as VirtualNodeSpec;
  spec.listeners![0]!.tls!.mode = 'PERMISSIVE';
  await client.send(new UpdateVirtualNodeCommand({ meshName: PROD_MESH, virtualNodeName: 'ledger', spec, clientToken: randomUUID() }));
  client.destroy();
  const changed = sys.appmesh.state.describe('virtualNode', PROD_MESH, 'ledger')!;
  expect(listenerTls('ledger').mode).toBe('PERMISSIVE');

  // ...CloudTrail records the call, EventBridge puts it on the SQS queue, the events function takes it.
  const answer = await sys.hub.appMeshEvents(sqsDelivery(cloudTrailUpdate('virtualNode', changed, alice(), new Date())));
  expect(answer).toEqual({ batchItemFailures: [] });

  const finding = await openFinding((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'ledger', 'appmesh');
  expect(finding.finding).toMatchObject({ resource: { kind: 'VirtualNode', mesh: PROD_MESH, port: 8080 }, detail: { mode: 'PERMISSIVE' } });
  expect(finding.trigger).toMatchObject({ source: 'cloudtrail', actor: expect.stringContaining('alice@example.com') });
  const approval = await sys.ledger.findOpenApproval(finding.id);
  expect(approval).toMatchObject({ state: 'PENDING', remediation: { action: 'appmesh.listener.set-strict', mode: 'approval' }, slack: { channel: PAYMENTS_CHANNEL } });

  // Slack: two messages in the payments channel, the finding and the approval request with its buttons.
  const posted = slack.postedSince(PAYMENTS_CHANNEL);
  expect(posted.map((m) => m.ts).sort()).toEqual([finding.slack!.ts, approval!.slack!.ts].sort());
  const request = messageAt(sys.slack, PAYMENTS_CHANNEL, approval!.slack!.ts);
  expect(textOf(request)).toContain('ledger');
  expect(buttonsOf(request)).toEqual(['meshgov_approve', 'meshgov_reject']);

  // carol presses Approve: Slack posts the signed block_actions to the interactivity endpoint.
  const click = await sys.hub.slackActions(clickEvent({ approvalId: approval!.id, user: CAROL, channel: PAYMENTS_CHANNEL, messageTs: approval!.slack!.ts }));
  expect(click).toEqual({ statusCode: 200, body: '' });
  expect(sys.queue.sent().map((m) => JSON.parse(m.body))).toContainEqual({ approvalId: approval!.id });
  await sys.drainApprovals();

  // The listener is STRICT again, validating clients, and the change is on record as verified.
  expect(listenerTls('ledger')).toMatchObject({ mode: 'STRICT', certificate: { file: {} }, validation: { trust: {} } });
  expect(await sys.ledger.getApproval(approval!.id)).toMatchObject({ state: 'SUCCEEDED', decidedBy: CAROL.id });
  const change = (await sys.ledger.listChanges(startedAt)).find((c) => c.approvalId === approval!.id);
  expect(change).toMatchObject({ action: 'appmesh.listener.set-strict', outcome: 'verified', approvedBy: CAROL.id, target: { mesh: PROD_MESH, name: 'ledger' } });

  // The same message, redrawn with the outcome and without its buttons.
  const outcome = messageAt(sys.slack, PAYMENTS_CHANNEL, approval!.slack!.ts);
  expect(outcome.history.length).toBeGreaterThanOrEqual(2);
  expect(slack.updatesSince()).toBeGreaterThanOrEqual(1);
  expect(textOf(outcome)).toContain('Applied');
  expect(buttonsOf(outcome)).toEqual([]);

  // meshgov's own UpdateVirtualNode comes back through CloudTrail: ignored, no loop.
  const fixed = sys.appmesh.state.describe('virtualNode', PROD_MESH, 'ledger')!;
  const calls = sys.appmesh.calls();
  expect(await sys.hub.appMeshEvents(sqsDelivery(cloudTrailUpdate('virtualNode', fixed, meshgovRemediator(), new Date())))).toEqual({ batchItemFailures: [] });
  expect(sys.appmesh.calls()).toEqual(calls);
  expect(slack.postedSince().map((m) => m.ts).sort()).toEqual([finding.slack!.ts, approval!.slack!.ts].sort());
});

test('story 2: an Istio namespace made PERMISSIVE is reported by the agent, approved, and patched back by the agent', async () => {
  const slack = markSlack(sys.slack);
  const startedAt = new Date().toISOString();

  // bob patches payments/default to PERMISSIVE; the GKE audit log sink publishes the entry.
  const patched = await kubectlSetPeerAuthenticationMode(sys.kubernetes, 'payments', 'default', 'PERMISSIVE');
  const event = auditEvent(auditEntryOfPatch(patched, 'bob@example.com', new Date()));
  const delivery = await deliver(sys.agent.configChanged.url, event);
  expect(delivery.status).toBeLessThan(300);
  expect(sys.gateway.invocations).toContainEqual({ routeKey: 'POST /agent/findings', statusCode: 200 });

  const finding = await openFinding((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.namespace === 'payments' && r.finding.resource.name === 'payments-api', 'istio');
  expect(finding.trigger).toMatchObject({ source: 'gke-audit', eventId: event.data.message.messageId, actor: 'bob@example.com' });
  // The namespace policy's patch fixes every payments workload's finding: one approval asks for it.
  const inPayments = (await sys.ledger.listOpenFindings({ provider: 'istio' })).filter((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.namespace === 'payments');
  const approvals = (await Promise.all(inPayments.map((r) => sys.ledger.findOpenApproval(r.finding.id)))).filter((a) => a !== undefined);
  expect(approvals).toHaveLength(1);
  const approval = approvals[0];
  expect(approval).toMatchObject({ state: 'PENDING', remediation: { action: 'istio.peerauthentication.set-strict' }, slack: { channel: PAYMENTS_CHANNEL } });
  expect(inPayments.every((r) => JSON.stringify(r.finding.remediation?.change) === JSON.stringify(approval!.remediation.change))).toBe(true);
  expect(slack.postedSince(PAYMENTS_CHANNEL).map((m) => m.ts)).toEqual(expect.arrayContaining([finding.slack!.ts, approval!.slack!.ts]));

  // dave approves (through the payments approvers user group); the worker dispatches to the agent.
  const click = await sys.hub.slackActions(clickEvent({ approvalId: approval!.id, user: DAVE, channel: PAYMENTS_CHANNEL, messageTs: approval!.slack!.ts }));
  expect(click).toEqual({ statusCode: 200, body: '' });
  await sys.drainApprovals();

  const policy = sys.kubernetes.get('PeerAuthentication', 'payments', 'default')!;
  expect(policy.spec).toEqual({ mtls: { mode: 'STRICT' } });
  const change = (await sys.ledger.listChanges(startedAt)).find((c) => c.approvalId === approval!.id);
  expect(change).toMatchObject({ provider: 'istio', action: 'istio.peerauthentication.set-strict', outcome: 'verified', approvedBy: DAVE.id });
  expect(policy.metadata.annotations).toMatchObject({ 'meshgov.io/change-id': change!.id });
  expect(await sys.ledger.getApproval(approval!.id)).toMatchObject({ state: 'SUCCEEDED' });
  await sys.agent.executeRemediation.waitForLog((l) => l.changeId === change!.id && l.severity === 'NOTICE' && l.message.startsWith('change verified'));

  const outcome = messageAt(sys.slack, PAYMENTS_CHANNEL, approval!.slack!.ts);
  expect(outcome.history.length).toBeGreaterThanOrEqual(2);
  expect(slack.updatesSince()).toBeGreaterThanOrEqual(1);
  expect(textOf(outcome)).toContain('Applied');
  expect(buttonsOf(outcome)).toEqual([]);

  // The agent's own patch comes back through the audit log: acknowledged, not audited again.
  const invocations = sys.gateway.invocations.length;
  const own = auditEvent(auditEntryOfPatch(policy, AGENT_SA, new Date()));
  expect((await deliver(sys.agent.configChanged.url, own)).status).toBeLessThan(300);
  await sys.agent.configChanged.waitForLog((l) => l.eventId === own.id && l.message.startsWith('ignored: change made by meshgov itself'));
  expect(sys.gateway.invocations).toHaveLength(invocations);
});

test('story 3: a certificate ten days from expiry is announced once over three scheduled runs', async () => {
  const slack = markSlack(sys.slack);
  const hour = 3_600_000;
  const now = Date.now();
  const versions: number[] = [];
  let announced: FindingRecord | undefined;
  for (const at of [now - 2 * hour, now - hour, now]) {
    const describes = sys.acm.calls().DescribeCertificate ?? 0;
    expect(await sys.hub.appMeshEvents(sqsDelivery(scheduledEvent(new Date(at))))).toEqual({ batchItemFailures: [] });
    // Each run really read the certificate again.
    expect(sys.acm.calls().DescribeCertificate ?? 0).toBeGreaterThan(describes);
    const record = await openFinding((r) => r.finding.rule === 'cert-expiring' && JSON.stringify(r.finding).includes(EDGE_CERT_ARN), 'acm');
    versions.push(record.version);
    announced ??= record;
    expect(record.lastNotifiedAt).toBe(announced.lastNotifiedAt);
  }
  expect(versions[1]).toBeGreaterThan(versions[0]!);
  expect(versions[2]).toBeGreaterThan(versions[1]!);

  // One message, and nothing else posted by the three runs. An ACM certificate goes to the team
  // owning what uses it: here edge-proxy in the edge mesh, which no team owns, so the default
  // route, the platform channel.
  const posted = slack.postedSince();
  expect(posted).toHaveLength(1);
  expect(posted[0]).toMatchObject({ channel: PLATFORM_CHANNEL, ts: announced!.slack!.ts });
  expect(textOf(posted[0]!)).toMatch(/edge-proxy|2b7d9e41/);
  expect(announced!.finding.detail).toMatchObject({ daysLeft: expect.any(Number) });
});

test('story 5: the agent cannot reach the hub; the report is not lost and reaches Slack exactly once', async () => {
  const slack = markSlack(sys.slack);
  const patched = await kubectlSetPeerAuthenticationMode(sys.kubernetes, 'orders', 'default', 'PERMISSIVE');
  const event = auditEvent(auditEntryOfPatch(patched, 'dana@example.com', new Date()));
  const isOrdersApi = (r: FindingRecord) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.namespace === 'orders' && r.finding.resource.name === 'orders-api';
  const hubFindings = async () => (await sys.ledger.listOpenFindings({ provider: 'istio' })).filter(isOrdersApi);

  // The hub's endpoint is down (nothing listens): the function fails, so Pub/Sub keeps the message.
  await sys.gateway.goDown();
  try {
    const refused = await deliver(sys.agent.configChanged.url, event);
    expect(refused.status).toBe(500);
  } finally {
    await sys.gateway.comeUp();
  }
  await sys.agent.configChanged.waitForLog((l) => l.eventId === event.id && l.severity === 'WARNING' && String(l.problem).includes('ECONNREFUSED'));
  await sys.agent.configChanged.waitForLog((l) => l.eventId === event.id && l.severity === 'ERROR' && /report not delivered to the hub/.test(l.message));

  // Pub/Sub redelivers while API Gateway answers 503: the Lambda never runs, the function fails again.
  sys.gateway.setUnavailable(true);
  const invocations = sys.gateway.invocations.length;
  try {
    expect((await deliver(sys.agent.configChanged.url, event)).status).toBe(500);
  } finally {
    sys.gateway.setUnavailable(false);
  }
  expect(sys.gateway.invocations).toHaveLength(invocations);
  expect(await hubFindings()).toEqual([]);
  expect(slack.postedSince()).toEqual([]);

  // The hub is back: the next redelivery is recorded and posted; a duplicate delivery posts nothing more.
  expect((await deliver(sys.agent.configChanged.url, event)).status).toBeLessThan(300);
  const [finding] = await hubFindings();
  expect(finding?.trigger).toMatchObject({ source: 'gke-audit', eventId: event.data.message.messageId, actor: 'dana@example.com' });
  const approval = await sys.ledger.findOpenApproval(finding!.id);
  const afterDelivery = slack.postedSince().map((m) => m.ts);
  expect(afterDelivery).toEqual(expect.arrayContaining([finding!.slack!.ts, approval!.slack!.ts]));

  expect((await deliver(sys.agent.configChanged.url, event)).status).toBeLessThan(300);
  expect(slack.postedSince().map((m) => m.ts)).toEqual(afterDelivery);
  const mentions = slack.postedSince(PAYMENTS_CHANNEL).filter((m) => textOf(m).includes('orders-api'));
  expect(mentions.map((m) => m.ts).sort()).toEqual([finding!.slack!.ts, approval!.slack!.ts].sort());
  expect(await hubFindings()).toHaveLength(1);
});

/** What the first half of story 4 leaves for the second: the route change and its rollback request. */
let story4: { since: string; routeChangeId: string; rollbackId: string; ts: string; weights: () => unknown } | undefined;

test("story 4: a latency burn after a person's route change names the change and asks, in Slack, to roll it back", async () => {
  const slack = markSlack(sys.slack);
  const now = Date.now();
  // The hub has read the mesh since its container started (here: the hourly audit); a cold
  // container holds no copy of the route, and then cannot know the spec erin's change replaced.
  expect(await sys.hub.appMeshEvents(sqsDelivery(scheduledEvent(new Date(now - 30 * 60_000))))).toEqual({ batchItemFailures: [] });
  const changedAt = new Date(now - 20 * 60_000);
  const weights = () => (sys.appmesh.state.describe('route', PROD_MESH, ROUTE, { parentName: ROUTER }) as any).spec.httpRoute.action.weightedTargets;
  expect(weights()).toEqual(weightedTargets(90, 10));

  // Twenty minutes ago erin ended the canary: every request to payments-api, none to the canary...
  const client = appMeshClientFor(sys.appmesh);
  await client.send(new UpdateRouteCommand({ meshName: PROD_MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec: routeSpec(100, 0), clientToken: randomUUID() }));
  client.destroy();
  const changed = sys.appmesh.state.describe('route', PROD_MESH, ROUTE, { parentName: ROUTER })!;
  expect(await sys.hub.appMeshEvents(sqsDelivery(cloudTrailUpdate('route', changed, erin(), changedAt)))).toEqual({ batchItemFailures: [] });
  // ...and the hub recorded her change with the spec it replaced (App Mesh keeps no history).
  const since = new Date(now - 3_600_000).toISOString();
  const routeChange = (await sys.ledger.listChanges(since)).find((c) => c.target.kind === 'Route' && c.target.name === ROUTE);
  expect(routeChange).toMatchObject({ action: 'appmesh.route.update', at: changedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), trigger: { source: 'cloudtrail', actor: expect.stringContaining('erin@example.com') } });
  expect({ before: (routeChange!.before as any)?.httpRoute?.action?.weightedTargets, detail: routeChange!.detail }).toEqual({ before: weightedTargets(90, 10), detail: expect.stringMatching(/^previous spec from/) });

  // Since then half of payments-api's requests take 400 ms: the SLO's page alarm fires.
  seedPaymentsLatency(sys.cloudwatch, now, (t) => (t >= changedAt.getTime() ? 0.5 : 0.002));
  const outcome = (await sys.hub.latencyAlarm(sloPageAlarm(SLO_NAME, new Date(now)))) as any;
  expect(outcome).toMatchObject({ status: 'confirmed', sloName: SLO_NAME });

  const burn = await openFinding((r) => r.finding.rule === 'slo-latency-burn' && r.finding.resource.name === 'payments-api', 'cloudwatch');
  expect(burn.finding.detail.suspect).toMatchObject({ changeId: routeChange!.id, byMeshgov: false, who: 'erin@example.com' });
  const rollback = await sys.ledger.findOpenApproval(burn.id);
  expect(rollback).toMatchObject({ state: 'PENDING', undoOf: routeChange!.id, remediation: { action: 'appmesh.route.update.undo' }, slack: { channel: PAYMENTS_CHANNEL } });
  const request = messageAt(sys.slack, PAYMENTS_CHANNEL, rollback!.slack!.ts);
  expect(textOf(request)).toContain(routeChange!.id);
  expect(buttonsOf(request)).toEqual(['meshgov_approve', 'meshgov_reject']);
  expect(slack.postedSince(PAYMENTS_CHANNEL).map((m) => m.ts)).toContain(rollback!.slack!.ts);
  // Nothing is rolled back before a person decides.
  expect(weights()).toEqual(weightedTargets(100, 0));
  story4 = { since, routeChangeId: routeChange!.id, rollbackId: rollback!.id, ts: rollback!.slack!.ts, weights };
});

// A rollback proposed after a burn is asked as a request: carol presses Approve (not an Undo
// button), and the approval worker reverts the person's change through the App Mesh executor.
test('story 4 (continued): Approve on the rollback request restores the weights the person replaced', async () => {
  if (!story4) throw new Error('story 4 did not get as far as the rollback request');
  const { since, routeChangeId, rollbackId, ts, weights } = story4;
  const slack = markSlack(sys.slack);
  expect(await sys.hub.slackActions(clickEvent({ approvalId: rollbackId, user: CAROL, channel: PAYMENTS_CHANNEL, messageTs: ts }))).toEqual({ statusCode: 200, body: '' });
  await sys.drainApprovals();

  expect(weights()).toEqual(weightedTargets(90, 10));
  expect(await sys.ledger.getApproval(rollbackId)).toMatchObject({ state: 'SUCCEEDED', decidedBy: CAROL.id, undoOf: routeChangeId });
  const undo = (await sys.ledger.listChanges(since)).find((c) => c.approvalId === rollbackId);
  expect(undo).toMatchObject({ action: 'appmesh.route.update.undo', outcome: 'verified', approvedBy: CAROL.id });
  const outcomeMessage = messageAt(sys.slack, PAYMENTS_CHANNEL, ts);
  expect(outcomeMessage.history.length).toBeGreaterThanOrEqual(2);
  expect(slack.updatesSince()).toBeGreaterThanOrEqual(1);
  expect(textOf(outcomeMessage)).toContain('Undone');
  expect(buttonsOf(outcomeMessage)).toEqual([]);
});
