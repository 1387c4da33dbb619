/**
 * Certificate files named by App Mesh specs, linked to the PEM files read: a PEM file whose
 * path (its path inside the checkout, as finding ids name it) ends with the spec's path, or the
 * reverse, is that certificate file.
 */
import type { Located, PemInput } from '../../core/model/inventory';
import type { CertificateRecord, ResourceRef } from '../../core/model/types';
import { certificatesFromPemFile } from '../x509/pem';
import { basenameOf, samePathBySuffix, type CertificateFileUse } from './pem-certificates';

function resourceKey(ref: ResourceRef): string {
  return [ref.kind, ref.mesh, ref.namespace, ref.name, ref.port].join('\u0000');
}

const SLASH = 47;
const BACKSLASH = 92;
const DOT = 46;

/** The file names of the PEM files read: a spec path with another file name links to none of them. */
export class PemFileNames {
  private readonly names = new Set<string>();
  /** The names when they are few, as they usually are. */
  private readonly few: string[] | undefined;

  constructor(pem: Located<PemInput>[]) {
    for (let i = 0; i < pem.length; i++) this.names.add(basenameOf(pem[i].source.file));
    this.few = this.names.size <= 8 ? [...this.names] : undefined;
  }

  /** True when the file name of `path` (`basenameOf`) is one of them. */
  includesNameOf(path: string): boolean {
    const last = path.charCodeAt(path.length - 1);
    // Every TLS path of a fleet is asked, and most name no PEM file read. Unless the path ends in
    // a separator or a dot (then its name may come from an earlier segment), its name is what
    // follows its last separator, so it can only be one of the names if it ends with one:
    // `endsWith` answers that without slicing out and hashing a name.
    if (this.few && last !== SLASH && last !== BACKSLASH && last !== DOT && !endsWithOne(path, this.few)) return false;
    return this.names.has(basenameOf(path));
  }
}

function endsWithOne(path: string, names: string[]): boolean {
  for (let i = 0; i < names.length; i++) if (path.endsWith(names[i])) return true;
  return false;
}

/**
 * The records of the PEM files the uses name, each with who uses it. Problems of those files
 * (a malformed block) are not added to `_problems`: the x509 provider reads every PEM file and
 * reports them, and reporting them here too would give each one twice.
 */
export function linkCertificateFiles(
  pem: Located<PemInput>[],
  uses: CertificateFileUse[],
  fileIdentity?: (file: string) => string,
): CertificateRecord[] {
  if (pem.length === 0 || uses.length === 0) return [];
  const pemByBasename = new Map<string, Located<PemInput>[]>();
  for (const file of pem) {
    const base = basenameOf(file.source.file);
    const list = pemByBasename.get(base);
    if (list) list.push(file);
    else pemByBasename.set(base, [file]);
  }

  const identity = fileIdentity ?? ((file: string) => file);
  const recordsByFile = new Map<Located<PemInput>, CertificateRecord[]>();
  const usedByKeys = new Map<CertificateRecord, Set<string>>();
  // Specs name the same few paths over and over (a mesh's root CA): match each path once.
  const filesByPath = new Map<string, Located<PemInput>[]>();
  for (let i = 0; i < uses.length; i++) {
    const use = uses[i];
    let files = filesByPath.get(use.path);
    if (!files) {
      // The file's path inside its checkout, not as written: from inside its directory it would be
      // `cert_chain.pem`, the end of every service's `/certs/<service>/cert_chain.pem`.
      files = (pemByBasename.get(basenameOf(use.path)) ?? []).filter((file) => samePathBySuffix(identity(file.source.file), use.path));
      filesByPath.set(use.path, files);
    }
    for (let f = 0; f < files.length; f++) {
      const file = files[f];
      let records = recordsByFile.get(file);
      if (!records) {
        records = certificatesFromPemFile(file, fileIdentity).certificates.map((r) => ({ ...r, usedBy: [] }));
        recordsByFile.set(file, records);
      }
      for (let r = 0; r < records.length; r++) {
        const record = records[r];
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
