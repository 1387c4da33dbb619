/**
 * The trust sources a mesh already uses. Fixes reuse them rather than invent one: a CA the mesh
 * already trusts is far more likely right than a guess. (Client certificates are never pooled:
 * a fix only ever uses the client's own, client-fix.ts.)
 */
import { meshKey } from './mesh-scope';
import type { AppMeshGraph, AppMeshObjectBase, AppMeshVirtualGateway, AppMeshVirtualNode, ClientPolicySpec, ValidationTrust } from './types';

export type TrustKind = 'acm' | 'file' | 'sds';

/** A kind, `not-acm` (the kinds a listener can validate with), or `any`. */
export type SourceCategory = TrustKind | 'not-acm' | 'any';

interface TallyEntry<T> {
  value: T;
  count: number;
  /** Order of first use: ties go to the source seen first, so the choice is deterministic. */
  order: number;
}

/**
 * Counts uses of trust sources, by kind and by a key that identifies the source within its kind.
 * The value kept is the first one seen. Callers ask `countAgain` before they build a value: a
 * fleet mostly repeats a few sources, so most uses build nothing. All uses are counted before
 * the first `mostUsed`, which therefore computes each answer once.
 */
export class SourceTally<T> {
  private readonly acm = new Map<string, TallyEntry<T>>();
  private readonly file = new Map<string, TallyEntry<T>>();
  private readonly sds = new Map<string, TallyEntry<T>>();
  private size = 0;
  private readonly best = new Map<SourceCategory, T | undefined>();
  /** The source counted last: uses of one source often come in a row (a mesh's one CA). */
  private last: { kind: TrustKind; key: string; entry: TallyEntry<T> } | undefined;

  /** Counts one more use of a known source; false when the source is new (then call `addFirst`). */
  countAgain(kind: TrustKind, key: string): boolean {
    const last = this.last;
    // Comparing with the last key costs no hashing of the key.
    if (last !== undefined && last.key === key && last.kind === kind) {
      last.entry.count++;
      return true;
    }
    const entry = this.entriesOf(kind).get(key);
    if (!entry) return false;
    entry.count++;
    this.last = { kind, key, entry };
    return true;
  }

  addFirst(kind: TrustKind, key: string, value: T): void {
    const entry: TallyEntry<T> = { value, count: 1, order: this.size++ };
    this.entriesOf(kind).set(key, entry);
    this.last = { kind, key, entry };
  }

  private entriesOf(kind: TrustKind): Map<string, TallyEntry<T>> {
    return kind === 'acm' ? this.acm : kind === 'file' ? this.file : this.sds;
  }

  /** Every source of a kind, in order of first use. */
  valuesOf(kind: TrustKind): T[] {
    const out: T[] = [];
    for (const entry of this.entriesOf(kind).values()) out.push(entry.value);
    return out;
  }

  /** The most used source of a category. */
  mostUsed(category: SourceCategory = 'any'): T | undefined {
    if (this.best.has(category)) return this.best.get(category);
    let best: TallyEntry<T> | undefined;
    const consider = (kind: TrustKind) => {
      for (const entry of this.entriesOf(kind).values()) {
        if (!best || entry.count > best.count || (entry.count === best.count && entry.order < best.order)) best = entry;
      }
    };
    if (category === 'acm' || category === 'any') consider('acm');
    if (category !== 'acm' && category !== 'sds') consider('file');
    if (category !== 'acm' && category !== 'file') consider('sds');
    const value = (best as TallyEntry<T> | undefined)?.value;
    this.best.set(category, value);
    return value;
  }
}

export interface MeshTrustPool {
  /** `validation.trust` of listeners (file or sds). */
  listenerTrusts: SourceTally<ValidationTrust>;
  /** `validation.trust` of client policies (acm, file or sds). */
  clientTrusts: SourceTally<ValidationTrust>;
}

export function trustKindOf(trust: ValidationTrust): TrustKind | undefined {
  if (trust.acm) return 'acm';
  if (trust.file) return 'file';
  if (trust.sds) return 'sds';
  return undefined;
}

/** How a trust reads in a blocker: its CA ARNs, file path or SDS secret name. */
export function describeTrust(trust: ValidationTrust): string {
  if (trust.acm) return (trust.acm.certificateAuthorityArns ?? []).join(', ');
  if (trust.file) return trust.file.certificateChain ?? 'a file trust';
  return trust.sds?.secretName ?? 'an sds trust';
}

/** Two trusts of one kind naming the same CA ARNs, file or SDS secret. */
export function sameTrust(a: ValidationTrust, b: ValidationTrust): boolean {
  return trustKindOf(a) === trustKindOf(b) && describeTrust(a) === describeTrust(b);
}

function emptyPool(): MeshTrustPool {
  return { listenerTrusts: new SourceTally(), clientTrusts: new SourceTally() };
}

/**
 * A listener's validation trust, the one member it can use (`listenerTrustOf`): `{ file }` or
 * `{ sds }` holding the listener's own object.
 */
function tallyListenerTrust(tally: SourceTally<ValidationTrust>, trust: ValidationTrust | undefined): void {
  const chain = trust?.file?.certificateChain;
  if (typeof chain === 'string' && chain) {
    if (!tally.countAgain('file', chain)) tally.addFirst('file', chain, { file: trust!.file });
    return;
  }
  const secret = trust?.sds?.secretName;
  if (typeof secret === 'string' && secret) {
    if (!tally.countAgain('sds', secret)) tally.addFirst('sds', secret, { sds: trust!.sds });
  }
}

/** A client policy's validation trust, the one member it uses, as a minimal trust object. */
function tallyClientTrust(tally: SourceTally<ValidationTrust>, policy: ClientPolicySpec | undefined): void {
  const trust = policy?.tls?.validation?.trust;
  const arns = trust?.acm?.certificateAuthorityArns;
  if (Array.isArray(arns) && arns.length > 0) {
    // One CA is the usual trust: its ARN is the key as it is, with nothing to join.
    const key = arns.length === 1 && typeof arns[0] === 'string' ? arns[0] : arns.join('\u0000');
    if (!tally.countAgain('acm', key)) tally.addFirst('acm', key, { acm: { certificateAuthorityArns: arns } });
    return;
  }
  const chain = trust?.file?.certificateChain;
  if (typeof chain === 'string' && chain) {
    if (!tally.countAgain('file', chain)) tally.addFirst('file', chain, { file: { certificateChain: chain } });
    return;
  }
  const secret = trust?.sds?.secretName;
  if (typeof secret === 'string' && secret) {
    if (!tally.countAgain('sds', secret)) tally.addFirst('sds', secret, { sds: { secretName: secret } });
  }
}

/**
 * Each mesh's pool, tallied on the first request: only fixes ask, and a fleet that needs none
 * never pays for the walk over every listener and client policy.
 */
export class TrustPools {
  private pools: Map<string, MeshTrustPool> | undefined;

  constructor(private readonly graph: Pick<AppMeshGraph, 'nodes' | 'gateways'>) {}

  /** The pool of the owner's mesh: a same-named mesh of another region or account has its own. */
  poolOf(owner: AppMeshObjectBase): MeshTrustPool {
    const pools = (this.pools ??= this.tallyAll());
    const mesh = meshKey(owner.mesh, owner.meshScope);
    let pool = pools.get(mesh);
    if (!pool) {
      pool = emptyPool();
      pools.set(mesh, pool);
    }
    return pool;
  }

  private tallyAll(): Map<string, MeshTrustPool> {
    const pools = new Map<string, MeshTrustPool>();
    const tallyOwner = (owner: AppMeshVirtualNode | AppMeshVirtualGateway) => {
      const mesh = meshKey(owner.mesh, owner.meshScope);
      let pool = pools.get(mesh);
      if (!pool) {
        pool = emptyPool();
        pools.set(mesh, pool);
      }
      for (let i = 0; i < owner.listeners.length; i++) tallyListenerTrust(pool.listenerTrusts, owner.listeners[i].tls?.validation?.trust);
      tallyClientTrust(pool.clientTrusts, owner.backendDefaults);
      if (owner.kind === 'VirtualNode') for (let i = 0; i < owner.backends.length; i++) tallyClientTrust(pool.clientTrusts, owner.backends[i].clientPolicy);
    };
    for (let i = 0; i < this.graph.nodes.length; i++) tallyOwner(this.graph.nodes[i]);
    for (let i = 0; i < this.graph.gateways.length; i++) tallyOwner(this.graph.gateways[i]);
    return pools;
  }
}
