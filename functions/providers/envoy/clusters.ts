import { isIP } from 'node:net';
import type { ClientPolicy, ConfigProblem, ProviderFix, SourceRef } from '../../core/model/types';
import { ENVOY_MANUAL_REASON, clusterId } from './names';
import { withField, withMessage } from './patch-spelling';
import { field, isProtoObject, listField, messageField, portValue, readField, stringField, type ProtoObject } from './proto-fields';
import { decideSending, staticEndpointsOf, type Candidate } from './socket-matches';
import { classifyTransportSocket } from './transport-socket';

export interface ClusterInput {
  cluster: unknown;
  /** Dotted path of the cluster in the document, e.g. `static_resources.clusters[0]`. */
  path: string;
  source: SourceRef;
}

export interface ClusterResult {
  client?: ClientPolicy;
  problems: ConfigProblem[];
}

/**
 * One cluster of a bootstrap as a client policy: what Envoy sends to the cluster's endpoints.
 * A cluster Envoy would refuse to load yields problems and no policy.
 */
export function readCluster({ cluster, path, source }: ClusterInput): ClusterResult {
  const name = stringField(cluster, 'name') ?? path;
  const problem = (fieldPath: string, message: string): ConfigProblem => ({ file: source.file, line: source.line, field: fieldPath, message, kind: 'Cluster', name });
  if (!isProtoObject(cluster)) return { problems: [problem(path, 'cluster must be an object')] };

  const problems: ConfigProblem[] = [];
  const candidates: Candidate[] = [];
  const read = (socket: unknown, socketPath: string, entry?: { name: string; match: ProtoObject }) => {
    const kind = classifyTransportSocket(socket, socketPath, 'upstream');
    const from = entry ? { entry: entry.name, match: entry.match } : {};
    if (kind.kind === 'invalid') problems.push(problem(kind.field, kind.message));
    else if (kind.kind === 'plaintext') candidates.push({ sends: 'PLAINTEXT', reason: kind.why, ...from });
    else if (hasClientCertificate(kind.tlsContext)) candidates.push({ sends: 'MTLS', reason: 'UpstreamTlsContext with a client certificate', tlsContext: kind.tlsContext, ...from });
    else candidates.push({ sends: 'TLS', reason: 'UpstreamTlsContext without a client certificate', tlsContext: kind.tlsContext, ...from });
  };
  // Envoy tries the entries in order; endpoints that match none use the cluster's transport_socket.
  const matchesKey = readField(cluster, 'transport_socket_matches')?.key ?? 'transport_socket_matches';
  listField(cluster, 'transport_socket_matches').forEach((entry, i) => {
    const entryPath = `${path}.${matchesKey}[${i}]`;
    const match = field(entry, 'match');
    if (match !== undefined && !isProtoObject(match)) {
      problems.push(problem(`${entryPath}.match`, 'match must be an object of endpoint metadata labels (a google.protobuf.Struct)'));
      return;
    }
    const socket = readField(entry, 'transport_socket');
    read(socket?.value, `${entryPath}.${socket?.key ?? 'transport_socket'}`, { name: stringField(entry, 'name') ?? `#${i}`, match: match ?? {} });
  });
  const socket = readField(cluster, 'transport_socket');
  read(socket?.value, `${path}.${socket?.key ?? 'transport_socket'}`);
  if (problems.length > 0) return { problems };

  const { sends, reason, tlsContext, entry } = decideSending(candidates, staticEndpointsOf(cluster));
  const { hosts, port } = destinationOf(cluster, name, tlsContext);
  const id = clusterId(source, name);
  const client: ClientPolicy = {
    id,
    provider: 'envoy',
    resource: { kind: 'Cluster', name, ...(port !== undefined ? { port } : {}), file: source.file, line: source.line },
    sends,
    reason,
    cause: { kind: 'Cluster', name, scope: 'cluster', source },
    destination: { hosts, ...(port !== undefined ? { port } : {}) },
  };
  // An external destination reached in plaintext is not a mesh call; elsewhere the core matches hosts.
  if (sends === 'PLAINTEXT' && hosts.length > 0 && hosts.every((h) => !isClusterLocal(h))) client.inMeshDestination = false;
  // The fix rewrites the cluster's transport_socket, which changes nothing where an entry decides.
  if (sends === 'TLS' && tlsContext && entry === undefined) client.fix = addClientCertificateFix(id, name, tlsContext);
  return { client, problems };
}

/**
 * tls.proto CommonTlsContext: a client certificate comes from `tls_certificates`,
 * `tls_certificate_sds_secret_configs` or a certificate provider instance.
 */
export function hasClientCertificate(tlsContext: ProtoObject): boolean {
  const common = messageField(tlsContext, 'common_tls_context');
  return (
    listField(common, 'tls_certificates').length > 0 ||
    listField(common, 'tls_certificate_sds_secret_configs').length > 0 ||
    messageField(common, 'tls_certificate_provider_instance') !== undefined ||
    messageField(common, 'tls_certificate_certificate_provider_instance') !== undefined
  );
}

/**
 * The hosts a cluster sends to: the socket addresses of its static load_assignment (DNS names
 * for STRICT_DNS / LOGICAL_DNS clusters), else the host of an Istio-style EDS name
 * (`outbound|9080||reviews.bookinfo.svc.cluster.local`), else the TLS SNI.
 */
function destinationOf(cluster: ProtoObject, name: string, tlsContext: ProtoObject | undefined): { hosts: string[]; port?: number } {
  const hosts: string[] = [];
  let port: number | undefined;
  for (const locality of listField(messageField(cluster, 'load_assignment'), 'endpoints')) {
    for (const lb of listField(locality, 'lb_endpoints')) {
      const socketAddress = messageField(messageField(messageField(lb, 'endpoint'), 'address'), 'socket_address');
      const address = stringField(socketAddress, 'address');
      if (address && !hosts.includes(address)) hosts.push(address);
      port ??= portValue(field(socketAddress, 'port_value'));
    }
  }
  if (hosts.length === 0) {
    const serviceName = stringField(messageField(cluster, 'eds_cluster_config'), 'service_name') ?? name;
    const istio = /^(?:outbound|inbound)\|(\d*)\|[^|]*\|(.+)$/.exec(serviceName);
    if (istio) {
      hosts.push(istio[2]);
      port ??= istio[1] ? Number(istio[1]) : undefined;
    }
  }
  const sni = tlsContext ? stringField(tlsContext, 'sni') : undefined;
  if (hosts.length === 0 && sni) hosts.push(sni);
  return { hosts, ...(port !== undefined ? { port } : {}) };
}

/**
 * Kubernetes service DNS (`svc`, `svc.cluster.local`, any `.cluster.local`) or a bare name the
 * resolver's search path completes. IP literals and other FQDNs are outside the cluster.
 */
function isClusterLocal(host: string): boolean {
  if (isIP(host) !== 0) return false;
  const h = host.toLowerCase().replace(/\.$/, '');
  return !h.includes('.') || h.endsWith('.svc') || h.endsWith('.cluster.local');
}

const PLACEHOLDER_CHAIN = '<path of the client certificate chain>';
const PLACEHOLDER_KEY = '<path of the client private key>';

function addClientCertificateFix(id: string, name: string, tlsContext: ProtoObject): ProviderFix {
  const patched = withMessage(tlsContext, 'common_tls_context', (common) =>
    withField(common, 'tls_certificates', [{ certificate_chain: { filename: PLACEHOLDER_CHAIN }, private_key: { filename: PLACEHOLDER_KEY } }]),
  );
  return {
    action: 'envoy.cluster.add-client-certificate',
    change: { cluster: name, transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: patched } },
    affectsServers: [],
    affectsClients: [id],
    blockers: [`a client certificate and key must be issued for cluster ${name}`],
    manualOnly: true,
    manualReason: ENVOY_MANUAL_REASON,
  };
}
