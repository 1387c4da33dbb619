import type { FleetModel, MeshMembership, Provider } from '../model/types';
import { isExcluded } from '../policy/exclusions';
import type { Exclusion } from '../policy/types';
import { describeResource } from '../rules/rule';

/**
 * The workloads and namespaces of each mesh that have no sidecar, read once per audit. Nothing
 * in the configuration says whom they call, and Kubernetes lets them call any Service: each may
 * be a plaintext client of any server of that mesh, which STRICT then refuses (istio.io, "Mutual
 * TLS Migration": lock down only once the clients have sidecars). Those the mesh-sidecar-missing
 * rule excludes (kube-*, istio-system, …) are taken at its word: they run no mesh clients.
 */
export class UnmeshedCallers {
  private readonly byProvider = new Map<Provider, MeshMembership[]>();
  private readonly named = new Map<Provider, string>();

  constructor(model: FleetModel, exclusions: Exclusion[] = []) {
    for (const m of model.membership) {
      if (m.inMesh || isExcluded(m.resource, exclusions)) continue;
      const list = this.byProvider.get(m.provider);
      if (list) list.push(m);
      else this.byProvider.set(m.provider, [m]);
    }
  }

  of(provider: Provider): readonly MeshMembership[] {
    return this.byProvider.get(provider) ?? [];
  }

  /**
   * Why a server of `provider` that takes plaintext today may lose callers by going STRICT, as
   * one reason: a fleet may hold hundreds of namespaces without a sidecar, and every fix would
   * otherwise list them all. The names are written once per audit.
   */
  reasonFor(provider: Provider, server: string): string | undefined {
    const outside = this.of(provider);
    if (outside.length === 0) return undefined;
    let who = this.named.get(provider);
    if (who === undefined) {
      const first = outside.slice(0, NAMED).map((m) => describeResource(m.resource)).join(', ');
      who = outside.length === 1 ? `${first} has no sidecar and` : `${outside.length} workloads or namespaces without a sidecar (${first}${outside.length > NAMED ? `, and ${outside.length - NAMED} more` : ''})`;
      this.named.set(provider, who);
    }
    return `${who} may call ${server} in plaintext`;
  }
}

/** At most this many are named in the reason. */
const NAMED = 3;
