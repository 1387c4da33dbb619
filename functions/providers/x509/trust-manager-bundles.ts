/**
 * cert-manager's trust-manager: a cluster-scoped `Bundle` (trust.cert-manager.io/v1alpha1, the
 * only version trust.cert-manager.io serves) gathers CA certificates from its `spec.sources`
 * (`inLine` PEM, ConfigMaps and Secrets of the trust namespace, the default CA package) and
 * writes them as one PEM bundle into every selected namespace: a ConfigMap under
 * `spec.target.configMap.key` and, when enabled, a Secret under `spec.target.secret.key`, both
 * named after the Bundle and labelled `trust.cert-manager.io/bundle: <bundle name>`.
 *
 * The newer ClusterBundle (`trust-manager.io/v1alpha2`, label `trust-manager.io/bundle`) is a
 * different group still being rolled out upstream, and is not read here.
 */
import { isLooseRecord as isObject } from '../../core/is-record';
import type { KubeObject } from '../../core/model/inventory';
import type { CertificateRecord, SourceRef } from '../../core/model/types';
import { certificatesFromConfigMap, certificatesFromSecret, ownerLabels, type FieldLocator, type SecretCertificateKeys } from './kubernetes-sources';
import { certificatesFromPem, holdsPemCertificate, type PemReadResult } from './pem';

export const TRUST_BUNDLE_API_VERSION = 'trust.cert-manager.io/v1alpha1';
/** The label trust-manager puts on every target it writes (trust-manager `BundleLabelKey`). */
export const TRUST_BUNDLE_LABEL = 'trust.cert-manager.io/bundle';
/**
 * `origin.key` of a certificate from a Bundle's `inLine` sources. One key for all of them: the
 * sources are appended into one bundle, so an expired root in one beside a valid root in another
 * is one bundle to take it out of (cert-expired counts valid roots per key).
 */
export const INLINE_KEY = 'inLine';

/** What meshgov reads of a Bundle: where its targets keep the PEM, and which objects it copies from. */
export interface TrustBundle {
  name: string;
  targetKeys: { configMap?: string; secret?: string };
  /** The ConfigMaps and Secrets named in `spec.sources` (by name; selector sources name none). */
  sourceObjects: Array<{ kind: 'ConfigMap' | 'Secret'; name: string; key?: string }>;
  /** A source `useDefaultCAs: true`: trust-manager adds its default CA package (public roots) to the targets. */
  useDefaultCAs: boolean;
}

export function isTrustManagerBundle(obj: KubeObject): boolean {
  return obj.apiVersion === TRUST_BUNDLE_API_VERSION && obj.kind === 'Bundle';
}

/** The Bundle whose target a core/v1 ConfigMap or Secret is, by its label; undefined for any other object. */
export function trustBundleTargetOf(obj: KubeObject): string | undefined {
  if (obj.apiVersion !== 'v1' || (obj.kind !== 'ConfigMap' && obj.kind !== 'Secret')) return undefined;
  const labels = obj.metadata.labels;
  const name = labels && Object.hasOwn(labels, TRUST_BUNDLE_LABEL) ? labels[TRUST_BUNDLE_LABEL] : undefined;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

export function trustBundleOf(bundle: KubeObject): TrustBundle {
  const spec = isObject(bundle.spec) ? bundle.spec : {};
  const target = isObject(spec.target) ? spec.target : {};
  const keyOf = (t: unknown) => (isObject(t) && typeof t.key === 'string' && t.key !== '' ? t.key : undefined);
  const configMap = keyOf(target.configMap);
  const secret = keyOf(target.secret);
  const sourceObjects: TrustBundle['sourceObjects'] = [];
  let useDefaultCAs = false;
  for (const source of sourcesOf(bundle)) {
    if (source.useDefaultCAs === true) useDefaultCAs = true;
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      const ref = source[kind === 'ConfigMap' ? 'configMap' : 'secret'];
      if (!isObject(ref) || typeof ref.name !== 'string' || ref.name === '') continue;
      sourceObjects.push({ kind, name: ref.name, ...(typeof ref.key === 'string' && ref.key !== '' ? { key: ref.key } : {}) });
    }
  }
  return { name: bundle.metadata.name, targetKeys: { ...(configMap ? { configMap } : {}), ...(secret ? { secret } : {}) }, sourceObjects, useDefaultCAs };
}

/**
 * The certificates of a Bundle's `spec.sources[].inLine` PEM texts. The Bundle is where they are
 * fixed, so they are its records (cluster-scoped: no namespace), each pointing at its `inLine`.
 */
export function certificatesFromBundleInline(bundle: KubeObject, source: SourceRef, locate: FieldLocator = () => source): PemReadResult {
  const out: PemReadResult = { certificates: [], problems: [] };
  sourcesOf(bundle).forEach((entry, i) => {
    const text = entry.inLine;
    if (typeof text !== 'string' || text.trim() === '') return;
    const field = `spec.sources[${i}].inLine`;
    const at = locate(field);
    if (!holdsPemCertificate(text)) {
      // trust-manager refuses a source with no certificate, and the Bundle stops syncing.
      out.problems.push({ file: at.file, line: at.line, field, message: `${field} of Bundle ${bundle.metadata.name} holds no PEM certificate`, kind: 'Bundle', name: bundle.metadata.name });
      return;
    }
    const origin: CertificateRecord['origin'] = { kind: 'Bundle', name: bundle.metadata.name, key: INLINE_KEY, source: at, ...ownerLabels(bundle) };
    // The block scalar's lines may be folded or quoted in the file: every record points at its `inLine`.
    const read = certificatesFromPem(text, origin, 'x509', { textFirstLine: null, field });
    out.certificates.push(...read.certificates);
    out.problems.push(...read.problems);
  });
  return out;
}

/**
 * The certificates of a Bundle's target ConfigMap or Secret. With its Bundle among the inputs,
 * the target's key says where the PEM is, and anything else there is not a certificate to read;
 * without it, every value that holds PEM certificates is read, and other values are left alone.
 */
export function certificatesFromTrustBundleTarget(target: KubeObject, bundle: TrustBundle | undefined, source: SourceRef, locate: FieldLocator = () => source): PemReadResult {
  const key = target.kind === 'ConfigMap' ? bundle?.targetKeys.configMap : bundle?.targetKeys.secret;
  const keys: SecretCertificateKeys = key !== undefined ? { keys: [key], generic: false } : { keys: valueKeysOf(target), generic: true };
  return target.kind === 'ConfigMap' ? certificatesFromConfigMap(target, keys, source, locate) : certificatesFromSecret(target, keys, source, locate);
}

function valueKeysOf(obj: KubeObject): string[] {
  const keys = new Set<string>(isObject(obj.data) ? Object.keys(obj.data) : []);
  // A Secret written by hand may hold its PEM under stringData; a ConfigMap has none.
  if (obj.kind === 'Secret' && isObject(obj.stringData)) for (const k of Object.keys(obj.stringData)) keys.add(k);
  return [...keys];
}

function sourcesOf(bundle: KubeObject): Array<Record<string, unknown>> {
  const sources = isObject(bundle.spec) ? bundle.spec.sources : undefined;
  return Array.isArray(sources) ? sources.map((s) => (isObject(s) ? s : {})) : [];
}
