import { isRecord as isObject } from '../core/is-record';
import type { AuditScope, Trigger } from '../core/pipeline/trigger';
import { observeIstioChange, type AuditedIstioWrite } from '../providers/istio/live/observe-change';
import type { AgentDepsFactory } from './agent-deps';
import { auditAndReport } from './audit-and-report';
import { DeliveryMemory } from './delivery-memory';
import { destinationHostNamespace } from './destination-host-namespace';
import { classifyAuditEntry, type IstioChange } from './k8s-audit-entry';
import type { Logger } from './log';
import { rejectMalformed } from './malformed-message';
import { decodePubsubEvent, parseJsonObject, type PubsubMessage, type ReceivedCloudEvent } from './pubsub-message';
import { withDeps } from './with-deps';

/**
 * `istioConfigChanged`: a Pub/Sub message from the log sink on GKE audit entries. An Istio
 * policy change starts a scoped audit of its namespace, reported to the hub. The report also
 * carries the change itself (observe-change.ts: the object it left, from the entry's response or
 * the audit's read, and the services it touches), which the hub records in the ledger as a
 * person's change, so that a latency burn can name it. What meshgov ignores on purpose is
 * acknowledged with one log line saying why: an entry of another kind, a refused request, a
 * change on another cluster, a change made by meshgov itself (its service accounts,
 * MESHGOV_AGENT_SA: never recorded as a person's). An event that cannot be read fails with an
 * error naming the field, so that Pub/Sub redelivers it and then dead-letters it (never silence).
 */
export function istioConfigChanged(deps: AgentDepsFactory, baseLog: Logger, memory = new DeliveryMemory()): (event: ReceivedCloudEvent) => Promise<void> {
  return async (event) => {
    const log = baseLog.with({ function: 'istioConfigChanged', eventId: event.id });
    const message = decodePubsubEvent(event);
    if (!message.ok) rejectMalformed(log, 'malformed event', message.field, message.problem);
    await memory.once(message.value.messageId, log, () => handleAuditMessage(message.value, deps, log));
  };
}

/** One log-sink message, first delivery: classify the entry, then audit and report a change. */
async function handleAuditMessage(message: PubsubMessage, deps: AgentDepsFactory, log: Logger): Promise<void> {
  const entry = parseJsonObject(message.text);
  if (!entry.ok) rejectMalformed(log, 'malformed event', entry.field, entry.problem);

  const verdict = classifyAuditEntry(entry.value);
  if (verdict.kind === 'malformed') rejectMalformed(log, 'malformed audit log entry', verdict.field, verdict.problem, { insertId: entry.value.insertId });
  if (verdict.kind === 'ignored') return log.info(`ignored: ${verdict.reason}`, { resourceName: verdict.resourceName, insertId: entry.value.insertId });

  const change = verdict.change;
  await withDeps(deps, log, async (agent) => {
    const { identity, ownPrincipals, rootNamespace } = agent.config;
    const elsewhere = otherCluster(change, identity);
    if (elsewhere) return log.info(`ignored: the change is on ${elsewhere}, not on this agent's cluster`, { actor: change.actor });
    if (change.actor !== undefined && ownPrincipals.includes(change.actor)) {
      // meshgov's own remediation: the hub verifies it already; auditing it again could loop.
      return log.info(`ignored: change made by meshgov itself (${change.actor})`, { actor: change.actor, resource: describe(change) });
    }
    const scope = scopeOf(change, rootNamespace);
    const trigger: Trigger = {
      source: 'gke-audit',
      eventId: message.messageId,
      eventTime: change.at ?? message.publishTime ?? agent.clock().toISOString(),
      ...(change.actor === undefined ? {} : { actor: change.actor }),
      summary: `${change.verb} ${describe(change)}${change.actor === undefined ? '' : ` by ${change.actor}`}`,
    };
    log.info(`auditing after ${trigger.summary}`, { scope, actor: change.actor });
    const payload = entry.value.protoPayload as Record<string, unknown>;
    const write: AuditedIstioWrite = {
      insertId: typeof entry.value.insertId === 'string' ? entry.value.insertId : '',
      kind: change.kind,
      apiVersion: change.apiVersion,
      verb: change.verb,
      at: trigger.eventTime,
      ...(change.namespace === undefined ? {} : { namespace: change.namespace }),
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.actor === undefined ? {} : { actor: change.actor }),
      ...(isObject(payload.request) ? { request: payload.request } : {}),
      ...(isObject(payload.response) ? { response: payload.response } : {}),
    };
    // The change itself travels with the report, observed from the audit's own read; the hub
    // records it once (its id comes from the entry's insertId).
    await auditAndReport(trigger, scope, agent, log, (read, report) => {
      const observation = observeIstioChange(write, (read?.kubernetes ?? []).map((o) => o.doc), agent.config.rootNamespace);
      if (observation.kind === 'observed') {
        report.observedChange = observation.change;
        log.info('change observed for the ledger', { changeId: observation.change.id, objectFrom: observation.change.objectFrom, services: observation.change.services });
      } else {
        log.info(`change not recorded: ${observation.reason}`);
      }
    });
  });
}

/**
 * A namespace's own policies affect its workloads; the root namespace's are mesh-wide (Istio:
 * a selector-less PeerAuthentication in the root namespace is the mesh policy), so a change
 * there, or to a whole collection, gets a full audit. A DestinationRule toward a service in
 * another namespace is judged against that service's server side too, so both are audited.
 */
export function scopeOf(change: IstioChange, rootNamespace: string): AuditScope {
  if (change.namespace === undefined || change.namespace === rootNamespace) return { kind: 'all', providers: ['istio', 'x509'] };
  const hostNamespace = change.host === undefined ? undefined : destinationHostNamespace(change.host, change.namespace);
  if (hostNamespace !== undefined && hostNamespace !== change.namespace) {
    return { kind: 'all', providers: ['istio', 'x509'], namespaces: [change.namespace, hostNamespace] };
  }
  return { kind: 'istio-namespace', namespace: change.namespace };
}

function describe(change: IstioChange): string {
  return `${change.kind} ${change.namespace ?? '(all namespaces)'}/${change.name ?? '(collection)'}`;
}

/** "cluster X in project Y" when the entry names another cluster than the configured one. */
function otherCluster(change: IstioChange, identity: { project: string; cluster: string; location?: string }): string | undefined {
  const c = change.cluster;
  const differs = (c.name !== undefined && c.name !== identity.cluster) || (c.project !== undefined && c.project !== identity.project) || (c.location !== undefined && identity.location !== undefined && c.location !== identity.location);
  return differs ? `cluster ${c.name ?? '?'} in ${c.location ?? '?'} of project ${c.project ?? '?'}` : undefined;
}
