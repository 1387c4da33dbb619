import type { AuditScope, Trigger } from '../core/pipeline/trigger';
import type { AgentDepsFactory } from './agent-deps';
import { agentPrometheus, type AgentPrometheusOptions } from './agent-prometheus';
import { auditAndReport } from './audit-and-report';
import { DeliveryMemory } from './delivery-memory';
import type { Logger } from './log';
import { rejectMalformed } from './malformed-message';
import { decodePubsubEvent, parseJsonObject, type ReceivedCloudEvent } from './pubsub-message';
import { sweepIstioSlos } from './sweep-istio-slos';
import { withDeps } from './with-deps';

/** The Cloud Scheduler job's attribute naming it (deploy-agent.sh sets it). */
export const SCHEDULER_JOB_ATTRIBUTE = 'meshgov-job';

/**
 * `istioScheduledAudit`: the Cloud Scheduler job publishes `{"trigger":"schedule","scope":"all"}`
 * to its topic; the function audits the whole cluster (Istio and certificates) and reports to
 * the hub, which resolves the findings this full audit no longer sees; then it reads every Istio
 * SLO of rules/ and reports each (sweepIstioSlos). Any other message body
 * fails with an error naming the field, so that Pub/Sub redelivers it and then dead-letters it.
 */
export function istioScheduledAudit(deps: AgentDepsFactory, baseLog: Logger, options: AgentPrometheusOptions = {}, memory = new DeliveryMemory()): (event: ReceivedCloudEvent) => Promise<void> {
  return async (event) => {
    const log = baseLog.with({ function: 'istioScheduledAudit', eventId: event.id });
    const message = decodePubsubEvent(event);
    if (!message.ok) rejectMalformed(log, 'malformed event', message.field, message.problem);
    const body = parseJsonObject(message.value.text);
    if (!body.ok) rejectMalformed(log, 'malformed event', body.field, body.problem);
    const { trigger: kind, scope: requested } = body.value;
    if (kind !== 'schedule') rejectMalformed(log, 'unknown message', 'data.message.data.trigger', `is ${JSON.stringify(kind)}, expected "schedule"`);
    if (requested !== 'all') rejectMalformed(log, 'unknown message', 'data.message.data.scope', `is ${JSON.stringify(requested)}, expected "all"`);

    // One scheduled run per message: a redelivery of a run that succeeded is not a second run.
    await memory.once(message.value.messageId, log, () => withDeps(deps, log, async (agent) => {
      const job = message.value.attributes[SCHEDULER_JOB_ATTRIBUTE];
      const trigger: Trigger = {
        source: 'cloud-scheduler',
        eventId: message.value.messageId,
        eventTime: message.value.publishTime ?? agent.clock().toISOString(),
        summary: `scheduled full audit of ${agent.config.identity.cluster}${job ? ` (Cloud Scheduler job ${job})` : ''}`,
      };
      const scope: AuditScope = { kind: 'all', providers: ['istio', 'x509'] };
      log.info(trigger.summary, { scope });
      await auditAndReport(trigger, scope, agent, log);
      await sweepIstioSlos(trigger, agent, agentPrometheus(agent, options), log);
    }));
  };
}
