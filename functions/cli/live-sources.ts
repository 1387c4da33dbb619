import type { Inventory } from '../core/model/inventory';
import { acmCertificateSource, appMeshCertificateArns } from '../providers/acm';
import { appMeshSource } from '../providers/appmesh/live';
import { istioSource, kubeConfigFromFile } from '../providers/istio/live';

export interface LiveSourceOptions {
  appmeshRegion?: string;
  kubeContext?: string;
  /** Meshes to read (rules/ `sources.appmesh.meshes`); all when unset. */
  meshes?: string[];
}

/**
 * The live sources of `meshgov audit`: App Mesh through its API in a region (with the ACM
 * certificates and ACM-PCA CAs its listeners and client policies name), and Istio through a
 * kubeconfig context. Credentials come from the usual chains: the AWS SDK's and KUBECONFIG.
 */
export async function collectLive(options: LiveSourceOptions): Promise<Inventory[]> {
  const parts: Inventory[] = [];
  if (options.appmeshRegion !== undefined) {
    const source = appMeshSource({ region: options.appmeshRegion, ...(options.meshes?.length ? { meshes: options.meshes } : {}) });
    const inventory = await source.collect({ kind: 'all', providers: ['appmesh'] });
    const uses = appMeshCertificateArns(inventory);
    if (uses.length > 0) {
      // A CLI run reports what it could not read rather than failing the whole audit.
      const read = await acmCertificateSource({ region: options.appmeshRegion, onUnavailable: 'problem' }).describeCertificates(uses);
      inventory.certificates.push(...read.certificates);
      inventory.problems.push(...read.problems);
    }
    parts.push(inventory);
  }
  if (options.kubeContext !== undefined) {
    const source = istioSource({ kubeConfig: kubeConfigFromFile(options.kubeContext || undefined) });
    parts.push(await source.collect({ kind: 'all', providers: ['istio', 'x509'] }));
  }
  return parts;
}
