import type { Trigger } from '../core/pipeline/trigger';
import { runSloAlarm } from '../core/slo/alarm-run';
import { slosOfPolicy } from '../core/slo/definition';
import { readSloTopology } from '../core/slo/read-topology';
import { describeReadProblems } from '../core/slo/reading';
import type { AgentDepsFactory } from './agent-deps';
import { agentPrometheus, type AgentPrometheusOptions } from './agent-prometheus';
import { DeliveryMemory } from './delivery-memory';
import { reportAsAgent } from './hub-client';
import type { Logger } from './log';
import { rejectMalformed } from './malformed-message';
import { isTestNotification, parseMonitoringNotification, TEST_NOTIFICATION_VERSION } from './monitoring/incident';
import { decodePubsubEvent, parseJsonObject, type ReceivedCloudEvent } from './pubsub-message';
import { withDeps } from './with-deps';

export type IstioAlertOptions = AgentPrometheusOptions;

/**
 * `istioAlertFired`: a Cloud Monitoring incident (notification schema 1.2, from a Pub/Sub
 * notification channel) on one of the alert policies meshgov generates for Istio SLOs. An open
 * incident is confirmed with a fresh Prometheus query, what the service calls is read from its
 * namespace (it travels on the finding as `detail.topology`), and the SLO's report goes to the
 * hub, which names the suspected change (the service's own, else a dependency's) and offers its rollback; a closed one reports the SLO's
 * service with no finding, so the hub resolves it. An incident on a policy of no known SLO is
 * acknowledged with one log line (meshgov ignores it on purpose), and so is a channel's test
 * notification (`version` "test"); a malformed message fails with
 * an error naming the field, so that Pub/Sub redelivers it and then dead-letters it; a failed
 * query or hub call throws, so Pub/Sub redelivers.
 */
export function istioAlertFired(deps: AgentDepsFactory, baseLog: Logger, options: IstioAlertOptions = {}, memory = new DeliveryMemory()): (event: ReceivedCloudEvent) => Promise<void> {
  return async (event) => {
    const log = baseLog.with({ function: 'istioAlertFired', eventId: event.id });
    const message = decodePubsubEvent(event);
    if (!message.ok) rejectMalformed(log, 'malformed incident', message.field, message.problem);
    const json = parseJsonObject(message.value.text);
    if (!json.ok) rejectMalformed(log, 'malformed incident', json.field, json.problem);
    // Retrying cannot turn a channel check into an incident, and dead-lettering it would alarm.
    if (isTestNotification(json.value)) return log.info(`ignored: a test notification of the notification channel (version ${JSON.stringify(TEST_NOTIFICATION_VERSION)}), not an incident`, { ack: true });
    const parsed = parseMonitoringNotification(json.value, 'data.message.data');
    if (!parsed.ok) rejectMalformed(log, 'malformed incident', parsed.field, parsed.problem);
    const incident = parsed.value;

    await memory.once(message.value.messageId, log, () => withDeps(deps, log, async (agent) => {
      const slo = slosOfPolicy(agent.policy).find((s) => s.mesh === 'istio' && s.name === incident.sloName);
      if (!slo) return log.warning(`ignored: incident ${incident.incidentId} of policy ${incident.policyName} names no Istio SLO in rules/`, { sloName: incident.sloName, ack: true });
      const trigger: Trigger = {
        source: 'cloud-monitoring',
        // One incident opens and closes: each is its own event.
        eventId: `${incident.incidentId}:${incident.state}`,
        eventTime: (incident.state === 'closed' ? incident.endedAt! : incident.startedAt).toISOString(),
        summary: `Cloud Monitoring incident ${incident.incidentId} ${incident.state}: ${incident.summary}`,
      };
      const prometheus = agentPrometheus(agent, options);
      const firing = incident.state === 'open';
      // What the service calls, read from its namespace here, where the cluster is: the hub blames with it.
      const readTopology = () => readSloTopology(slo, { source: agent.source, builders: agent.builders }, agent.clock(), (message, fields) => log.warning(message, fields));
      const run = await runSloAlarm(slo, firing ? 'firing' : 'resolved', trigger, { policy: agent.policy, sources: { prometheus }, at: agent.clock(), readTopology });
      if (run.problems.length > 0) {
        log.error('the fresh Prometheus query failed; failing so Pub/Sub redelivers', { slo: slo.name, problems: run.problems });
        throw new Error(describeReadProblems(run.problems));
      }
      log.info('SLO incident checked', { slo: slo.name, state: incident.state, findings: run.scoped.report.findings.length, queries: run.queries });
      const delivery = await reportAsAgent({ agent: agent.config.identity, scopedReport: run.scoped }, agent, log);
      log.notice('SLO report delivered to the hub', { slo: slo.name, hubStatus: delivery.status, attempts: delivery.attempts });
    }));
  };
}
