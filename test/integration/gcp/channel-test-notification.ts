/**
 * What Cloud Monitoring publishes when someone presses "Send test notification" on a notification
 * channel: `version` "test" and a fixed fake incident (started_at 0, state "OPEN"), as
 * integrators document it (cloudforet-io/tsc issue 8; the same payload is sent to webhooks).
 */
export function channelTestNotification(): Record<string, any> {
  return {
    version: 'test',
    incident: {
      incident_id: '12345',
      scoping_project_id: '12345',
      scoping_project_number: 12345,
      url: 'http://www.example.com',
      started_at: 0,
      ended_at: 0,
      state: 'OPEN',
      summary: 'Test Incident',
      apigee_url: 'http://www.example.com',
      observed_value: '1.0',
      resource: { type: 'example_resource', labels: { example: 'label' } },
      resource_type_display_name: 'Example Resource Type',
      resource_id: '12345',
      resource_display_name: 'Example Resource',
      resource_name: 'projects/12345/example_resources/12345',
      metric: { type: 'test.googleapis.com/metric', displayName: 'Test Metric', labels: { example: 'label' } },
      metadata: { system_labels: { example: 'label' }, user_labels: { example: 'label' } },
      policy_name: 'projects/12345/alertPolicies/12345',
      policy_user_labels: { 'user-label-1': 'important label', 'user-label-2': 'another label' },
      condition_name: 'Example condition',
      threshold_value: '0.5',
    },
  };
}
