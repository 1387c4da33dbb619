/**
 * The certificate and trust sources a mesh already uses. Fixes reuse them rather than invent
 * one: a CA the mesh already trusts is far more likely right than a guess.
 */
import { clientCertificateOf } from './client-policy';
import { listenerTrustOf } from './server-mode';
import type { AppMeshGraph, ClientPolicySpec, TlsCertificate, ValidationTrust } from './types';

/**
 * Counts equal values by key; `mostUsed(category)` breaks ties by first seen, so the choice is
 * deterministic. All adds come before any query, so each category's answer is computed once:
 * asking per fix stays O(1) however many fixes there are.
 */
export class Tally<T> {
  private readonly entries = new Map<string, { value: T; count: number; order: number }>();
  private readonly best = new Map<string, T | undefined>();

  constructor(
    private readonly keyOf: (value: T) => string,
    private readonly categoriesOf: (value: T) => string[],
  ) {}

  add(value: T | undefined): void {
    if (value === undefined) return;
    this.best.clear();
    const key = this.keyOf(value);
    const entry = this.entries.get(key);
    if (entry) entry.count++;
    else this.entries.set(key, { value, count: 1, order: this.entries.size });
  }

  /** The most used value of a category (`any` for all). */
  mostUsed(category = 'any'): T | undefined {
    if (this.best.has(category)) return this.best.get(category);
    let best: { value: T; count: number; order: number } | undefined;
    for (const entry of this.entries.values()) {
      if (category !== 'any' && !this.categoriesOf(entry.value).includes(category)) continue;
      if (!best || entry.count > best.count || (entry.count === best.count && entry.order < best.order)) best = entry;
    }
    this.best.set(category, best?.value);
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

/** Trust categories: its kind, and `not-acm` for the kinds a listener can use. */
function trustCategories(trust: ValidationTrust): string[] {
  const kind = trustKindOf(trust);
  return kind === 'acm' ? ['acm'] : kind ? [kind, 'not-acm'] : [];
}

function trustKey(trust: ValidationTrust): string {
  if (trust.acm) return `acm\u0000${(trust.acm.certificateAuthorityArns ?? []).join('\u0000')}`;
  if (trust.file) return `file\u0000${trust.file.certificateChain}`;
  return `sds\u0000${trust.sds?.secretName}`;
}

function certificateKey(cert: TlsCertificate): string {
  if (cert.file) return `file\u0000${cert.file.certificateChain}\u0000${cert.file.privateKey}`;
  return `sds\u0000${cert.sds?.secretName}`;
}

function certificateCategories(cert: TlsCertificate): string[] {
  return cert.file ? ['file'] : cert.sds ? ['sds'] : [];
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
      pool = {
        listenerTrusts: new Tally(trustKey, trustCategories),
        clientTrusts: new Tally(trustKey, trustCategories),
        clientCertificates: new Tally(certificateKey, certificateCategories),
      };
      this.pools.set(mesh, pool);
    }
    return pool;
  }
}
