/**
 * trust-manager writes a Bundle's certificates into a ConfigMap (and a Secret) in every selected
 * namespace, so a cluster export holds each one once per namespace. Those are copies, not places
 * to fix: a certificate is one finding, on the Bundle's `inLine` source that holds it when the
 * Bundle is read, else on the source object the Bundle names (a cert-manager CA Secret), else on
 * the first copy, with the other copies listed (`origin.copies`), as istio-ca-root-cert's are.
 */
import { addCopies } from '../../core/model/certificate-copies';
import type { CertificateRecord } from '../../core/model/types';
import type { TrustBundle } from './trust-manager-bundles';

export interface TrustBundleReads {
  /** The Bundles among the inputs, by name. */
  bundles: ReadonlyMap<string, TrustBundle>;
  /** Records read from a Bundle's `inLine` sources, with the Bundle's name. */
  inline: ReadonlyMap<CertificateRecord, string>;
  /** Records read from a target ConfigMap or Secret, with the name of the Bundle that wrote it. */
  targets: ReadonlyMap<CertificateRecord, string>;
}

export function foldTrustBundleCopies(certificates: CertificateRecord[], reads: TrustBundleReads): CertificateRecord[] {
  if (reads.targets.size === 0) return certificates;
  const groups = new Map<string, CertificateRecord[]>();
  for (const [c, bundle] of reads.targets) {
    // A record without a fingerprint cannot be told to be the same certificate.
    if (c.fingerprint256 === '') continue;
    const key = `${bundle}\u0000${c.fingerprint256}`;
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  const folded = new Set<CertificateRecord>();
  for (const copies of groups.values()) {
    const bundle = reads.targets.get(copies[0]!)!;
    const fingerprint = copies[0]!.fingerprint256;
    const keeper = inlineRecord(certificates, reads, bundle, fingerprint) ?? sourceRecord(certificates, reads, bundle, fingerprint);
    // In no source of the Bundle that was read, while the Bundle adds trust-manager's default CA
    // package: most likely a public root of that package, which is fixed there, not in this copy.
    if (!keeper && reads.bundles.get(bundle)?.useDefaultCAs) copies[0]!.origin.defaultCaPackageOf = bundle;
    if (!keeper && copies.length < 2) continue;
    const kept = keeper ?? copies[0]!;
    const others = copies.filter((c) => c !== kept);
    for (const c of others) folded.add(c);
    addCopies(kept, others);
  }
  return folded.size === 0 ? certificates : certificates.filter((c) => !folded.has(c));
}

function inlineRecord(certificates: CertificateRecord[], reads: TrustBundleReads, bundle: string, fingerprint: string): CertificateRecord | undefined {
  return certificates.find((c) => c.fingerprint256 === fingerprint && reads.inline.get(c) === bundle);
}

/** The record of an object the Bundle copies from (`sources[].configMap` / `.secret` by name), when it was read. */
function sourceRecord(certificates: CertificateRecord[], reads: TrustBundleReads, bundle: string, fingerprint: string): CertificateRecord | undefined {
  const sources = reads.bundles.get(bundle)?.sourceObjects;
  if (!sources?.length) return undefined;
  const named = certificates.find(
    (c) => c.fingerprint256 === fingerprint && !reads.targets.has(c) && sources.some((s) => s.kind === c.origin.kind && s.name === c.origin.name && (s.key === undefined || s.key === c.origin.key)),
  );
  if (!named) return undefined;
  // The object's first record of it: the one the core keeps when it merges one object's keys
  // (a cert-manager CA Secret holds its CA in tls.crt and ca.crt), copies and all.
  const o = named.origin;
  return certificates.find((c) => c.fingerprint256 === fingerprint && c.origin.kind === o.kind && c.origin.namespace === o.namespace && c.origin.name === o.name && c.origin.source.file === o.source.file);
}
