/**
 * The logical identity of a service across meshes. Kubernetes DNS names reduce to
 * `name.namespace` (`payments-api.payments.svc.cluster.local` → `payments-api.payments`), so the
 * same service behind Istio on GKE and App Mesh on EKS matches; other hosts compare whole.
 */
export function logicalServiceKey(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  const m = /^([^.]+)\.([^.]+)\.svc(?:\.[^.]+(?:\.[^.]+)?)?$/.exec(h);
  return m ? `${m[1]}.${m[2]}` : h;
}
