/**
 * istiod publishes its root certificate into every namespace as the ConfigMap
 * `istio-ca-root-cert` (pilot namespacecontroller.go), so a cluster export holds the same root
 * once per namespace. Those are copies, not places to fix: an expiring root is one finding, on
 * the CA Secret that holds it (`cacerts`, `istio-ca-secret`) when that is read, else on the
 * root namespace's copy, with the other copies listed (`origin.copies`).
 */
import { addCopies } from '../../core/model/certificate-copies';
import type { CertificateRecord } from '../../core/model/types';
import { ISTIO_CA_SECRETS, ROOT_CERT_CONFIGMAP } from './kubernetes-sources';

export function foldRootCertCopies(certificates: CertificateRecord[], rootNamespace = 'istio-system'): CertificateRecord[] {
  const copiesByFingerprint = new Map<string, CertificateRecord[]>();
  for (const c of certificates) {
    if (!isRootCertCopy(c) || c.fingerprint256 === '') continue;
    const list = copiesByFingerprint.get(c.fingerprint256);
    if (list) list.push(c);
    else copiesByFingerprint.set(c.fingerprint256, [c]);
  }
  if (copiesByFingerprint.size === 0) return certificates;
  const folded = new Set<CertificateRecord>();
  for (const [fingerprint, copies] of copiesByFingerprint) {
    const secret = certificates.find((c) => c.fingerprint256 === fingerprint && c.origin.kind === 'Secret' && Object.hasOwn(ISTIO_CA_SECRETS, c.origin.name));
    if (!secret && copies.length < 2) continue;
    const keeper = secret ?? copies.find((c) => c.origin.namespace === rootNamespace) ?? copies[0]!;
    const others = copies.filter((c) => c !== keeper);
    for (const c of others) folded.add(c);
    addCopies(keeper, others);
  }
  return certificates.filter((c) => !folded.has(c));
}

function isRootCertCopy(c: CertificateRecord): boolean {
  return c.origin.kind === 'ConfigMap' && c.origin.name === ROOT_CERT_CONFIGMAP;
}
