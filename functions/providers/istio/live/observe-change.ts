/**
 * The agent's half of recording a person's Istio change: what a GKE audit-log entry for a
 * PeerAuthentication, DestinationRule or ServiceEntry write says about the object, completed by
 * what the agent's scoped audit read right after it, as the ObservedIstioChange its report
 * carries to the hub (which records it: record-observed-change.ts).
 *
 * The object the change left is taken, in order of trust, from:
 * 1. the API server's response in the entry (`protoPayload.response`): exactly the change's
 *    result, with the resourceVersion and generation it produced;
 * 2. the agent's own read of the cluster (the scoped audit's inventory), when GKE did not log
 *    the bodies: right after the event, so a later edit may already show;
 * 3. the body of an update (PUT carries the whole object): the spec, but not the versions it produced.
 * A delete leaves no object; its response may carry the object as deleted.
 */
import { isLooseRecord as isRecord } from '../../../core/is-record';
import type { ObservedIstioChange, ObservedIstioObject } from '../../../core/link/messages';
import type { KubeObject } from '../../../core/model/inventory';
import { snapshotOf } from './istio-change';
import { isObservedKind, isObservedVerb } from './observed-actions';
import { touchedServices } from './touched-services';

/** An Istio write as the audit entry describes it (k8s-audit-entry.ts reads the entry). */
export interface AuditedIstioWrite {
  /** The LogEntry's `insertId`: unique per entry, the same on every redelivery. */
  insertId: string;
  kind: string;
  apiVersion: string;
  namespace?: string;
  name?: string;
  /** `patch`, `update`, `create`, `delete`, … (the end of methodName). */
  verb: string;
  actor?: string;
  at: string;
  /** `protoPayload.request` and `protoPayload.response`, when GKE logged them. */
  request?: unknown;
  response?: unknown;
}

export type Observation = { kind: 'observed'; change: ObservedIstioChange } | { kind: 'not-recorded'; reason: string };

/** Insert ids are short opaque strings; the change id keeps what is safe in a ledger key. */
export function observedChangeId(insertId: string): string {
  return `chg-gke-audit-${insertId.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 100)}`;
}

/**
 * @example
 * const observation = observeIstioChange(write, inventory.kubernetes, 'istio-system');
 * if (observation.kind === 'observed') report.observedChange = observation.change;
 */
export function observeIstioChange(write: AuditedIstioWrite, objects: readonly KubeObject[], rootNamespace: string): Observation {
  if (!isObservedKind(write.kind)) return { kind: 'not-recorded', reason: `${write.kind} changes are not recorded` };
  if (!isObservedVerb(write.verb)) return { kind: 'not-recorded', reason: `a ${write.verb} request names no single object` };
  if (write.namespace === undefined || write.name === undefined) return { kind: 'not-recorded', reason: 'the request names no single object' };
  if (write.insertId === '') return { kind: 'not-recorded', reason: 'the audit entry has no insertId to record it under' };
  const { kind, namespace, name, verb } = write;

  const change: ObservedIstioChange = { id: observedChangeId(write.insertId), verb, kind, apiVersion: write.apiVersion, namespace, name, at: write.at, services: [] };
  if (write.actor !== undefined) change.actor = write.actor;
  const replaced = resourceVersionOf(write.request);
  if (replaced !== undefined && (verb === 'update' || verb === 'patch')) change.replacedResourceVersion = replaced;

  if (verb === 'delete') {
    change.object = null;
    const deleted = objectOf(write.response, kind, namespace, name);
    if (deleted) change.deleted = deleted;
  } else {
    const fromResponse = objectOf(write.response, kind, namespace, name);
    const live = objects.find((o) => o.kind === kind && o.metadata?.namespace === namespace && o.metadata?.name === name);
    const fromLive = live ? objectOf(live, kind, namespace, name) : undefined;
    const fromRequest = verb === 'update' ? objectOf(write.request, kind, namespace, name) : undefined;
    if (fromResponse) {
      change.object = fromResponse;
      change.objectFrom = 'audit-response';
    } else if (fromLive) {
      change.object = fromLive;
      change.objectFrom = 'live-read';
    } else if (fromRequest) {
      // The request's metadata holds the version it replaced, not the one it produced.
      change.object = { ...fromRequest, metadata: { name, namespace, ...(fromRequest.metadata.uid ? { uid: fromRequest.metadata.uid } : {}) } };
      change.objectFrom = 'audit-request';
    }
  }
  change.services = touchedServices({ kind, namespace, specs: [change.object?.spec, change.deleted?.spec] }, objects, rootNamespace);
  return { kind: 'observed', change };
}

/** The part of an object a change record keeps, when `value` is that object (an entry's `@type` dropped). */
export function objectOf(value: unknown, kind: string, namespace: string, name: string): ObservedIstioObject | undefined {
  if (!isRecord(value) || value['kind'] !== kind || !isRecord(value['spec']) || !isRecord(value['metadata'])) return undefined;
  const metadata = value['metadata'];
  if (metadata['name'] !== undefined && metadata['name'] !== name) return undefined;
  if (metadata['namespace'] !== undefined && metadata['namespace'] !== namespace) return undefined;
  if (typeof value['apiVersion'] !== 'string') return undefined;
  // An entry may leave the name or namespace out of its object; the entry's own coordinates fill them.
  return snapshotOf({ ...value, metadata: { ...metadata, name, namespace } });
}

function resourceVersionOf(request: unknown): string | undefined {
  const rv = isRecord(request) && isRecord(request['metadata']) ? request['metadata']['resourceVersion'] : undefined;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}
