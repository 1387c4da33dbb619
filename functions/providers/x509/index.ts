import type { ModelBuilder } from '../../core/model/provider';
import { emptyModel, type CertificateRecord, type SourceRef } from '../../core/model/types';
import { certificateFromCertManager, isCertManagerCertificate, type CertManagerRead } from './cert-manager';
import { certificateKeysOfSecret, certificatesFromRootCertConfigMap, certificatesFromSecret, isRootCertConfigMap, namespaceOf, type FieldLocator } from './kubernetes-sources';
import { inlineCertificatesOf } from '../envoy/inline-certificates';
import { certificatesFromPemFile, type PemReadResult } from './pem';
import { foldRootCertCopies } from './root-cert-copies';
import { foldTrustBundleCopies } from './trust-bundle-copies';
import { certificatesFromBundleInline, certificatesFromTrustBundleTarget, isTrustManagerBundle, trustBundleOf, trustBundleTargetOf, type TrustBundle } from './trust-manager-bundles';

export { certificatesFromPem, certificatesFromPemFile, type PemReadOptions, type PemReadResult } from './pem';
export { parseCertificateDate } from './certificate-date';

/**
 * The certificate provider: every certificate in PEM files, in Istio CA Secrets (`cacerts`,
 * `istio-ca-secret`), in `kubernetes.io/tls` Secrets, in the `istio-ca-root-cert` ConfigMap,
 * in trust-manager Bundles (`inLine` sources) and the ConfigMaps and Secrets they write,
 * written inline in Envoy bootstraps, and every issued cert-manager `Certificate`. Expiry is
 * judged by the rules, not here.
 *
 * @example
 *   const { certificates, problems } = buildCertificateModel(inventory, { now: new Date() });
 */
export const buildCertificateModel: ModelBuilder = (inventory, context) => {
  const model = emptyModel();

  // One input that cannot be read is a problem with its file and line; it never aborts the audit.
  const guarded = (source: SourceRef, read: () => PemReadResult): PemReadResult => {
    try {
      return read();
    } catch (err) {
      return { certificates: [], problems: [{ file: source.file, line: source.line, message: `certificate cannot be read: ${(err as Error).message}` }] };
    }
  };

  for (const file of inventory.pem) {
    model.resourceCount++;
    const read = guarded(file.source, () => certificatesFromPemFile(file, inventory.fileIdentity));
    model.certificates.push(...read.certificates);
    model.problems.push(...read.problems);
  }

  const certManager: Array<{ read: CertManagerRead; namespace: string }> = [];
  const isIssuedLeaf = (c: CertificateRecord, namespace: string | undefined, secret: string) =>
    c.origin.kind === 'Secret' && c.origin.namespace === namespace && c.origin.name === secret && c.origin.key === 'tls.crt' && c.chainIndex === 0;
  const secretsWithTlsCrt = new Set<string>();
  const fieldLine = inventory.fieldLine;
  const locatorAt = (source: SourceRef): FieldLocator => (field) => ({ file: source.file, line: fieldLine?.(source.file, source.line, field) ?? source.line });
  // A Bundle says which key of its targets holds the PEM: known before any target is read.
  const bundles = new Map<string, TrustBundle>();
  for (const { doc } of inventory.kubernetes) if (isTrustManagerBundle(doc) && !bundles.has(doc.metadata.name)) bundles.set(doc.metadata.name, trustBundleOf(doc));
  const trustInline = new Map<CertificateRecord, string>();
  const trustTargets = new Map<CertificateRecord, string>();
  for (const { doc, source } of inventory.kubernetes) {
    const secretKeys = certificateKeysOfSecret(doc);
    // istiod's own root ConfigMap stays with its reader and its fold, whoever else labels it.
    const trustBundle = isRootCertConfigMap(doc) ? undefined : trustBundleTargetOf(doc);
    if (trustBundle !== undefined) {
      model.resourceCount++;
      const read = guarded(source, () => certificatesFromTrustBundleTarget(doc, bundles.get(trustBundle), source, locatorAt(source)));
      for (const c of read.certificates) trustTargets.set(c, trustBundle);
      model.certificates.push(...read.certificates);
      model.problems.push(...read.problems);
    } else if (isTrustManagerBundle(doc)) {
      model.resourceCount++;
      const read = guarded(source, () => certificatesFromBundleInline(doc, source, locatorAt(source)));
      for (const c of read.certificates) trustInline.set(c, doc.metadata.name);
      model.certificates.push(...read.certificates);
      model.problems.push(...read.problems);
    } else if (secretKeys) {
      model.resourceCount++;
      const read = guarded(source, () => certificatesFromSecret(doc, secretKeys, source, locatorAt(source)));
      model.certificates.push(...read.certificates);
      model.problems.push(...read.problems);
      if (read.certificates.some((c) => c.origin.key === 'tls.crt')) secretsWithTlsCrt.add(`${namespaceOf(doc)}/${doc.metadata.name}`);
    } else if (isRootCertConfigMap(doc)) {
      model.resourceCount++;
      const read = guarded(source, () => certificatesFromRootCertConfigMap(doc, source, locatorAt(source)));
      model.certificates.push(...read.certificates);
      model.problems.push(...read.problems);
    } else if (isCertManagerCertificate(doc)) {
      model.resourceCount++;
      const read = certificateFromCertManager(doc, source);
      model.problems.push(...read.problems);
      certManager.push({ read, namespace: namespaceOf(doc) });
    }
  }
  // Certificates an Envoy bootstrap writes inline; its listeners and clusters are the Envoy provider's to count.
  for (const input of inventory.envoy) {
    const read = guarded(input.source, () => inlineCertificatesOf(input, fieldLine));
    model.certificates.push(...read.certificates);
    model.problems.push(...read.problems);
  }
  // When the Secret cert-manager writes is in the inventory too, its parsed PEM is the better
  // record (exact dates, fingerprint); the status-dated record would report the same expiry twice.
  for (const { read, namespace } of certManager) {
    const { certificate: record, secretName, renewal } = read;
    if (secretName && secretsWithTlsCrt.has(`${namespace}/${secretName}`)) {
      // The Secret's leaf is what cert-manager renews: it carries what the status says about that.
      if (renewal) for (const leaf of model.certificates) if (isIssuedLeaf(leaf, namespace, secretName)) leaf.renewal = renewal;
      continue;
    }
    if (record) model.certificates.push(record);
  }
  model.certificates = foldTrustBundleCopies(model.certificates, { bundles, inline: trustInline, targets: trustTargets });
  model.certificates = foldRootCertCopies(model.certificates, context.istioRootNamespace);
  distinguishSameObjectInOtherFiles(model.certificates, inventory.fileIdentity ?? ((f) => f));
  return model;
};

/**
 * The id of a Secret's, ConfigMap's or cert-manager Certificate's record names the object, not
 * the file, so that the object read from files or live keeps its findings' ids. The same object in
 * another file (each cluster's `istio-system/cacerts` holding the shared root, two bootstraps'
 * `ingress_https` listeners) is another place to fix, and the engine keeps one finding per id:
 * that record's id also names its file.
 */
function distinguishSameObjectInOtherFiles(certificates: CertificateRecord[], fileIdentity: (file: string) => string): void {
  const firstFile = new Map<string, string>();
  for (const c of certificates) {
    if (c.origin.kind === 'File') continue;
    const file = c.origin.source.file;
    const first = firstFile.get(c.id);
    if (first === undefined) firstFile.set(c.id, file);
    else if (first !== file && fileIdentity(first) !== fileIdentity(file)) c.id = `${c.id}@${fileIdentity(file)}`;
  }
}
