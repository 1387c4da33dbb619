import { isRecord as isObject } from '../core/is-record';
import { parseResourceName } from './kubernetes-resource-name';

/**
 * What a Cloud Logging LogEntry from the GKE audit log sink means to the agent. The decision
 * keys on `protoPayload.resourceName`, not on `methodName`, whose spelling for custom
 * resources is derived from the API group rather than documented.
 */

/**
 * The kinds whose writes change what the Istio audit finds, by API group and REST resource: the
 * Istio policies, and Namespaces, whose injection labels put their workloads in or out of the mesh.
 */
const AUDITED_KINDS: Record<string, Record<string, IstioKind>> = {
  'security.istio.io': { peerauthentications: 'PeerAuthentication' },
  'networking.istio.io': { destinationrules: 'DestinationRule', serviceentries: 'ServiceEntry' },
  core: { namespaces: 'Namespace' },
};

export type IstioKind = 'PeerAuthentication' | 'DestinationRule' | 'ServiceEntry' | 'Namespace';

/** `protoPayload.@type` of a Cloud Audit Logs entry (LogEntry reference, AuditLog). */
export const AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';

/**
 * GKE labels the Admin Activity entry of a dry-run request (`kubectl --dry-run=server`, the
 * `dryRun` URL parameter) with this; the query itself is not in the entry (GKE audit logging).
 */
export const DRY_RUN_LABEL = 'command.gke.io/dryRun';

/**
 * google.rpc.Code values of a request the API server refused before storing anything:
 * INVALID_ARGUMENT (400, 422), NOT_FOUND (404), ALREADY_EXISTS and ABORTED (409),
 * PERMISSION_DENIED (403), RESOURCE_EXHAUSTED (429), FAILED_PRECONDITION, OUT_OF_RANGE,
 * UNIMPLEMENTED (405, 501), UNAUTHENTICATED (401). Others (CANCELLED, UNKNOWN,
 * DEADLINE_EXCEEDED 504, INTERNAL 500, UNAVAILABLE 503, DATA_LOSS) leave the outcome unknown.
 */
const REFUSED_CODES = new Set([3, 5, 6, 7, 8, 9, 10, 11, 12, 16]);

// Verbs that change nothing; a data-access audit entry routed to the sink by mistake says so.
const READ_VERBS = new Set(['get', 'list', 'watch']);

export interface IstioChange {
  kind: IstioKind;
  apiVersion: string;
  /** Absent only for a cluster-wide collection request. */
  namespace?: string;
  name?: string;
  /** The last segment of `methodName` (`patch`, `create`, `update`, `delete`, `deletecollection`), `unknown` without one. */
  verb: string;
  /** `protoPayload.authenticationInfo.principalEmail`: a Google account or service account, or `system:serviceaccount:<ns>:<name>`. */
  actor?: string;
  /** When the API server handled the request (LogEntry `timestamp`). */
  at?: string;
  /**
   * A DestinationRule's `spec.host` after the change, from the object the API server returned
   * (`protoPayload.response`) or, failing that, a full object in the request (create, update).
   * Absent for a delete, or when GKE did not log the bodies.
   */
  host?: string;
  /** `resource.labels` of the `k8s_cluster` entry. */
  cluster: { project?: string; location?: string; name?: string };
  /**
   * Set when the API server answered with an error that is not a refusal (`protoPayload.status`:
   * a timeout, an internal error): the write may or may not have been stored.
   */
  unconfirmed?: { code: number; message?: string };
}

export type AuditEntryVerdict =
  | { kind: 'istio-change'; change: IstioChange }
  | { kind: 'ignored'; reason: string; resourceName?: string }
  | { kind: 'malformed'; field: string; problem: string };

export function classifyAuditEntry(entry: Record<string, unknown>): AuditEntryVerdict {
  const payload = entry.protoPayload;
  if (!isObject(payload)) return malformed('protoPayload', 'is missing or not an object (not an audit log entry?)');
  // A sink exports audit entries with this payload type; another type is another kind of log.
  const type = payload['@type'];
  if (type !== undefined && type !== AUDIT_LOG_TYPE) return malformed('protoPayload.@type', `is ${JSON.stringify(type)}, not ${AUDIT_LOG_TYPE} (not an audit log entry?)`);
  const serviceName = payload.serviceName;
  if (typeof serviceName !== 'string') return malformed('protoPayload.serviceName', 'is missing or not a string');
  if (serviceName !== 'k8s.io') return { kind: 'ignored', reason: `serviceName is ${serviceName}, not k8s.io: not a Kubernetes audit entry` };

  const resourceName = payload.resourceName;
  if (typeof resourceName !== 'string' || resourceName === '') return malformed('protoPayload.resourceName', 'is missing or empty');
  const parsed = parseResourceName(resourceName);
  if (!parsed) return malformed('protoPayload.resourceName', `is not a Kubernetes resource path: ${JSON.stringify(resourceName)}`);
  const kind = AUDITED_KINDS[parsed.group]?.[parsed.resource];
  if (!kind) return { kind: 'ignored', reason: `${parsed.group === 'core' ? '' : `${parsed.group} `}${parsed.resource} is not an Istio kind meshgov audits`, resourceName };
  if (parsed.subresource) return { kind: 'ignored', reason: `a change to the ${parsed.subresource} subresource does not change the policy`, resourceName };

  const methodName = typeof payload.methodName === 'string' ? payload.methodName : '';
  const verb = methodName === '' ? 'unknown' : methodName.slice(methodName.lastIndexOf('.') + 1);
  if (READ_VERBS.has(verb)) return { kind: 'ignored', reason: `${verb} changes nothing`, resourceName };

  // A refused request (403, 409, 422 …) changed nothing: google.rpc.Status code 0 is OK. A
  // timeout or server error proves no refusal (Kubernetes may still store the write), so that
  // change is audited, marked unconfirmed.
  const status = payload.status;
  let unconfirmed: IstioChange['unconfirmed'];
  if (isObject(status) && typeof status.code === 'number' && status.code !== 0) {
    const message = typeof status.message === 'string' ? status.message : undefined;
    if (REFUSED_CODES.has(status.code)) {
      return { kind: 'ignored', reason: `the request failed (status code ${status.code}${message === undefined ? '' : `: ${message}`}), so nothing changed`, resourceName };
    }
    unconfirmed = { code: status.code, ...(message === undefined ? {} : { message }) };
  }

  const dryRun = dryRunOf(payload.request);
  if (dryRun) return { kind: 'ignored', reason: `a dry run (request.dryRun ${JSON.stringify(dryRun)}) persists nothing`, resourceName };
  const dryRunLabel = isObject(entry.labels) ? entry.labels[DRY_RUN_LABEL] : undefined;
  if (typeof dryRunLabel === 'string' && dryRunLabel !== '' && dryRunLabel.toLowerCase() !== 'false') {
    return { kind: 'ignored', reason: `a dry run (label ${DRY_RUN_LABEL} ${JSON.stringify(dryRunLabel)}) persists nothing`, resourceName };
  }

  const authentication = payload.authenticationInfo;
  const actor = isObject(authentication) && typeof authentication.principalEmail === 'string' ? authentication.principalEmail : undefined;
  const labels = isObject(entry.resource) && isObject(entry.resource.labels) ? entry.resource.labels : {};
  const label = (key: string): string | undefined => (typeof labels[key] === 'string' ? (labels[key] as string) : undefined);
  const cluster: IstioChange['cluster'] = {};
  if (label('project_id')) cluster.project = label('project_id');
  if (label('location')) cluster.location = label('location');
  if (label('cluster_name')) cluster.name = label('cluster_name');

  const apiVersion = parsed.version !== undefined ? joinApiVersion(parsed.group, parsed.version) : objectApiVersion(parsed.group, payload.response) ?? objectApiVersion(parsed.group, payload.request) ?? parsed.group;
  const change: IstioChange = { kind, apiVersion, verb, cluster };
  if (parsed.namespace !== undefined) change.namespace = parsed.namespace;
  // A Namespace is cluster-scoped; the namespace its write concerns is the one it names.
  if (kind === 'Namespace' && parsed.name !== undefined) change.namespace = parsed.name;
  if (parsed.name !== undefined) change.name = parsed.name;
  if (actor !== undefined) change.actor = actor;
  if (typeof entry.timestamp === 'string') change.at = entry.timestamp;
  const host = kind === 'DestinationRule' ? hostOf(payload.response) ?? hostOf(payload.request) : undefined;
  if (host !== undefined) change.host = host;
  if (unconfirmed !== undefined) change.unconfirmed = unconfirmed;
  return { kind: 'istio-change', change };
}

/**
 * The `dryRun` of the request's options, when it asks for one: a server-side dry run
 * (`kubectl … --dry-run=server`) passes admission but stores nothing. Kubernetes puts it in the
 * DeleteOptions body of a delete (`{"kind":"DeleteOptions","dryRun":["All"]}`) and, for create,
 * update and patch, in the query, which the audit entry does not carry (DRY_RUN_LABEL says so
 * instead); options objects that do reach `request` are read the same way.
 */
function dryRunOf(request: unknown): string[] | undefined {
  if (!isObject(request) || !Array.isArray(request.dryRun)) return undefined;
  const values = request.dryRun.filter((v): v is string => typeof v === 'string' && v !== '');
  return values.length > 0 ? values : undefined;
}

/** `<group>/<version>`; the core group has no name in apiVersion (`v1`), though GKE's resourceName spells it `core`. */
function joinApiVersion(group: string, version: string): string {
  return group === 'core' ? version : `${group}/${version}`;
}

/**
 * The `apiVersion` of a logged object of `group`, for a resourceName without the version. Without
 * one the change keeps the bare group, so an Undo of it says to restore by hand rather than guess.
 */
function objectApiVersion(group: string, object: unknown): string | undefined {
  if (!isObject(object) || typeof object.apiVersion !== 'string') return undefined;
  return object.apiVersion.startsWith(`${group}/`) ? object.apiVersion : undefined;
}

function hostOf(object: unknown): string | undefined {
  if (!isObject(object) || !isObject(object.spec)) return undefined;
  return typeof object.spec.host === 'string' && object.spec.host !== '' ? object.spec.host : undefined;
}

function malformed(field: string, problem: string): AuditEntryVerdict {
  return { kind: 'malformed', field, problem };
}
