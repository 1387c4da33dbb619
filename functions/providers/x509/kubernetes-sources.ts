import type { KubeObject } from '../../core/model/inventory';
import type { CertificateRecord, ConfigProblem, SourceRef } from '../../core/model/types';
import { routingLabelsOf } from '../istio/labels';
import { certificatesFromPem, holdsPemCertificate, type PemReadResult } from './pem';

/**
 * Secrets whose keys hold CA material for Istio: `cacerts` (plugged-in CA: istiod reads
 * ca-cert.pem, cert-chain.pem and root-cert.pem, or the kubernetes.io/tls style tls.crt and
 * ca.crt) and `istio-ca-secret` (istiod's self-signed CA).
 */
export const ISTIO_CA_SECRETS: Readonly<Record<string, string[]>> = {
  cacerts: ['ca-cert.pem', 'cert-chain.pem', 'root-cert.pem', 'tls.crt', 'ca.crt'],
  'istio-ca-secret': ['ca-cert.pem', 'cert-chain.pem', 'root-cert.pem'],
};
/** kubernetes.io/tls: the serving chain and, as cert-manager writes it, the issuing CA. */
const TLS_SECRET_KEYS = ['tls.crt', 'ca.crt'];
/**
 * A generic (Opaque) Secret that an Istio gateway's `credentialName` names holds its chain and
 * client CA under `tls.crt` and `ca.crt` (`kubectl create secret generic --from-file=tls.crt=…`,
 * Istio's secure gateways task), or under the older `cert` and `cacert`.
 */
const GENERIC_SECRET_KEYS = ['tls.crt', 'ca.crt', 'cert', 'cacert'];
/**
 * What the API server requires of a kubernetes.io/tls Secret, of what meshgov reads: `tls.key`
 * is required too, but exports and the live reader leave private keys out on purpose.
 */
const TLS_SECRET_REQUIRED_KEYS = ['tls.crt'];
/** The root certificate istiod publishes into every namespace. */
export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
const ROOT_CERT_KEY = 'root-cert.pem';

/** The certificate keys of a core/v1 Secret, or undefined when the Secret holds none we know. */
export function certificateKeysOfSecret(secret: KubeObject): SecretCertificateKeys | undefined {
  if (secret.apiVersion !== 'v1' || secret.kind !== 'Secret') return undefined;
  // Own properties only: a Secret named `constructor` must not find Object.prototype's.
  const keys = new Set<string>(Object.hasOwn(ISTIO_CA_SECRETS, secret.metadata.name) ? ISTIO_CA_SECRETS[secret.metadata.name] : []);
  if (secret.type === 'kubernetes.io/tls') TLS_SECRET_KEYS.forEach((k) => keys.add(k));
  if (keys.size > 0) return { keys: [...keys], generic: false };
  if (secret.type !== undefined && secret.type !== 'Opaque') return undefined;
  // A generic Secret may hold anything under these names: only values that are certificates are read.
  const present = GENERIC_SECRET_KEYS.filter((k) => typeof secret.data?.[k] === 'string' || typeof secret.stringData?.[k] === 'string');
  return present.length > 0 ? { keys: present, generic: true } : undefined;
}

export interface SecretCertificateKeys {
  keys: string[];
  /** An Opaque Secret's keys: a value that is no certificate is someone else's data, not a problem. */
  generic: boolean;
}

export function isRootCertConfigMap(obj: KubeObject): boolean {
  return obj.apiVersion === 'v1' && obj.kind === 'ConfigMap' && obj.metadata.name === ROOT_CERT_CONFIGMAP;
}

/**
 * The certificates of a Secret's known keys. `stringData` wins over `data` for the same key,
 * as the API server merges it on write. Empty keys are skipped (cert-manager leaves `ca.crt`
 * empty for issuers that do not know their CA).
 */
export function certificatesFromSecret(secret: KubeObject, { keys, generic }: SecretCertificateKeys, source: SourceRef, locate: FieldLocator = () => source): PemReadResult {
  const out: PemReadResult = { certificates: [], problems: [] };
  if (secret.type === 'kubernetes.io/tls') out.problems.push(...missingTlsKeys(secret, locate));
  for (const key of keys) {
    const plain = secret.stringData?.[key];
    const encoded = secret.data?.[key];
    if (typeof plain === 'string') {
      if (generic && !holdsPemCertificate(plain)) continue;
      add(out, readKey(secret, key, plain, `stringData["${key}"]`, source, locate));
    } else if (typeof encoded === 'string') {
      const text = decodeBase64(encoded);
      if (generic && (text === undefined || !holdsPemCertificate(text))) continue;
      if (text === undefined) {
        // The usual cause: a PEM pasted under data, which takes base64.
        const hint = holdsPemCertificate(encoded) ? ': it holds the PEM as plain text, which belongs under stringData (data takes base64)' : '';
        out.problems.push(problemOf(secret, source, `data["${key}"]`, `data["${key}"] of Secret ${secret.metadata.name} is not valid base64${hint}`));
        continue;
      }
      add(out, readKey(secret, key, text, `data["${key}"]`, source, locate));
    }
  }
  return out;
}

/**
 * Kubernetes refuses a `kubernetes.io/tls` Secret without both `tls.crt` and `tls.key`
 * (ValidateSecret): written to a file, it would never reach the cluster, and whatever used it
 * keeps its old certificate or none. Empty values are allowed (cert-manager fills them).
 */
function missingTlsKeys(secret: KubeObject, locate: FieldLocator): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of TLS_SECRET_REQUIRED_KEYS) {
    if (typeof secret.data?.[key] === 'string' || typeof secret.stringData?.[key] === 'string') continue;
    const at = locate(secret.data !== undefined ? 'data' : secret.stringData !== undefined ? 'stringData' : 'type');
    problems.push(problemOf(secret, at, `data["${key}"]`, `Secret ${secret.metadata.name} of type kubernetes.io/tls has no ${key}; Kubernetes refuses it without one, and there is no certificate to check`));
  }
  return problems;
}

/** `istio-ca-root-cert`: the root in plain text under `data["root-cert.pem"]`. */
export function certificatesFromRootCertConfigMap(configMap: KubeObject, source: SourceRef, locate: FieldLocator = () => source): PemReadResult {
  return certificatesFromConfigMap(configMap, { keys: [ROOT_CERT_KEY], generic: false }, source, locate);
}

/**
 * The certificates of a ConfigMap's keys, PEM in plain text under `data` (`binaryData` holds
 * base64 of other formats, such as trust-manager's JKS and PKCS#12 copies, and is not read).
 * With `generic`, a value that is no certificate is someone else's data, not a problem.
 */
export function certificatesFromConfigMap(configMap: KubeObject, { keys, generic }: SecretCertificateKeys, source: SourceRef, locate: FieldLocator = () => source): PemReadResult {
  const out: PemReadResult = { certificates: [], problems: [] };
  for (const key of keys) {
    const text = configMap.data?.[key];
    if (typeof text !== 'string' || (generic && !holdsPemCertificate(text))) continue;
    add(out, readKey(configMap, key, text, `data["${key}"]`, source, locate));
  }
  return out;
}

/** Where a field of the object is written (its key's line in a file); the object's own place when unknown. */
export type FieldLocator = (field: string) => SourceRef;

function readKey(obj: KubeObject, key: string, text: string, field: string, source: SourceRef, locate: FieldLocator): PemReadResult {
  if (text.trim() === '') return { certificates: [], problems: [] };
  if (!holdsPemCertificate(text)) {
    return { certificates: [], problems: [problemOf(obj, source, field, `${field} of ${obj.kind} ${obj.metadata.name} holds no PEM certificate${base64Hint(obj, field, text)}`)] };
  }
  // The decoded value's lines are not lines of the file: every record points at its key, so a
  // code-scanning annotation lands on `tls.crt:` rather than on the Secret's first line.
  const origin: CertificateRecord['origin'] = { kind: obj.kind, name: obj.metadata.name, namespace: namespaceOf(obj), key, source: locate(field), ...ownerLabels(obj) };
  const read = certificatesFromPem(text, origin, 'x509', { textFirstLine: null, field });
  // A block that cannot be read names its object, as the object's other problems do.
  for (const problem of read.problems) {
    problem.kind ??= obj.kind;
    problem.name ??= obj.metadata.name;
    problem.namespace ??= namespaceOf(obj);
  }
  return read;
}

/**
 * Kubernetes `data` is standard, padded base64 (RFC 4648 §4); Buffer.from would silently skip bad
 * characters. The API server (Go's base64.StdEncoding) skips line breaks only: a space, as YAML
 * folding leaves between the lines of a plain or `>` value, makes it refuse the Secret.
 */
function decodeBase64(value: string): string | undefined {
  const compact = value.replace(/[\r\n]+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/**
 * Why a value holds no PEM when it is base64 of one: encoded once too often (data), or base64
 * where plain text is taken (stringData, ConfigMap data).
 */
function base64Hint(obj: KubeObject, field: string, text: string): string {
  const decoded = decodeBase64(text.trim());
  if (decoded === undefined || !holdsPemCertificate(decoded)) return '';
  if (obj.kind === 'Secret' && field.startsWith('data[')) return ': it is base64-encoded twice (data takes the PEM encoded once)';
  if (obj.kind === 'Secret') return ': it holds base64, which belongs under data (stringData takes the PEM as plain text)';
  return `: it holds base64, but ${obj.kind} data takes the PEM as plain text`;
}

/** The object's labels, which route its certificates' findings to the team they name (rules/ownership.yaml); nothing when it has none. */
export function ownerLabels(obj: KubeObject): { labels?: Record<string, string> } {
  const labels = routingLabelsOf(obj.metadata.labels);
  return labels ? { labels } : {};
}

/** Objects read from files without a namespace land in `default` when applied. */
export function namespaceOf(obj: KubeObject): string {
  return obj.metadata.namespace ?? 'default';
}

function problemOf(obj: KubeObject, source: SourceRef, field: string, message: string): ConfigProblem {
  return { file: source.file, line: source.line, field, message, kind: obj.kind, name: obj.metadata.name, namespace: namespaceOf(obj) };
}

function add(into: PemReadResult, from: PemReadResult): void {
  into.certificates.push(...from.certificates);
  into.problems.push(...from.problems);
}
