/**
 * Certificate files named by App Mesh specs, linked to the PEM files read: a PEM file whose
 * path ends with the spec's path (or the reverse) is that certificate file.
 */
import type { Located, PemInput } from '../../core/model/inventory';
import type { CertificateRecord, ConfigProblem, ResourceRef } from '../../core/model/types';
import { basenameOf, certificatesFromPem, samePathBySuffix, type CertificateFileUse } from './pem-certificates';

function resourceKey(ref: ResourceRef): string {
  return [ref.kind, ref.mesh, ref.namespace, ref.name, ref.port].join('\u0000');
}

export function linkCertificateFiles(
  pem: Located<PemInput>[],
  uses: CertificateFileUse[],
  problems: ConfigProblem[],
): CertificateRecord[] {
  if (pem.length === 0 || uses.length === 0) return [];
  const pemByBasename = new Map<string, Located<PemInput>[]>();
  for (const file of pem) {
    const base = basenameOf(file.source.file);
    const list = pemByBasename.get(base);
    if (list) list.push(file);
    else pemByBasename.set(base, [file]);
  }

  const recordsByFile = new Map<Located<PemInput>, CertificateRecord[]>();
  const usedByKeys = new Map<CertificateRecord, Set<string>>();
  for (const use of uses) {
    for (const file of pemByBasename.get(basenameOf(use.path)) ?? []) {
      if (!samePathBySuffix(file.source.file, use.path)) continue;
      let records = recordsByFile.get(file);
      if (!records) {
        records = certificatesFromPem(file.doc.text, file.source, problems).map((r) => ({ ...r, usedBy: [] }));
        recordsByFile.set(file, records);
      }
      for (const record of records) {
        let keys = usedByKeys.get(record);
        if (!keys) {
          keys = new Set();
          usedByKeys.set(record, keys);
        }
        const key = resourceKey(use.usedBy);
        if (keys.has(key)) continue;
        keys.add(key);
        record.usedBy!.push(use.usedBy);
      }
    }
  }
  return [...recordsByFile.values()].flat();
}
