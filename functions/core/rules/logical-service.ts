/**
 * The logical identity of a service across meshes. Kubernetes DNS names reduce to
 * `name.namespace` (`payments-api.payments.svc.cluster.local` → `payments-api.payments`), so the
 * same service behind Istio on GKE and App Mesh on EKS matches; other hosts compare whole.
 */
export function logicalServiceKey(host: string): string {
  let key = cache.get(host);
  if (key === undefined) {
    const h = host.toLowerCase().replace(/\.$/, '');
    const m = /^([^.]+)\.([^.]+)\.svc(?:\.[^.]+(?:\.[^.]+)?)?$/.exec(h);
    key = m ? `${m[1]}.${m[2]}` : h;
    if (cache.size > 100_000) cache.clear();
    cache.set(host, key);
  }
  return key;
}

/** Hosts repeat once per port and per client; the fleet has far fewer distinct ones. */
const cache = new Map<string, string>();
