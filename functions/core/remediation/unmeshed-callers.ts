import type { FleetModel, MeshMembership, Provider } from '../model/types';
import { globToRegExp } from '../policy/glob';
import { describeResource } from '../rules/rule';

/**
 * The workloads and namespaces of each mesh that have no sidecar, read once per audit. Nothing
 * in the configuration says whom they call, and Kubernetes lets them call any Service: each may
 * be a plaintext client of any server of that mesh, which STRICT then refuses (istio.io, "Mutual
 * TLS Migration": lock down only once the clients have sidecars).
 *
 * The mesh-sidecar-missing rule's exclusions are not read here: they say whom not to tell, and a
 * namespace is often excluded because it is known to run without sidecars, which is exactly the
 * caller STRICT cuts off. Only the platform's own namespaces are left out (PLATFORM_NAMESPACES).
 */
export class UnmeshedCallers {
  private readonly byProvider = new Map<Provider, MeshMembership[]>();
  private readonly named = new Map<Provider, string>();

  constructor(model: FleetModel) {
    for (const m of model.membership) {
      if (m.inMesh || isPlatformNamespace(m.resource.namespace)) continue;
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

/**
 * Namespaces of the cluster's and the cloud's own controllers. Their workloads talk to the API
 * server and the nodes, not to application Services, so they are no plaintext callers of a mesh
 * server; every cluster has them, and counting them would hold every STRICT fix for approval.
 * `default` is not one: a workload there is an application like any other. Google Managed
 * Prometheus's collectors (gmp-*) do call pods, but only the ports its PodMonitorings name: the
 * Istio provider weighs those (istio/podMonitorings.ts).
 */
const PLATFORM_NAMESPACES = [
  'kube-*',
  'istio-system',
  'gke-*',
  'gmp-*',
  'cert-manager',
  'config-management-system',
  'gatekeeper-system',
  'cnrm-system',
  'resource-group-system',
  'appmesh-system',
  'amazon-cloudwatch',
  'amazon-guardduty',
].map(globToRegExp);

function isPlatformNamespace(namespace: string | undefined): boolean {
  return namespace !== undefined && PLATFORM_NAMESPACES.some((re) => re.test(namespace));
}
