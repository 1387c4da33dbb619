import type { Inventory } from '../../core/model/inventory';
import { emptyInventory } from '../../core/model/inventory';
import type { InventorySource } from '../../core/pipeline/ports';
import type { AuditScope } from '../../core/pipeline/trigger';
import { appMeshCertificateArns, type AcmCertificateSource } from '../../providers/acm';

/**
 * What the hub reads: App Mesh through its API, and the ACM certificates and ACM-PCA CAs its
 * listeners serve and its client policies trust. A certificate scope (an ACM expiry event)
 * reads only those certificates, with fresh numbers.
 */
export function hubSource(appmesh: InventorySource, acm: AcmCertificateSource): InventorySource {
  return {
    async collect(scope: AuditScope): Promise<Inventory> {
      if (scope.kind === 'certificates') {
        const inventory = emptyInventory();
        const read = await acm.describeCertificates(scope.arns);
        inventory.certificates.push(...read.certificates);
        inventory.problems.push(...read.problems);
        return inventory;
      }
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
