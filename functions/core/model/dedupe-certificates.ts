import type { CertificateRecord, FleetModel } from './types';

/**
 * Two providers may read the same certificate (a PEM file, and the App Mesh listener that
 * names that file). Keep one record per certificate and place, and merge who uses it.
 */
export function dedupeCertificates(model: FleetModel): FleetModel {
  const byKey = new Map<string, CertificateRecord>();
  for (const c of model.certificates) {
    const key = `${c.fingerprint256 || c.id}\u0000${c.origin.source.file}\u0000${c.origin.key ?? ''}\u0000${c.chainIndex}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...c, usedBy: c.usedBy ? [...c.usedBy] : undefined });
    } else if (c.usedBy?.length) {
      seen.usedBy = [...(seen.usedBy ?? []), ...c.usedBy];
    }
  }
  return { ...model, certificates: [...byKey.values()] };
}
