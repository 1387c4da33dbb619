/**
 * The namespace of the service a DestinationRule `host` names, when it is a Kubernetes service:
 * `payments-api.payments.svc.cluster.local` (or `*.payments.svc.cluster.local`) is in
 * `payments`; a short name without dots is relative to the rule's own namespace (Istio
 * DestinationRule reference, `host`). ServiceEntry and external hosts have no namespace here.
 */
export function destinationHostNamespace(host: string, ruleNamespace: string): string | undefined {
  if (host === '' || host === '*') return undefined;
  if (!host.includes('.')) return ruleNamespace;
  const labels = host.split('.');
  const svc = labels.indexOf('svc');
  // <service or *>.<namespace>.svc[.<cluster domain>]
  return svc === 2 ? labels[1] : undefined;
}
