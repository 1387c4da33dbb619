/**
 * Certificate files the configuration names that are not among the inputs: their expiry was not
 * checked, and a clean report would otherwise read as if it had been. This is a notice, not a
 * finding: the configuration is not at fault, the audit only lacks the file. A file counts as
 * among the inputs when a PEM file read ends with the path, segment by segment, as App Mesh's
 * certificate links match them (appmesh/pem-certificates.ts).
 */
import type { Inventory } from '../../core/model/inventory';
import { printable } from '../../core/report/printable';
import { basenameOf, samePathBySuffix } from '../appmesh/pem-certificates';
import { certificateFileReferences, referenceLine, type CertificateFileReference } from './certificate-file-references';

/**
 * The operating system's CA bundle inside the proxy image (Debian, Ubuntu and Alpine; RHEL and
 * UBI; Alpine's and BSD's short name), which Envoy configurations name as their upstream trust.
 * It comes with the image, not with the configuration, so no audit input holds it: naming it on
 * every run would say nothing.
 */
const SYSTEM_TRUST_STORES: ReadonlySet<string> = new Set([
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
]);

/** How many paths the notice names; the rest it counts, as the CLI's other notices do. */
const LISTED = 5;

export interface UncheckedCertificateFile {
  path: string;
  /** The first reference to it. */
  first: CertificateFileReference;
  /** How many other references (other objects, or other fields of one) name it too. */
  others: number;
  /** A PEM file read with the same file name but another path, which no path links to (`certs/ledger.pem` for `/etc/appmesh/ledger.pem`): checked on its own, not taken for this one. */
  sameName?: string;
}

/** One entry per path not among the inputs, in the order the configuration first names them (by file). */
export function uncheckedCertificateFiles(inventory: Pick<Inventory, 'appmeshApi' | 'kubernetes' | 'envoy' | 'pem' | 'files' | 'fieldLine' | 'fileIdentity'>): UncheckedCertificateFile[] {
  const identity = inventory.fileIdentity ?? ((file: string) => file);
  // By file name: each PEM file read, by its identity (what paths are matched against) and as given (what the notice prints, like every other path in it).
  const pemByName = new Map<string, Array<{ file: string; given: string }>>();
  for (const { source } of inventory.pem) {
    const file = identity(source.file);
    const name = basenameOf(file);
    const files = pemByName.get(name);
    if (files) files.push({ file, given: source.file });
    else pemByName.set(name, [{ file, given: source.file }]);
  }
  const byPath = new Map<string, UncheckedCertificateFile | null>();
  const linked = new Set<string>();
  // Only configuration read from files: a live read (App Mesh API, Kubernetes API) names paths on
  // the proxies, which no audit of it could be given, so saying so each run would tell nothing.
  const read = new Set(inventory.files);
  // By file, whatever kind of input names them (stable: within a file, in the order it is walked).
  const references = certificateFileReferences(inventory)
    .filter((r) => read.has(r.by.file))
    .sort((a, b) => compare(a.by.file, b.by.file));
  for (const reference of references) {
    const path = reference.path;
    if (SYSTEM_TRUST_STORES.has(path)) continue;
    const seen = byPath.get(path);
    if (seen === null) continue;
    if (seen) {
      seen.others++;
      continue;
    }
    const files = (pemByName.get(basenameOf(path)) ?? []).filter(({ file }) => samePathBySuffix(file, path));
    for (const { file } of files) linked.add(file);
    byPath.set(path, files.length > 0 ? null : { path, first: reference, others: 0 });
  }
  const unchecked = [...byPath.values()].filter((u): u is UncheckedCertificateFile => u !== null);
  // A file of the same name that no path links to is likely this one, exported under another
  // path (`certs/root-ca.pem` for `/etc/appmesh/certs/root-ca.pem`): say why it is not taken for it.
  for (const u of unchecked) {
    const orphan = pemByName.get(basenameOf(u.path))?.find(({ file }) => !linked.has(file));
    if (orphan !== undefined) u.sameName = orphan.given;
  }
  return unchecked;
}

/**
 * The CLI's notice for those files (empty when there is none): each path with the object that
 * names it and where, so that a user can add the file to the audit, or knows what was not checked.
 */
export function uncheckedCertificateFilesNotice(inventory: Parameters<typeof uncheckedCertificateFiles>[0]): string {
  const unchecked = uncheckedCertificateFiles(inventory);
  if (unchecked.length === 0) return '';
  // Paths and names come from the inputs: escaped, they cannot drive the terminal.
  const lines = unchecked.slice(0, LISTED).map((u) => {
    const by = u.first.by;
    return `  ${printable(`${u.path}: named by ${describe(u.first)} at ${by.file}:${referenceLine(u.first, inventory.fieldLine)}${others(u.others)}${sameName(u)}`)}\n`;
  });
  if (unchecked.length > LISTED) lines.push(`  and ${unchecked.length - LISTED} more\n`);
  return `meshgov: ${unchecked.length} certificate file(s) named by the configuration not checked, as they are not among the inputs (add them to the paths audited to check their expiry):\n${lines.join('')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function others(count: number): string {
  return count === 0 ? '' : ` and ${count} more reference${count === 1 ? '' : 's'}`;
}

/** Why a file of that name among the inputs is not this one: the same rule links App Mesh's paths to files. */
function sameName(u: UncheckedCertificateFile): string {
  return u.sameName === undefined ? '' : `; ${u.sameName} has that name but not that path, so it is checked on its own, not as this file`;
}

function describe({ by, provider }: CertificateFileReference): string {
  const name = by.namespace !== undefined ? `${by.namespace}/${by.name}` : by.name;
  const mesh = by.mesh !== undefined ? ` of mesh ${by.mesh}` : '';
  const port = by.port !== undefined ? ` (port ${by.port})` : '';
  // `EnvoySecret` is the record kind of a static secret; people call it an Envoy secret.
  const kind = provider === 'envoy' ? `Envoy ${by.kind === 'EnvoySecret' ? 'secret' : by.kind.toLowerCase()}` : `App Mesh ${by.kind}`;
  return `${kind} ${name}${mesh}${port}`;
}
