/**
 * The certificate files the configuration names by path: App Mesh `file.certificateChain` (listener
 * TLS, client policies, validation trust; API objects and `appmesh.k8s.aws` CRDs alike) and Envoy
 * `filename` DataSources (a TLS context's `certificate_chain` and `trusted_ca`, in listeners,
 * clusters and secrets). The certificates themselves are read only when those files are among the
 * inputs; these references say which files that would take. Private keys are not certificates and
 * are left out.
 */
import { apiGroupOf, APPMESH_NAME_FIELDS, type EnvoyInput, type Inventory, type KubeObject } from '../../core/model/inventory';
import { isLooseRecord as isObject } from '../../core/is-record';
import type { FieldLocator, ResourceRef, SourceRef } from '../../core/model/types';
import { clusterResource, clusterSockets } from '../envoy/clusters';
import { filterChainsOf, listenerResource } from '../envoy/listeners';
import { isProtoObject, listField, readField, stringField, type ProtoObject } from '../envoy/proto-fields';
import { envoyResourcesOf } from '../envoy/resources';
import { classifyTransportSocket, type Direction } from '../envoy/transport-socket';

export interface CertificateFileReference {
  /** The path as the configuration writes it. */
  path: string;
  /** The object that names it, with the file and line of its document (or Envoy entry). */
  by: ResourceRef & { file: string; line: number };
  /** The field that names it, from that line (`spec.listeners[0].tls.certificate.file.certificateChain`). */
  field: string;
  provider: 'appmesh' | 'envoy';
}

/**
 * The line where a reference's field is written. Asked only for the references a notice shows:
 * finding it reads the file again, and a fleet names thousands of paths.
 */
export function referenceLine(reference: CertificateFileReference, fieldLine: FieldLocator | undefined): number {
  return fieldLine?.(reference.by.file, reference.by.line, reference.field) ?? reference.by.line;
}

/** Every certificate file path the inventory's App Mesh and Envoy configuration names, in input order. */
export function certificateFileReferences(inventory: Pick<Inventory, 'appmeshApi' | 'kubernetes' | 'envoy'>): CertificateFileReference[] {
  const out: CertificateFileReference[] = [];
  for (const { doc, source } of inventory.appmeshApi) {
    if (doc.type !== 'virtualNode' && doc.type !== 'virtualGateway') continue;
    const data = isObject(doc.data) ? doc.data : {};
    const name = data[APPMESH_NAME_FIELDS[doc.type]];
    if (typeof name !== 'string') continue;
    const kind = doc.type === 'virtualNode' ? 'VirtualNode' : 'VirtualGateway';
    appMeshReferences(out, data.spec, { kind, name, ...(typeof data.meshName === 'string' ? { mesh: data.meshName } : {}) }, source);
  }
  for (const { doc, source } of inventory.kubernetes) {
    if (!isAppMeshCrdWithTls(doc)) continue;
    const meshRef = isObject(doc.spec?.meshRef) && typeof doc.spec.meshRef.name === 'string' ? { mesh: doc.spec.meshRef.name as string } : {};
    appMeshReferences(out, doc.spec, { kind: doc.kind, name: doc.metadata.name, namespace: doc.metadata.namespace ?? 'default', ...meshRef }, source);
  }
  for (const input of inventory.envoy) envoyReferences(out, input);
  return out;
}

function isAppMeshCrdWithTls(obj: KubeObject): boolean {
  return apiGroupOf(obj.apiVersion) === 'appmesh.k8s.aws' && (obj.kind === 'VirtualNode' || obj.kind === 'VirtualGateway');
}

/** The paths of an App Mesh spec: listeners' TLS, then the client policies of backendDefaults and each backend. */
function appMeshReferences(out: CertificateFileReference[], spec: unknown, owner: Omit<ResourceRef, 'file' | 'line'>, source: SourceRef): void {
  if (!isObject(spec)) return;
  const add = (tls: unknown, at: string) => {
    if (!isObject(tls)) return;
    const chain = isObject(tls.certificate?.file) ? tls.certificate.file.certificateChain : undefined;
    const trust = isObject(tls.validation?.trust?.file) ? tls.validation.trust.file.certificateChain : undefined;
    for (const [path, field] of [
      [chain, `${at}.certificate.file.certificateChain`],
      [trust, `${at}.validation.trust.file.certificateChain`],
    ] as const) {
      if (typeof path !== 'string' || path.trim() === '') continue;
      out.push({ path, by: { ...owner, file: source.file, line: source.line }, field, provider: 'appmesh' });
    }
  };
  const listeners = Array.isArray(spec.listeners) ? spec.listeners : [];
  listeners.forEach((listener: unknown, i: number) => add(isObject(listener) ? listener.tls : undefined, `spec.listeners[${i}].tls`));
  add(spec.backendDefaults?.clientPolicy?.tls, 'spec.backendDefaults.clientPolicy.tls');
  const backends = Array.isArray(spec.backends) ? spec.backends : [];
  backends.forEach((backend: unknown, i: number) => add(isObject(backend) ? backend.virtualService?.clientPolicy?.tls : undefined, `spec.backends[${i}].virtualService.clientPolicy.tls`));
}

/** The `filename` DataSources of an Envoy input's TLS contexts, as the Envoy provider walks them. */
function envoyReferences(out: CertificateFileReference[], input: EnvoyInput): void {
  const resources = envoyResourcesOf(input);
  const at = (by: ResourceRef, entry: SourceRef) => (path: string, dataSource: string) => {
    // Envoy's providers locate a field from its entry's line, by its path from the document's root.
    out.push({ path: dataSource, by: { ...by, file: entry.file, line: entry.line }, field: path, provider: 'envoy' });
  };
  const socket = (socketValue: unknown, path: string, direction: Direction, add: (path: string, file: string) => void) => {
    const kind = classifyTransportSocket(socketValue, path, direction);
    if (kind.kind === 'tls') tlsContextFiles(kind.tlsContext, kind.path, add);
  };
  for (const { value: listener, path, source } of resources.listeners) {
    if (!isProtoObject(listener)) continue;
    const add = at(listenerResource(listener, stringField(listener, 'name') ?? path, source), source);
    for (const { chain, chainPath } of filterChainsOf(listener, path)) {
      const transport = readField(chain, 'transport_socket');
      if (transport) socket(transport.value, `${chainPath}.${transport.key}`, 'downstream', add);
    }
  }
  for (const { value: cluster, path, source } of resources.clusters) {
    if (!isProtoObject(cluster)) continue;
    const add = at(clusterResource(cluster, stringField(cluster, 'name') ?? path, source), source);
    for (const s of clusterSockets(cluster, path)) if (s.socket !== undefined) socket(s.socket, s.path, 'upstream', add);
  }
  for (const { value: secret, path, source } of [...resources.staticSecrets, ...resources.dynamicSecrets]) {
    if (!isProtoObject(secret)) continue;
    const add = at({ kind: 'EnvoySecret', name: stringField(secret, 'name') ?? path }, source);
    const certificate = readField(secret, 'tls_certificate');
    if (certificate) dataSourceFile(certificate.value, `${path}.${certificate.key}`, 'certificate_chain', add);
    const validation = readField(secret, 'validation_context');
    if (validation) dataSourceFile(validation.value, `${path}.${validation.key}`, 'trusted_ca', add);
  }
}

/** tls.proto CommonTlsContext: its certificate chains and its trusted CA, where they are files. */
function tlsContextFiles(tlsContext: ProtoObject, path: string, add: (path: string, file: string) => void): void {
  const common = readField(tlsContext, 'common_tls_context');
  if (!common || !isProtoObject(common.value)) return;
  const base = `${path}.${common.key}`;
  const certificates = readField(common.value, 'tls_certificates');
  listField(common.value, 'tls_certificates').forEach((c, i) => dataSourceFile(c, `${base}.${certificates!.key}[${i}]`, 'certificate_chain', add));
  const validation = readField(common.value, 'validation_context');
  if (validation) dataSourceFile(validation.value, `${base}.${validation.key}`, 'trusted_ca', add);
  const combined = readField(common.value, 'combined_validation_context');
  const defaults = readField(combined?.value, 'default_validation_context');
  if (combined && defaults) dataSourceFile(defaults.value, `${base}.${combined.key}.${defaults.key}`, 'trusted_ca', add);
}

function dataSourceFile(message: unknown, path: string, member: 'certificate_chain' | 'trusted_ca', add: (path: string, file: string) => void): void {
  const source = readField(message, member);
  const filename = readField(source?.value, 'filename');
  if (!source || !filename || typeof filename.value !== 'string' || filename.value.trim() === '') return;
  add(`${path}.${source.key}.${filename.key}`, filename.value);
}
