import { sharedEvent } from '../../test/support/shared-events';
import { decodePubsubEvent, parseJsonObject } from './pubsub-message';

const auditEvent = () => sharedEvent('gcp/pubsub-cloudevent-k8s-audit-peerauthentication.json');

test('decodes the log sink message into the LogEntry the sample documents', () => {
  const decoded = decodePubsubEvent(auditEvent());
  expect(decoded.ok).toBe(true);
  if (!decoded.ok) return;
  expect(decoded.value).toMatchObject({
    messageId: '13268925375184921',
    publishTime: '2026-11-20T14:47:14.391Z',
    attributes: { 'logging.googleapis.com/timestamp': '2026-11-20T14:47:12.483917Z' },
  });
  expect(parseJsonObject(decoded.value.text)).toEqual({ ok: true, value: sharedEvent('gcp/k8s-audit-peerauthentication.logentry.json') });
});

test('reads the snake_case duplicates when the camelCase fields are absent, and the CloudEvent id last', () => {
  const event = auditEvent();
  delete event.data.message.messageId;
  delete event.data.message.publishTime;
  expect(decodePubsubEvent(event)).toMatchObject({ ok: true, value: { messageId: '13268925375184921', publishTime: '2026-11-20T14:47:14.391Z' } });
  delete event.data.message.message_id;
  event.id = 'ce-only-id';
  expect(decodePubsubEvent(event)).toMatchObject({ ok: true, value: { messageId: 'ce-only-id' } });
});

test.each([
  ['another CloudEvent type (a Cloud Storage object)', (e: any) => (e.type = 'google.cloud.storage.object.v1.finalized'), 'type'],
  ['no data', (e: any) => delete e.data, 'data'],
  ['data is a string (a structured-mode body posted as text)', (e: any) => (e.data = 'hello'), 'data'],
  ['no message', (e: any) => delete e.data.message, 'data.message'],
  ['a message with attributes only', (e: any) => delete e.data.message.data, 'data.message.data'],
  ['data that is not base64', (e: any) => (e.data.message.data = 'not base64 at all!'), 'data.message.data'],
  ['base64 without its padding', (e: any) => (e.data.message.data = 'eyJhIjoxfQ'), 'data.message.data'],
  ['padding inside the text', (e: any) => (e.data.message.data = 'eyJh=IjoxfQ='), 'data.message.data'],
  ['three padding characters', (e: any) => (e.data.message.data = 'eyJhIjoxfQ=='.slice(0, 9) + '==='), 'data.message.data'],
])('%s is malformed, naming %s', (_name, vary, field) => {
  const event = auditEvent();
  vary(event);
  expect(decodePubsubEvent(event)).toMatchObject({ ok: false, field });
});

test.each([
  ['text that is not JSON', 'Istio changed', /not JSON/],
  ['a JSON array', '[1,2]', /not an object/],
  ['JSON null', 'null', /not an object/],
])('%s is malformed', (_name, text, problem) => {
  expect(parseJsonObject(text)).toMatchObject({ ok: false, field: 'data.message.data', problem: expect.stringMatching(problem) });
});

test('decodes a message near the 10 MB Pub/Sub allows, whose base64 once overflowed the check', () => {
  const entry = { insertId: 'big', protoPayload: { methodName: 'io.k8s.core.v1.configmaps.update', padding: 'x'.repeat(6_000_000) } };
  const event = auditEvent();
  event.data.message.data = Buffer.from(JSON.stringify(entry)).toString('base64');
  const decoded = decodePubsubEvent(event);
  expect(decoded.ok).toBe(true);
  if (decoded.ok) expect(parseJsonObject(decoded.value.text)).toEqual({ ok: true, value: entry });
});
