import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseMonitoringIncidentEvent, parseMonitoringNotification } from './incident';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/shared-events/gcp');
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

/** The fixture's CloudEvent with its notification JSON replaced. */
function eventWith(notification: unknown) {
  const event = fixture('pubsub-cloudevent-monitoring-incident-open.json') as { data: { message: { data: string } } };
  event.data.message.data = Buffer.from(JSON.stringify(notification)).toString('base64');
  return event;
}

describe('Cloud Monitoring incident notifications (version 1.2, over Pub/Sub)', () => {
  it('reads an open incident with the SLO its policy watches', () => {
    const parsed = parseMonitoringIncidentEvent(fixture('pubsub-cloudevent-monitoring-incident-open.json'));
    expect(parsed).toEqual({
      ok: true,
      value: {
        incidentId: '0.nq1d6hfe1l3v',
        state: 'open',
        policyName: 'meshgov payments-api p99 latency',
        sloName: 'payments-api-latency',
        conditionName: 'payments-api p99 latency above 250 ms',
        startedAt: new Date(1795187400 * 1000),
        summary: 'p99 request latency for payments-api in payments (prod-gke) is above the 250 ms threshold with a value of 412.6.',
        url: 'https://console.cloud.google.com/monitoring/alerting/incidents/0.nq1d6hfe1l3v?project=meshgov-demo',
      },
    });
  });

  it('reads a closed incident with its end', () => {
    const parsed = parseMonitoringIncidentEvent(fixture('pubsub-cloudevent-monitoring-incident-closed.json'));
    expect(parsed.ok && parsed.value).toMatchObject({ state: 'closed', sloName: 'payments-api-latency', startedAt: new Date(1795187400_000), endedAt: new Date(1795189260_000) });
  });

  it('compares the state case-insensitively', () => {
    const notification = fixture('monitoring-incident-open.notification.json') as { incident: Record<string, unknown> };
    notification.incident.state = 'OPEN';
    expect(parseMonitoringIncidentEvent(eventWith(notification))).toMatchObject({ ok: true, value: { state: 'open' } });
    notification.incident.state = 'Closed';
    notification.incident.ended_at = 1795189260;
    expect(parseMonitoringIncidentEvent(eventWith(notification))).toMatchObject({ ok: true, value: { state: 'closed' } });
  });

  it('leaves sloName out for a policy meshgov did not generate', () => {
    const notification = fixture('monitoring-incident-open.notification.json') as { incident: Record<string, unknown> };
    notification.incident.policy_user_labels = { team: 'payments' };
    const parsed = parseMonitoringNotification(notification);
    expect(parsed.ok && parsed.value.sloName).toBeUndefined();
  });

  it.each([
    [(n: Record<string, any>) => delete n.version, 'data.message.data.version', /is missing; meshgov reads notification schema 1.2/],
    [(n: Record<string, any>) => (n.version = '1.1'), 'data.message.data.version', /is "1.1"/],
    [(n: Record<string, any>) => (n.incident.state = 'acknowledged'), 'data.message.data.incident.state', /expected open or closed/],
    [(n: Record<string, any>) => delete n.incident.policy_name, 'data.message.data.incident.policy_name', /is missing/],
    [(n: Record<string, any>) => (n.incident.started_at = '2026-11-20T15:10:00Z'), 'data.message.data.incident.started_at', /expected epoch seconds/],
    [(n: Record<string, any>) => (n.incident.state = 'closed'), 'data.message.data.incident.ended_at', /a closed incident has an end/],
    [(n: Record<string, any>) => (n.incident.policy_user_labels = { 'meshgov-slo': 7 }), 'data.message.data.incident.policy_user_labels.meshgov-slo', /not a string/],
  ])('names the field that is wrong (%#)', (mutate, field, problem) => {
    const notification = fixture('monitoring-incident-open.notification.json');
    mutate(notification as Record<string, any>);
    const parsed = parseMonitoringIncidentEvent(eventWith(notification));
    expect(parsed).toEqual({ ok: false, field, problem: expect.stringMatching(problem) });
  });

  it('names the Pub/Sub field when the message is not a notification at all', () => {
    const event = eventWith('x') as { data: { message: { data: string } } };
    event.data.message.data = Buffer.from('not json').toString('base64');
    expect(parseMonitoringIncidentEvent(event)).toMatchObject({ ok: false, field: 'data.message.data' });
  });
});
