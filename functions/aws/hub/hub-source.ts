import type { Inventory } from '../../core/model/inventory';
import { emptyInventory } from '../../core/model/inventory';
import type { ResourceRef } from '../../core/model/types';
import type { InventorySource } from '../../core/pipeline/ports';
import type { AuditScope } from '../../core/pipeline/trigger';
import { appMeshCertificateArns, parseAcmArn, type AcmCertificateSource } from '../../providers/acm';
import { mergeUsedBy } from '../../providers/acm/used-by';

/** One certificate an ACM expiry event names, and the governed App Mesh resources that use it. */
export interface CertificateUse {
  arn: string;
  /** Listeners that serve it, client policies that trust it or the private CA that issued it. */
  usedBy: ResourceRef[];
  /** The private CA that issued it, when a governed client policy trusts that CA. */
  trustedIssuer?: string;
}

/** A certificate meshgov cannot tell is unused, and why: it is reported as it was before meshgov could tell. */
export interface UndeterminedCertificate {
  arn: string;
  why: string;
}

/** What the certificates of an ACM expiry event are to the meshes meshgov governs. */
export interface CertificateScopeRead {
  /** The records and problems of the certificates to report: those used, and those whose use is undetermined. */
  inventory: Inventory;
  used: CertificateUse[];
  /** Certificates no resource of the governed meshes uses, every governed mesh having been read. */
  unused: string[];
  undetermined: UndeterminedCertificate[];
  /** The governed meshes read, by name, sorted. */
  meshes: string[];
  /** Governed meshes the hub may not read (ForbiddenException, AccessDeniedException): their resources are unknown. */
  unreadMeshes: string[];
}

/** The hub's inventory source, which can also tell which of an ACM expiry event's certificates the governed meshes use. */
export interface HubSource extends InventorySource {
  /**
   * Reads the governed meshes in full (the snapshot cache spares the Describes of what did not
   * change) and the certificates, and sorts the certificates into used, unused and undetermined.
   * Throws, so the event is retried, when App Mesh or ACM cannot be read (other than a mesh
   * refused to the hub, which makes its certificates undetermined).
   */
  readCertificates(arns: readonly string[]): Promise<CertificateScopeRead>;
}

export function isHubSource(source: InventorySource): source is HubSource {
  return typeof (source as Partial<HubSource>).readCertificates === 'function';
}

/**
 * What the hub reads: App Mesh through its API, and the ACM certificates and ACM-PCA CAs its
 * listeners serve and its client policies trust. A certificate scope (an ACM expiry event)
 * reads the governed meshes to learn who uses the certificates, and then only the certificates
 * that a governed mesh uses (or may use: a mesh the hub may not read), with fresh numbers.
 */
export function hubSource(appmesh: InventorySource, acm: AcmCertificateSource): HubSource {
  async function readCertificates(arns: readonly string[]): Promise<CertificateScopeRead> {
    const wanted = [...new Set(arns)];
    // The meshes the deployment governs (MESHGOV_MESHES, else the rules, else all): the reader's own choice.
    const meshInventory = await appmesh.collect({ kind: 'all', providers: ['appmesh'] });
    const unreadMeshes = [...new Set(meshInventory.unreadMeshes ?? [])].sort();
    const meshes = [...new Set(meshInventory.appmeshApi.filter((o) => o.doc.type === 'mesh').map((o) => String(o.doc.data?.meshName ?? '')))].filter(Boolean).sort();

    const direct = new Map<string, ResourceRef[]>();
    for (const use of appMeshCertificateArns(meshInventory)) direct.set(use.arn, mergeUsedBy(direct.get(use.arn) ?? [], [use.usedBy]));
    // Private CAs a client policy trusts: the certificates they issue are validated by those clients.
    const trustedCas = new Map([...direct].filter(([arn]) => parseAcmArn(arn)?.kind === 'AcmPrivateCA'));

    // ACM is asked only about what could be used: a certificate App Mesh names, or any when a
    // trusted private CA may have issued it or a mesh could not be read.
    const mayBeUsed = trustedCas.size > 0 || unreadMeshes.length > 0;
    const toDescribe = wanted.filter((arn) => mayBeUsed || direct.has(arn));
    const read = toDescribe.length
      ? await acm.describeCertificates(
          toDescribe.map((arn) => ({ arn, usedBy: direct.get(arn) ?? [] })),
          { issuerUsers: trustedCas },
        )
      : { certificates: [], problems: [], issuers: {} };

    const used: CertificateUse[] = [];
    const unused: string[] = [];
    const undetermined: UndeterminedCertificate[] = [];
    for (const arn of wanted) {
      const issuer = read.issuers?.[arn];
      const trustedIssuer = issuer ? trustedCas.get(issuer) : undefined;
      const usedBy = mergeUsedBy([...(direct.get(arn) ?? [])], trustedIssuer ?? []);
      if (usedBy.length > 0) used.push({ arn, usedBy, ...(trustedIssuer && issuer ? { trustedIssuer: issuer } : {}) });
      else if (unreadMeshes.length > 0) {
        undetermined.push({ arn, why: `meshgov may not read the App Mesh mesh${unreadMeshes.length === 1 ? '' : 'es'} ${unreadMeshes.join(', ')}` });
      } else if (trustedCas.size > 0 && issuer === undefined) {
        undetermined.push({ arn, why: `ACM did not describe it, so whether a private CA that a governed client policy trusts (${[...trustedCas.keys()].join(', ')}) issued it is unknown` });
      } else unused.push(arn);
    }

    const reported = new Set([...used.map((u) => u.arn), ...undetermined.map((u) => u.arn)]);
    const inventory = emptyInventory();
    inventory.certificates.push(...read.certificates.filter((c) => reported.has(c.origin.arn ?? c.origin.source.file)));
    inventory.problems.push(...read.problems.filter((p) => reported.has(p.file)));
    return { inventory, used, unused, undetermined, meshes, unreadMeshes };
  }

  return {
    readCertificates,
    async collect(scope: AuditScope): Promise<Inventory> {
      if (scope.kind === 'certificates') return (await readCertificates(scope.arns)).inventory;
      const inventory = await appmesh.collect(scope);
      const uses = appMeshCertificateArns(inventory);
      if (uses.length > 0) {
        const read = await acm.describeCertificates(uses);
        inventory.certificates.push(...read.certificates);
        inventory.problems.push(...read.problems);
      }
      return inventory;
    },
  };
}
