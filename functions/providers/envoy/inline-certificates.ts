/**
 * The certificates an Envoy bootstrap carries inline: the `inline_string` and `inline_bytes`
 * DataSources (envoy/config/core/v3/base.proto) of its TLS contexts and static secrets. A
 * `filename` DataSource is not read here: that file is read when it is among the inputs, and
 * reading it twice would report its certificates twice.
 */
import type { EnvoyInput } from '../../core/model/inventory';
import type { CertificateRecord, CertificateRenewal, ConfigProblem, FieldLocator, ResourceRef, SourceRef } from '../../core/model/types';
import { certificatesFromPem, holdsPemCertificate, type PemReadResult } from '../x509/pem';
import { clusterResource, clusterSockets } from './clusters';
import { filterChainsOf, listenerResource } from './listeners';
import { isProtoObject, listField, readField, stringField, type ProtoObject } from './proto-fields';
import { envoyResourcesOf, type IstioProxy } from './resources';
import { classifyTransportSocket, type Direction } from './transport-socket';

/** `origin.kind` of a certificate from `static_resources.secrets`: "Secret" alone would read as a Kubernetes Secret. */
export const ENVOY_SECRET_KIND = 'EnvoySecret';

/** What holds the certificates being read: a listener, a cluster or a static secret. */
interface Holder {
  kind: string;
  name: string;
  /** Dotted path of the object in the document; origin keys are relative to it. */
  path: string;
  /** Where the object is written: its entry line, else the bootstrap's. */
  source: SourceRef;
  usedBy: ResourceRef[];
  /** The listener or cluster port, which config-invalid findings name (CONTRACT.md). */
  port?: number;
  /** For a secret: from the bootstrap, or delivered by SDS (a config dump's). */
  delivery?: SecretDelivery;
}

/** Which part of a secret a reference loads. */
type SecretPart = 'tls_certificate' | 'validation_context';

/** A secret from the bootstrap, or one SDS delivered. */
type SecretDelivery = 'static' | 'sds';

/**
 * Every certificate written inline in one bootstrap, each block of a chain a record, with the
 * listener or cluster that uses it; a static secret's are used by every listener and cluster
 * whose SDS reference (without `sds_config`) names it. A block that cannot be read is a problem
 * at its field, and the others are still read.
 *
 * @example
 *   const { certificates, problems } = inlineCertificatesOf(inventory.envoy[0], inventory.fieldLine);
 */
export function inlineCertificatesOf(input: EnvoyInput, fieldLine?: FieldLocator): PemReadResult {
  const out: PemReadResult = { certificates: [], problems: [] };
  const resources = envoyResourcesOf(input);
  const reader = new InlineReader(out, fieldLine);

  for (const { value: listener, path, source } of resources.listeners) {
    if (!isProtoObject(listener)) continue;
    const holder = holderOf('Listener', listenerResource(listener, stringField(listener, 'name') ?? path, source), path, source);
    for (const { chain, chainPath } of filterChainsOf(listener, path)) {
      const socket = readField(chain, 'transport_socket');
      if (socket) reader.socket(holder, socket.value, `${chainPath}.${socket.key}`, 'downstream');
    }
  }
  for (const { value: cluster, path, source } of resources.clusters) {
    if (!isProtoObject(cluster)) continue;
    const holder = holderOf('Cluster', clusterResource(cluster, stringField(cluster, 'name') ?? path, source), path, source);
    for (const at of clusterSockets(cluster, path)) if (at.socket !== undefined) reader.socket(holder, at.socket, at.path, 'upstream');
  }

  // Last, once every reference to them is known.
  for (const { secrets, delivery } of [
    { secrets: resources.staticSecrets, delivery: 'static' as const },
    { secrets: resources.dynamicSecrets, delivery: 'sds' as const },
  ]) {
    for (const { value: secret, path, source } of secrets) {
      if (!isProtoObject(secret)) continue;
      const name = stringField(secret, 'name') ?? path;
      // A bootstrap's secrets point at the bootstrap; a dump's at their own entry.
      const holder: Holder = { kind: ENVOY_SECRET_KIND, name, path, source, usedBy: [], delivery };
      const certificate = readField(secret, 'tls_certificate');
      const before = out.certificates.length;
      if (certificate) reader.dataSource({ ...holder, usedBy: reader.users(name, 'tls_certificate', delivery) }, certificate.value, `${path}.${certificate.key}`, 'certificate_chain');
      if (delivery === 'sds' && resources.istioProxy) for (const leaf of out.certificates.slice(before)) if (leaf.chainIndex === 0 && !leaf.isCA) leaf.renewal = istioAgentRenewal(leaf, resources.istioProxy);
      const validation = readField(secret, 'validation_context');
      if (validation) reader.dataSource({ ...holder, usedBy: reader.users(name, 'validation_context', delivery) }, validation.value, `${path}.${validation.key}`, 'trusted_ca');
    }
  }
  if (resources.dump) out.certificates = foldDumpCopies(out.certificates);
  return out;
}

/**
 * In a dump, one certificate in several secrets is one certificate: istio-agent appends the root
 * of `ROOTCA` to the `default` chain. A bootstrap's copies are each a place to edit, but a dump's
 * are not places at all, so the copy in a trust bundle is kept (else the first), with the users
 * of all and the others named as copies.
 */
function foldDumpCopies(certificates: CertificateRecord[]): CertificateRecord[] {
  const byFingerprint = new Map<string, CertificateRecord[]>();
  for (const c of certificates) {
    const group = byFingerprint.get(c.fingerprint256);
    if (group) group.push(c);
    else byFingerprint.set(c.fingerprint256, [c]);
  }
  const out: CertificateRecord[] = [];
  for (const group of byFingerprint.values()) {
    const kept = group.find((c) => /trusted_?ca$/i.test(c.origin.key ?? '')) ?? group[0]!;
    const others = group.filter((c) => c !== kept);
    if (others.length > 0) {
      const users = [...(kept.usedBy ?? [])];
      addUsers(users, others.flatMap((c) => c.usedBy ?? []));
      if (users.length > 0) kept.usedBy = users;
      kept.origin.copies = [...(kept.origin.copies ?? []), ...others.map((c) => `${c.origin.name} ${c.origin.key ?? ''}`.trim())];
    }
    out.push(kept);
  }
  return out;
}

/** A listener or cluster: it uses what it holds, and is named as the Envoy provider names it. */
function holderOf(kind: 'Listener' | 'Cluster', ref: ResourceRef, path: string, source: SourceRef): Holder {
  return { kind, name: ref.name, path, source, usedBy: [ref], ...(ref.port !== undefined ? { port: ref.port } : {}) };
}

class InlineReader {
  /** Who references each secret, by `delivery\0name\0part`. */
  private readonly secretUsers = new Map<string, ResourceRef[]>();

  constructor(
    private readonly out: PemReadResult,
    private readonly fieldLine: FieldLocator | undefined,
  ) {}

  users(name: string, part: SecretPart, delivery: SecretDelivery): ResourceRef[] {
    return this.secretUsers.get(`${delivery}\u0000${name}\u0000${part}`) ?? [];
  }

  /** The TLS context of a transport socket, through the wrappers Envoy looks through; a socket Envoy refuses is the Envoy provider's to report. */
  socket(holder: Holder, socket: unknown, path: string, direction: Direction): void {
    const kind = classifyTransportSocket(socket, path, direction);
    if (kind.kind === 'tls') this.tlsContext(holder, kind.tlsContext, kind.path);
  }

  /** tls.proto CommonTlsContext: the certificates it holds inline, and the static secrets it names. */
  private tlsContext(holder: Holder, tlsContext: ProtoObject, path: string): void {
    const common = readField(tlsContext, 'common_tls_context');
    if (!common || !isProtoObject(common.value)) return;
    const at = `${path}.${common.key}`;
    const certificates = readField(common.value, 'tls_certificates');
    listField(common.value, 'tls_certificates').forEach((certificate, i) => this.dataSource(holder, certificate, `${at}.${certificates!.key}[${i}]`, 'certificate_chain'));
    const validation = readField(common.value, 'validation_context');
    if (validation) this.dataSource(holder, validation.value, `${at}.${validation.key}`, 'trusted_ca');
    const combined = readField(common.value, 'combined_validation_context');
    const defaults = readField(combined?.value, 'default_validation_context');
    if (combined && defaults) this.dataSource(holder, defaults.value, `${at}.${combined.key}.${defaults.key}`, 'trusted_ca');

    for (const config of listField(common.value, 'tls_certificate_sds_secret_configs')) this.reference(holder, config, 'tls_certificate');
    this.reference(holder, readField(common.value, 'validation_context_sds_secret_config')?.value, 'validation_context');
    this.reference(holder, readField(combined?.value, 'validation_context_sds_secret_config')?.value, 'validation_context');
  }

  /**
   * An SdsSecretConfig without `sds_config` loads the static secret of that name (secret.proto);
   * with it, the secret SDS delivers under that name, which only a config dump shows.
   */
  private reference(holder: Holder, config: unknown, part: SecretPart): void {
    const name = stringField(config, 'name');
    if (name === undefined) return;
    const delivery: SecretDelivery = readField(config, 'sds_config') === undefined ? 'static' : 'sds';
    const key = `${delivery}\u0000${name}\u0000${part}`;
    const users = this.secretUsers.get(key) ?? [];
    addUsers(users, holder.usedBy);
    this.secretUsers.set(key, users);
  }

  /** The `member` DataSource of a TlsCertificate or CertificateValidationContext, when it is inline. */
  dataSource(holder: Holder, message: unknown, messagePath: string, member: 'certificate_chain' | 'trusted_ca'): void {
    const source = readField(message, member);
    if (!source || !isProtoObject(source.value)) return;
    const path = `${messagePath}.${source.key}`;
    const inline = readField(source.value, 'inline_string') ?? readField(source.value, 'inline_bytes');
    if (!inline || typeof inline.value !== 'string' || inline.value.trim() === '') return;
    const field = `${path}.${inline.key}`;
    const place: SourceRef = { file: holder.source.file, line: this.fieldLine?.(holder.source.file, holder.source.line, path) ?? holder.source.line };
    const problem = (message: string): ConfigProblem => ({ file: place.file, line: place.line, field, message, ...holderCoordinates(holder) });

    const isBytes = inline.key === 'inline_bytes' || inline.key === 'inlineBytes';
    const text = isBytes ? decodeBytes(inline.value) : inline.value;
    if (text === undefined) {
      const hint = holdsPemCertificate(inline.value) ? ': it holds the PEM as plain text, which belongs in inline_string (inline_bytes takes base64)' : '';
      this.out.problems.push(problem(`${inline.key} of ${source.key} in ${describe(holder)} is not valid base64${hint}`));
      return;
    }
    if (!holdsPemCertificate(text)) {
      const encoded = !isBytes && holdsPemCertificate(decodeBytes(text) ?? '') ? ': it holds base64, but inline_string takes the PEM itself (base64 belongs in inline_bytes)' : '';
      this.out.problems.push(problem(`${inline.key} of ${source.key} in ${describe(holder)} holds no PEM certificate${encoded}`));
      return;
    }
    // Origin keys name the field inside the object (`filter_chains[0]…certificate_chain`), as a Secret's name its key.
    const origin: CertificateRecord['origin'] = { kind: holder.kind, name: holder.name, key: path.slice(holder.path.length + 1), source: place };
    // The decoded or unescaped value's lines are not the file's: every record points at its field.
    const read = certificatesFromPem(text, origin, 'x509', { textFirstLine: null, field });
    for (const certificate of read.certificates) if (holder.usedBy.length > 0) certificate.usedBy = [...holder.usedBy];
    this.out.certificates.push(...read.certificates);
    this.out.problems.push(...read.problems.map((p) => ({ ...p, ...holderCoordinates(holder) })));
  }
}

function holderCoordinates(holder: Holder): Pick<ConfigProblem, 'kind' | 'name' | 'port' | 'provider'> {
  return { kind: holder.kind, name: holder.name, ...(holder.port !== undefined ? { port: holder.port } : {}), provider: 'envoy' };
}

function describe(holder: Holder): string {
  if (holder.kind === ENVOY_SECRET_KIND) return `${holder.delivery === 'sds' ? 'SDS' : 'static'} secret ${holder.name}`;
  return `${holder.kind.toLowerCase()} ${holder.name}`;
}

/**
 * A proto `bytes` field in JSON or YAML: base64, standard or URL-safe, padded or not (the proto3
 * JSON mapping accepts each). Whitespace is skipped, as a folded YAML value leaves some. Buffer.from
 * would silently drop any other stray character, so the alphabet is checked first.
 */
function decodeBytes(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '');
  const unpadded = compact.replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(unpadded) && !/^[A-Za-z0-9\-_]*$/.test(unpadded)) return undefined;
  if (unpadded.length % 4 === 1 || (unpadded.length !== compact.length && compact.length % 4 !== 0)) return undefined;
  return Buffer.from(unpadded, 'base64').toString('utf8');
}

/**
 * When istio-agent replaces the workload certificate SDS gave the proxy: once less than the grace
 * ratio of its lifetime is left (SECRET_GRACE_PERIOD_RATIO, less its 0.01 jitter), checked every
 * SECRET_ROTATION_CHECK_INTERVAL (5 minutes). The latest such time, so that "overdue" is sure.
 */
function istioAgentRenewal(leaf: CertificateRecord, proxy: IstioProxy): CertificateRenewal {
  const lifetime = leaf.notAfter.getTime() - leaf.notBefore.getTime();
  const at = new Date(leaf.notAfter.getTime() - (proxy.graceRatio - 0.01) * lifetime + 5 * 60_000);
  return { by: 'istio-agent', at, rotatesBeforeExpiry: true };
}

/** Adds the listeners and clusters of `refs` that `users` does not name yet (by kind, name and line). */
function addUsers(users: ResourceRef[], refs: readonly ResourceRef[]): void {
  for (const ref of refs) if (!users.some((u) => u.kind === ref.kind && u.name === ref.name && u.line === ref.line)) users.push(ref);
}
