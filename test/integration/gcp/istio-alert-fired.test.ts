/**
 * istioAlertFired on the real functions-framework server (the production entry): what it
 * answers Pub/Sub push for a Cloud Monitoring notification it cannot read (non-2xx, so Pub/Sub
 * redelivers it and then dead-letters it) and for one it ignores on purpose (2xx). The
 * confirmed-incident path, with real Prometheus, is in test/integration/slo-alarms.
 */
import { agentWorldPerFile } from './agent-world';
import { sharedEvent } from '../../support/shared-events';
import { deliver, sampleEvent, withRawData, type PubsubCloudEvent } from './cloud-events';

const world = agentWorldPerFile('istioAlertFired');

let sequence = 0;

/** The shared open-incident message, its notification varied by `edit`, with a fresh message id. */
function incidentEvent(edit: (notification: Record<string, any>) => void = () => {}): PubsubCloudEvent {
  const notification = sharedEvent<Record<string, any>>('gcp/monitoring-incident-open.notification.json');
  edit(notification);
  const event = withRawData(sampleEvent('pubsub-cloudevent-monitoring-incident-open.json'), Buffer.from(JSON.stringify(notification), 'utf8').toString('base64'));
  const messageId = `1326911842307${4000 + ++sequence}`;
  event.id = messageId;
  event.data.message = { ...event.data.message, messageId, message_id: messageId };
  return event;
}

test.each([
  ['a notification of another schema version', (n: Record<string, any>) => (n.version = '1.1'), 'data.message.data.version'],
  ['an incident without incident_id', (n: Record<string, any>) => delete n.incident.incident_id, 'data.message.data.incident.incident_id'],
  ['an incident state meshgov does not know', (n: Record<string, any>) => (n.incident.state = 'acknowledged'), 'data.message.data.incident.state'],
])('%s is not acknowledged (non-2xx: redelivered, then dead-lettered), with one ERROR line naming the field', async (_name, edit, field) => {
  const event = incidentEvent(edit);
  expect((await deliver(world.server.url, event)).status).toBe(500);
  const line = await world.server.waitForLog((l) => l.eventId === event.id);
  expect(line).toMatchObject({ severity: 'ERROR', function: 'istioAlertFired', field, ack: false, message: expect.stringMatching(/^malformed incident, not acknowledged: /) });
  expect(line.message).toContain(field);
  expect(world.server.logs().filter((l) => l.eventId === event.id)).toHaveLength(1);
  expect(world.hub.requests).toHaveLength(0);
});

test('message data that is not JSON fails, naming data.message.data', async () => {
  const event = withRawData(incidentEvent(), Buffer.from('incident 0.nq1d6hfe1l3v open').toString('base64'));
  expect((await deliver(world.server.url, event)).status).toBe(500);
  const line = await world.server.waitForLog((l) => l.eventId === event.id);
  expect(line).toMatchObject({ severity: 'ERROR', field: 'data.message.data', ack: false, message: expect.stringContaining('data.message.data is not JSON') });
});

test('an incident of a policy that names no Istio SLO is ignored on purpose: acknowledged (2xx), nothing reported', async () => {
  const event = incidentEvent((n) => (n.incident.policy_user_labels['meshgov-slo'] = 'billing-batch-latency'));
  const delivery = await deliver(world.server.url, event);
  expect(delivery.status).toBeGreaterThanOrEqual(200);
  expect(delivery.status).toBeLessThan(300);
  const line = await world.server.waitForLog((l) => l.eventId === event.id);
  expect(line).toMatchObject({ severity: 'WARNING', message: expect.stringMatching(/^ignored: incident 0\.nq1d6hfe1l3v .* names no Istio SLO/) });
  expect(world.hub.requests).toHaveLength(0);
  expect(world.emulator.requests()).toHaveLength(0);
});

test('the same notification delivered again (same messageId) is acknowledged as a duplicate, not handled a second time', async () => {
  const event = incidentEvent((n) => (n.incident.policy_user_labels['meshgov-slo'] = 'billing-batch-latency'));
  expect((await deliver(world.server.url, event)).status).toBeLessThan(300);
  const again = await deliver(world.server.url, structuredClone(event));
  expect(again.status).toBeGreaterThanOrEqual(200);
  expect(again.status).toBeLessThan(300);
  await world.server.waitForLog((l) => l.eventId === event.id && l.duplicate === true);
  const lines = world.server.logs().filter((l) => l.eventId === event.id);
  expect(lines.map((l) => l.severity)).toEqual(['WARNING', 'INFO']);
  expect(lines[1]).toMatchObject({ messageId: event.data.message.messageId, message: expect.stringMatching(/^ignored: duplicate delivery of message /) });
  expect(world.hub.requests).toHaveLength(0);
});
