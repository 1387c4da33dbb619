import type { CertificateRecord, FleetModel, ResourceRef } from './types';

/**
 * The same certificate can be read twice from one place: by two providers (a PEM file, and
 * the App Mesh listener that names that file), or under two keys of one Secret (`cacerts`
 * holds the CA in ca-cert.pem and again in cert-chain.pem). Keep one record per certificate
 * and object, so one problem gives one finding, and merge who uses it and which keys hold it.
 */
export function dedupeCertificates(model: FleetModel): FleetModel {
  const byKey = new Map<string, CertificateRecord>();
  for (const c of model.certificates) {
    const o = c.origin;
    const key = `${c.fingerprint256 || c.id}\u0000${o.source.file}\u0000${o.kind}\u0000${o.namespace ?? ''}\u0000${o.name}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...c, origin: { ...o }, usedBy: c.usedBy ? [...c.usedBy] : undefined });
      continue;
    }
    // One user holding the certificate in two places (two filter chains of a listener) is one user.
    if (c.usedBy?.length) seen.usedBy = [...(seen.usedBy ?? []), ...c.usedBy.filter((u) => !seen.usedBy?.some((s) => sameResource(s, u)))];
    if (o.key !== undefined && o.key !== seen.origin.key && !seen.origin.alsoKeys?.includes(o.key)) {
      seen.origin.alsoKeys = [...(seen.origin.alsoKeys ?? []), o.key];
    }
  }
  return { ...model, certificates: [...byKey.values()] };
}

function sameResource(a: ResourceRef, b: ResourceRef): boolean {
  return a.kind === b.kind && a.name === b.name && a.namespace === b.namespace && a.mesh === b.mesh && a.port === b.port && a.file === b.file && a.line === b.line;
}
