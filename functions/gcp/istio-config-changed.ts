import { isRecord as isObject } from '../core/is-record';
import type { Inventory } from '../core/model/inventory';
import type { InventorySource } from '../core/pipeline/ports';
import { scopeKey, type AuditScope, type Trigger } from '../core/pipeline/trigger';
import { observeIstioChange, type AuditedIstioWrite } from '../providers/istio/live/observe-change';
import type { AgentDeps, AgentDepsFactory } from './agent-deps';
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
 * MESHGOV_AGENT_SA: never recorded as a person's). A request answered with a timeout or server
 * error may have been stored: it is audited, but not recorded as a change. An event that cannot be read fails with an
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
    // GKE logs Istio kinds at the Metadata level (no bodies), so a DestinationRule's host
    // usually comes from the cluster: the namespace read that finds it is the audit's own read.
    const learned = await learnHost(change, agent, log);
    const scope = scopeOf(learned.change, rootNamespace);
    const source = learned.read === undefined ? agent.source : reusingRead(agent.source, learned.read);
    const unconfirmed = change.unconfirmed ? ` (answered with status code ${change.unconfirmed.code}, so it may or may not have been stored)` : '';
    const trigger: Trigger = {
      source: 'gke-audit',
      eventId: message.messageId,
      eventTime: change.at ?? message.publishTime ?? agent.clock().toISOString(),
      ...(change.actor === undefined ? {} : { actor: change.actor }),
      summary: `${change.verb} ${describe(change)}${change.actor === undefined ? '' : ` by ${change.actor}`}${unconfirmed}`,
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
    await auditAndReport(trigger, scope, { ...agent, source }, log, (read, report) => {
      // A write that may not have happened is not recorded as a person's change (its rollback would undo nothing, or the wrong thing).
      if (change.unconfirmed) {
        return log.info(`change not recorded: the API server answered status code ${change.unconfirmed.code}${change.unconfirmed.message ? ` (${change.unconfirmed.message})` : ''}, so whether it changed anything is unknown`, { status: change.unconfirmed });
      }
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

/**
 * A DestinationRule written (not deleted) whose entry logged no host: its host read from its
 * namespace, with that read. Nothing to learn for other kinds, deletes, collections and the
 * root namespace (audited whole anyway).
 */
async function learnHost(change: IstioChange, agent: AgentDeps, log: Logger): Promise<{ change: IstioChange; read?: { scope: AuditScope; inventory: Inventory } }> {
  const { namespace, name } = change;
  if (change.kind !== 'DestinationRule' || change.host !== undefined || namespace === undefined || name === undefined) return { change };
  if (namespace === agent.config.rootNamespace || change.verb === 'delete' || change.verb === 'deletecollection') return { change };
  const scope: AuditScope = { kind: 'istio-namespace', namespace };
  let inventory: Inventory;
  try {
    inventory = await agent.source.collect(scope);
  } catch (error) {
    log.error('audit failed: the cluster could not be read; the message will be redelivered', { scope, error });
    throw error;
  }
  const rule = inventory.kubernetes.find((o) => o.doc.kind === 'DestinationRule' && o.doc.metadata?.namespace === namespace && o.doc.metadata?.name === name);
  const host = rule?.doc.spec?.host;
  return { change: typeof host === 'string' && host !== '' ? { ...change, host } : change, read: { scope, inventory } };
}

/** `source`, answering the scope already read with that read, once. */
function reusingRead(source: InventorySource, read: { scope: AuditScope; inventory: Inventory }): InventorySource {
  let unused: Inventory | undefined = read.inventory;
  const key = scopeKey(read.scope);
  return {
    collect: async (scope) => {
      if (unused !== undefined && scopeKey(scope) === key) {
        const inventory = unused;
        unused = undefined;
        return inventory;
      }
      return source.collect(scope);
    },
  };
}

function describe(change: IstioChange): string {
  if (change.kind === 'Namespace') return `Namespace ${change.name ?? '(collection)'}`;
  return `${change.kind} ${change.namespace ?? '(all namespaces)'}/${change.name ?? '(collection)'}`;
}

/** "cluster X in project Y" when the entry names another cluster than the configured one. */
function otherCluster(change: IstioChange, identity: { project: string; cluster: string; location?: string }): string | undefined {
  const c = change.cluster;
  const differs = (c.name !== undefined && c.name !== identity.cluster) || (c.project !== undefined && c.project !== identity.project) || (c.location !== undefined && identity.location !== undefined && c.location !== identity.location);
  return differs ? `cluster ${c.name ?? '?'} in ${c.location ?? '?'} of project ${c.project ?? '?'}` : undefined;
}
