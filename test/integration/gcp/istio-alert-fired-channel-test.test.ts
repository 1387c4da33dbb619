/**
 * istioAlertFired on the real functions-framework server, given the message Cloud Monitoring
 * publishes for "Send test notification" on the agent's Pub/Sub channel: retrying cannot make
 * it an incident, and dead-lettering it would page someone for checking the channel, so it is
 * acknowledged with one INFO line and nothing is read or reported.
 */
import { agentWorldPerFile } from './agent-world';
import { channelTestNotification } from './channel-test-notification';
import { deliver, sampleEvent, withRawData, type PubsubCloudEvent } from './cloud-events';

const world = agentWorldPerFile('istioAlertFired');

let sequence = 0;

function eventOf(notification: unknown): PubsubCloudEvent {
  const event = withRawData(sampleEvent('pubsub-cloudevent-monitoring-incident-open.json'), Buffer.from(JSON.stringify(notification), 'utf8').toString('base64'));
  const messageId = `1326911842308${5000 + ++sequence}`;
  event.id = messageId;
  event.data.message = { ...event.data.message, messageId, message_id: messageId };
  return event;
}

test('a channel test notification is acknowledged (2xx) with one INFO line; nothing is read or reported', async () => {
  const event = eventOf(channelTestNotification());
  const delivery = await deliver(world.server.url, event);
  expect(delivery.status).toBeGreaterThanOrEqual(200);
  expect(delivery.status).toBeLessThan(300);
  const line = await world.server.waitForLog((l) => l.eventId === event.id);
  expect(line).toMatchObject({ severity: 'INFO', function: 'istioAlertFired', ack: true, message: expect.stringMatching(/^ignored: a test notification/) });
  expect(world.server.logs().filter((l) => l.eventId === event.id)).toHaveLength(1);
  expect(world.hub.requests).toHaveLength(0);
  expect(world.emulator.requests()).toHaveLength(0);
});

test('a real incident of another schema version still fails naming the field (only "test" is acknowledged)', async () => {
  const notification = channelTestNotification();
  notification.version = '1.3';
  const event = eventOf(notification);
  expect((await deliver(world.server.url, event)).status).toBe(500);
  const line = await world.server.waitForLog((l) => l.eventId === event.id);
  expect(line).toMatchObject({ severity: 'ERROR', field: 'data.message.data.version', ack: false });
});
