/**
 * Which of a cluster's transport sockets Envoy uses for which endpoint, as
 * source/common/upstream/transport_socket_match_impl.cc resolves it: the first
 * `transport_socket_matches` entry whose `match` is a subset of the endpoint's metadata under
 * `envoy.transport_socket_match`, then the same walk over the locality's metadata, and the
 * cluster's `transport_socket` only when no entry matched. An empty (or absent) `match` matches
 * every endpoint, metadata or not (config/metadata.cc metadataLabelMatch).
 */
import type { ClientSends } from '../../core/model/types';
import { field, isProtoObject, listField, messageField, portValue, stringField, type ProtoObject } from './proto-fields';

/** The filter_metadata key Envoy reads transport socket labels from (well_known_names ENVOY_TRANSPORT_SOCKET_MATCH). */
export const TRANSPORT_SOCKET_MATCH = 'envoy.transport_socket_match';

/** What one transport socket of a cluster sends, and why. */
export interface Sending {
  sends: Exclude<ClientSends, 'AUTO'>;
  reason: string;
  tlsContext?: ProtoObject;
  /** Where the TLS context is, and whether it is the socket's own typed_config (see TransportSocketKind). */
  tlsAt?: { path: string; direct: boolean };
}

/** One transport socket the cluster may use: a transport_socket_matches entry, or the default. */
export interface Candidate extends Sending {
  /** The entry's `name`; undefined for the cluster's own transport_socket. */
  entry?: string;
  /** The entry's `match` labels ({} when absent); undefined for the cluster's own transport_socket. */
  match?: ProtoObject;
}

/** A static endpoint of the cluster, with its labels and its locality's, under TRANSPORT_SOCKET_MATCH. */
export interface StaticEndpoint {
  label: string;
  endpointLabels?: ProtoObject;
  localityLabels?: ProtoObject;
}

export interface Decision {
  sends: ClientSends;
  reason: string;
  tlsContext?: ProtoObject;
  /** The transport_socket_matches entry that decided, when one did. */
  entry?: string;
}

const WEAKEST_FIRST: Sending['sends'][] = ['PLAINTEXT', 'TLS', 'MTLS'];

/**
 * What the cluster sends. `candidates` are the entries in order, then the default (no `match`).
 * With the static endpoints known, each endpoint is resolved as Envoy would; otherwise (EDS and
 * the like) every entry that some endpoint metadata could select is possible.
 */
export function decideSending(candidates: Candidate[], endpoints: StaticEndpoint[] | undefined): Decision {
  const entries = candidates.filter((c) => c.match !== undefined);
  const fallback = candidates.find((c) => c.match === undefined)!;
  // A cluster without transport_socket_matches: its transport_socket, as it always was.
  if (entries.length === 0) return fallback;

  const used = new Map<Candidate, string[]>();
  if (endpoints && endpoints.length > 0) {
    for (const ep of endpoints) {
      const c = resolve(entries, fallback, ep);
      used.set(c, [...(used.get(c) ?? []), ep.label]);
    }
  } else {
    for (const c of reachable(entries, fallback)) used.set(c, []);
  }
  const outcomes = candidates.filter((c) => used.has(c));
  const known = endpoints !== undefined && endpoints.length > 0;

  if (outcomes.length === 1) {
    const only = outcomes[0]!;
    const why = known ? 'used for every endpoint of the cluster' : 'whose empty match applies to every endpoint';
    return { ...only, reason: `${only.reason}, from ${describe(only)}, ${why}` };
  }

  const mtls = outcomes.filter((c) => c.sends === 'MTLS');
  const plain = outcomes.filter((c) => c.sends === 'PLAINTEXT');
  if (isAutoMtls(candidates, mtls, plain, outcomes)) {
    const to = (c: Candidate) => (known ? used.get(c)!.join(', ') : c.match && Object.keys(c.match).length > 0 ? `endpoints labelled ${labelText(c.match)}` : 'the others');
    const by = (cs: Candidate[]) => cs.map((c) => `by ${describe(c)} to ${to(c)}`).join(', ');
    return { sends: 'AUTO', reason: `transport_socket_matches: mTLS ${by(mtls)}; plaintext ${by(plain)}` };
  }

  const kinds = new Set(outcomes.map((c) => c.sends));
  const weakest = WEAKEST_FIRST.find((k) => kinds.has(k))!;
  // Of equals, the cluster's own transport_socket, as the client-certificate fix patches that one.
  const chosen = outcomes.find((c) => c.sends === weakest && c.match === undefined) ?? outcomes.find((c) => c.sends === weakest)!;
  const where = known ? ` for ${used.get(chosen)!.join(', ')}` : '';
  const among = `the transport sockets the cluster's endpoints ${known ? 'use' : 'may use'}: ${outcomes.map(describe).join(', ')}`;
  return { ...chosen, reason: `${chosen.reason}, from ${describe(chosen)}${where}, ${kinds.size === 1 ? `as from all of ${among}` : `the weakest of ${among}`}` };
}

/**
 * What the cluster sends when a `transport_socket_matcher` chooses (see transport-socket-matcher.ts):
 * one of `reachable`, the sockets its actions name plus the fallback when some input reaches it.
 * The tree's inputs are not evaluated here, so several outcomes give the weakest, and say so.
 */
export function decideByMatcher(reachable: Candidate[]): Decision {
  if (reachable.length === 1) {
    const only = reachable[0]!;
    return { ...only, reason: `${only.reason}, from ${describe(only)}, the only transport socket the cluster's transport_socket_matcher can choose` };
  }
  const kinds = new Set(reachable.map((c) => c.sends));
  const weakest = WEAKEST_FIRST.find((k) => kinds.has(k))!;
  const chosen = reachable.find((c) => c.sends === weakest && c.match === undefined) ?? reachable.find((c) => c.sends === weakest)!;
  const among = `the transport sockets the cluster's transport_socket_matcher may choose: ${reachable.map(describe).join(', ')}`;
  const caveat = kinds.size === 1 ? '' : "; which one an endpoint gets depends on the matcher's inputs (endpoint metadata, filter state), which meshgov does not evaluate";
  return { ...chosen, reason: `${chosen.reason}, from ${describe(chosen)}, ${kinds.size === 1 ? `as from all of ${among}` : `the weakest of ${among}`}${caveat}` };
}

/**
 * Istio auto mTLS: mTLS only through entries keyed on endpoint labels (`tlsMode: istio`), and
 * plaintext only from a fallback after all of them, so that a labelled endpoint always gets mTLS.
 */
function isAutoMtls(candidates: Candidate[], mtls: Candidate[], plain: Candidate[], outcomes: Candidate[]): boolean {
  if (mtls.length === 0 || plain.length === 0 || mtls.length + plain.length !== outcomes.length) return false;
  if (!mtls.every((c) => c.match !== undefined && Object.keys(c.match).length > 0)) return false;
  const lastMtls = Math.max(...mtls.map((c) => candidates.indexOf(c)));
  return plain.every((c) => candidates.indexOf(c) > lastMtls);
}

/** transport_socket_match_impl.cc resolve(): endpoint labels over all entries, then locality labels, then the default. */
function resolve(entries: Candidate[], fallback: Candidate, ep: StaticEndpoint): Candidate {
  return (
    entries.find((c) => labelsMatch(c.match!, ep.endpointLabels)) ??
    entries.find((c) => labelsMatch(c.match!, ep.localityLabels)) ??
    fallback
  );
}

/**
 * The sockets some endpoint could get when the endpoints are not in the configuration. An entry
 * is unreachable when an earlier entry's match is a subset of its own (that one matches first,
 * at endpoint and at locality level); the default is unreachable once an entry matches everything.
 */
function reachable(entries: Candidate[], fallback: Candidate): Candidate[] {
  const out = entries.filter((c, i) => !entries.slice(0, i).some((earlier) => labelsMatch(earlier.match!, c.match)));
  if (!entries.some((c) => Object.keys(c.match!).length === 0)) out.push(fallback);
  return out;
}

/** config/metadata.cc metadataLabelMatch: every label present with an equal value; no labels match anything. */
function labelsMatch(match: ProtoObject, labels: ProtoObject | undefined): boolean {
  return Object.entries(match).every(([k, v]) => labels !== undefined && k in labels && valueEqual(labels[k], v));
}

/** google.protobuf.Value equality (ValueUtil::equal) over parsed JSON/YAML. */
function valueEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => valueEqual(x, b[i]));
  }
  if (isProtoObject(a) && isProtoObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && valueEqual(a[k], b[k]));
  }
  return a === b;
}

function describe(c: Candidate): string {
  return c.entry === undefined ? "the cluster's transport_socket" : `transport_socket_matches entry ${c.entry}`;
}

/** `tlsMode=istio`, as the labels read in the configuration. */
function labelText(match: ProtoObject): string {
  return Object.entries(match)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/**
 * The endpoints Envoy knows from the cluster itself: load_assignment of a STATIC, STRICT_DNS or
 * LOGICAL_DNS cluster (the discovery type defaults to STATIC). EDS, ORIGINAL_DST and custom
 * cluster types learn theirs at run time, so their labels are unknown here.
 */
export function staticEndpointsOf(cluster: ProtoObject): StaticEndpoint[] | undefined {
  if (field(cluster, 'cluster_type') !== undefined) return undefined;
  const type = field(cluster, 'type') ?? 'STATIC';
  if (!['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 0, 1, 2].includes(type as string | number)) return undefined;
  const out: StaticEndpoint[] = [];
  for (const locality of listField(messageField(cluster, 'load_assignment'), 'endpoints')) {
    const localityLabels = labelsOf(locality);
    for (const lb of listField(locality, 'lb_endpoints')) {
      const socketAddress = messageField(messageField(messageField(lb, 'endpoint'), 'address'), 'socket_address');
      const address = stringField(socketAddress, 'address') ?? `#${out.length}`;
      const port = portValue(field(socketAddress, 'port_value'));
      out.push({ label: port === undefined ? address : `${address}:${port}`, endpointLabels: labelsOf(lb), localityLabels });
    }
  }
  return out.length > 0 ? out : undefined;
}

/** `metadata.filter_metadata["envoy.transport_socket_match"]` of an LbEndpoint or LocalityLbEndpoints. */
function labelsOf(holder: unknown): ProtoObject | undefined {
  const labels = messageField(messageField(holder, 'metadata'), 'filter_metadata')?.[TRANSPORT_SOCKET_MATCH];
  return isProtoObject(labels) ? labels : undefined;
}
