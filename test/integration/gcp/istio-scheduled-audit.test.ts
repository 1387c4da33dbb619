/**
 * istioScheduledAudit on the real functions-framework server: the Cloud Scheduler message
 * starts a full audit of the emulated cluster, reported to the hub stand-in.
 */
import type { Finding } from '../../../functions/core/findings';
import { agentWorldPerFile } from './agent-world';
import { wholeCluster } from '../istio/cluster-fixture';
import { deliver, schedulerEvent, withRawData } from './cloud-events';

const world = agentWorldPerFile('istioScheduledAudit', { seed: wholeCluster });

test('the nightly job audits the whole cluster and reports every namespace to the hub', async () => {
  const event = schedulerEvent();
  const delivery = await deliver(world.server.url, event);
  expect(delivery.status).toBeLessThan(300);

  expect(world.hub.reports).toHaveLength(1);
  const { agent, scopedReport } = world.hub.reports[0]!;
  expect(agent).toEqual({ project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' });
  expect(scopedReport.scope).toEqual({ kind: 'all', providers: ['istio', 'x509'] });
  expect(scopedReport.trigger).toEqual({
    source: 'cloud-scheduler',
    eventId: event.data.message.messageId,
    eventTime: '2026-11-20T06:00:00.874Z',
    summary: 'scheduled full audit of prod-gke (Cloud Scheduler job nightly-audit)',
  });
  const findings: Finding[] = scopedReport.report.findings;
  expect(findings).toContainEqual(expect.objectContaining({ rule: 'mtls-not-strict', resource: expect.objectContaining({ namespace: 'payments', name: 'payments-api' }) }));
  // The plugged-in CA's intermediate expires in 20 days (cluster-fixture.ts).
  expect(findings).toContainEqual(expect.objectContaining({ rule: 'cert-expiring', provider: 'x509', resource: expect.objectContaining({ namespace: 'istio-system' }) }));
  expect(scopedReport.auditedResources).toEqual(expect.arrayContaining(['istio|Deployment|payments||payments-api', 'istio|Deployment|orders||orders-api']));
  // Cluster-wide lists, not one namespace at a time.
  expect(world.emulator.requests().some((r) => r.verb === 'list' && r.resource === 'peerauthentications' && r.namespace === undefined)).toBe(true);
});

test.each([
  ['another scope', { trigger: 'schedule', scope: 'payments' }, 'data.message.data.scope'],
  ['another trigger', { trigger: 'backfill', scope: 'all' }, 'data.message.data.trigger'],
])('a job message with %s fails (non-2xx: redelivered, then dead-lettered) with a log line naming the field, and audits nothing', async (_name, body, field) => {
  const event = schedulerEvent(body);
  expect((await deliver(world.server.url, event)).status).toBe(500);
  const line = await world.server.waitForLog((l) => l.eventId === event.id);
  expect(line).toMatchObject({ severity: 'ERROR', field, ack: false, message: expect.stringContaining(field) });
  expect(world.hub.requests).toHaveLength(0);
  expect(world.emulator.requests()).toHaveLength(0);
});

test('a job message that is not JSON fails, naming data.message.data, so it reaches the dead-letter topic', async () => {
  const event = withRawData(schedulerEvent(), Buffer.from('trigger=schedule').toString('base64'));
  expect((await deliver(world.server.url, event)).status).toBe(500);
  const line = await world.server.waitForLog((l) => l.eventId === event.id && l.field === 'data.message.data');
  expect(line).toMatchObject({ severity: 'ERROR', ack: false, message: expect.stringMatching(/^malformed event, not acknowledged: data\.message\.data is not JSON/) });
  expect(world.hub.requests).toHaveLength(0);
  expect(world.emulator.requests()).toHaveLength(0);
});

test('the cluster answering 503 throughout fails the run, so Pub/Sub redelivers it; nothing partial is reported', async () => {
  world.emulator.failNext('list peerauthentications', 503, 100, { retryAfterSeconds: 0 });
  const event = schedulerEvent();
  const delivery = await deliver(world.server.url, event);
  expect(delivery.status).toBe(500);
  expect(world.hub.requests).toHaveLength(0);
  await world.server.waitForLog((l) => l.eventId === event.id && /audit failed: the cluster could not be read/.test(l.message));
});

test('a redelivery of a job message that was handled (same messageId) is acknowledged without a second full audit or report', async () => {
  const event = schedulerEvent();
  expect((await deliver(world.server.url, event)).status).toBeLessThan(300);
  expect(world.hub.reports).toHaveLength(1);
  world.emulator.resetCalls();

  const again = await deliver(world.server.url, structuredClone(event));
  expect(again.status).toBeLessThan(300);
  await world.server.waitForLog((l) => l.eventId === event.id && l.duplicate === true && /^ignored: duplicate delivery/.test(l.message));
  expect(world.hub.requests).toHaveLength(1);
  expect(world.emulator.requests()).toHaveLength(0);
});
