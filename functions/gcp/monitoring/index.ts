/** Cloud Monitoring: alert policies generated from the Istio SLOs, and the incidents they send back. */
export { alertPoliciesForSlos, alertPolicyFor, NOTIFICATION_CHANNEL_PLACEHOLDER, SLO_LABEL, windowPairQuery, type AlertPolicy, type AlertPolicyCondition, type AlertPolicyOptions } from './alert-policies';
export { isTestNotification, parseMonitoringIncidentEvent, parseMonitoringNotification, SUPPORTED_NOTIFICATION_VERSION, TEST_NOTIFICATION_VERSION, type MonitoringIncident } from './incident';
