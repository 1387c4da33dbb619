/**
 * The certificate and trust sources a mesh already uses. Fixes reuse them rather than invent
 * one: a CA the mesh already trusts is far more likely right than a guess.
 */
import { clientCertificateOf } from './client-policy';
import { listenerTrustOf } from './server-mode';
import type { AppMeshGraph, ClientPolicySpec, TlsCertificate, ValidationTrust } from './types';

/** Counts equal values; `mostUsed` breaks ties by first seen, so the choice is deterministic. */
export class Tally<T> {
  private readonly entries = new Map<string, { value: T; count: number; order: number }>();

  add(value: T | undefined): void {
    if (value === undefined) return;
    const key = JSON.stringify(value);
    const entry = this.entries.get(key);
    if (entry) entry.count++;
    else this.entries.set(key, { value, count: 1, order: this.entries.size });
  }

  mostUsed(filter: (value: T) => boolean = () => true): T | undefined {
    let best: { value: T; count: number; order: number } | undefined;
    for (const entry of this.entries.values()) {
      if (!filter(entry.value)) continue;
      if (!best || entry.count > best.count || (entry.count === best.count && entry.order < best.order)) best = entry;
    }
    return best?.value;
  }
}

export interface MeshTrustPool {
  /** `validation.trust` of listeners (file or sds). */
  listenerTrusts: Tally<ValidationTrust>;
  /** `validation.trust` of client policies (acm, file or sds). */
  clientTrusts: Tally<ValidationTrust>;
  /** Client certificates of client policies (file or sds). */
  clientCertificates: Tally<TlsCertificate>;
}

export type TrustKind = 'acm' | 'file' | 'sds';

export function trustKindOf(trust: ValidationTrust): TrustKind | undefined {
  if (trust.acm) return 'acm';
  if (trust.file) return 'file';
  if (trust.sds) return 'sds';
  return undefined;
}

/** A client policy's validation trust, the one member it uses. */
function clientTrustOf(policy: ClientPolicySpec | undefined): ValidationTrust | undefined {
  const trust = policy?.tls?.validation?.trust;
  const arns = trust?.acm?.certificateAuthorityArns;
  if (Array.isArray(arns) && arns.length > 0) return { acm: { certificateAuthorityArns: arns } };
  if (typeof trust?.file?.certificateChain === 'string' && trust.file.certificateChain) return { file: { certificateChain: trust.file.certificateChain } };
  if (typeof trust?.sds?.secretName === 'string' && trust.sds.secretName) return { sds: { secretName: trust.sds.secretName } };
  return undefined;
}

export class TrustPools {
  private readonly pools = new Map<string, MeshTrustPool>();

  constructor(graph: AppMeshGraph) {
    for (const owner of [...graph.nodes, ...graph.gateways]) {
      const pool = this.poolOf(owner.mesh);
      for (const listener of owner.listeners) pool.listenerTrusts.add(listenerTrustOf(listener.tls));
      const policies: Array<ClientPolicySpec | undefined> = [owner.backendDefaults];
      if (owner.kind === 'VirtualNode') for (const backend of owner.backends) policies.push(backend.clientPolicy);
      for (const policy of policies) {
        pool.clientTrusts.add(clientTrustOf(policy));
        pool.clientCertificates.add(clientCertificateOf(policy?.tls));
      }
    }
  }

  poolOf(mesh: string): MeshTrustPool {
    let pool = this.pools.get(mesh);
    if (!pool) {
      pool = { listenerTrusts: new Tally(), clientTrusts: new Tally(), clientCertificates: new Tally() };
      this.pools.set(mesh, pool);
    }
    return pool;
  }
}
