import type { CertificateRecord } from './types';

/**
 * How a copy of a certificate is named among `origin.copies`: `ConfigMap shop/istio-ca-root-cert`.
 * The folds that list copies (istiod's root ConfigMaps, trust-manager's targets) and the rules
 * that look a copy up by its object use this one spelling.
 */
export function copyName(c: Pick<CertificateRecord, 'origin'>): string {
  return `${c.origin.kind} ${c.origin.namespace ?? 'default'}/${c.origin.name}`;
}

/** Lists `others` among the copies of `keeper`, the record that stands for them all. */
export function addCopies(keeper: CertificateRecord, others: readonly CertificateRecord[]): void {
  keeper.origin.copies = [...(keeper.origin.copies ?? []), ...others.map(copyName)];
}
