/**
 * The least Kubernetes RBAC the live Istio provider needs, as ClusterRole rules
 * (rbac.authorization.k8s.io/v1 PolicyRule), so that deployment scripts grant exactly what
 * the reader and the writer use and no more:
 * - the reader lists and gets what an audit reads, and gets only the two CA Secrets by name
 *   (`kubernetes.io/tls` Secrets and trust-manager's Secret copies need `list secrets`, granted
 *   only when `tlsSecrets` is on); what only the remediation gate reads (Sidecars, Ingresses,
 *   Gateway API objects, GMP scrape configs, TargetGroupBindings, Multi Cluster Ingress objects,
 *   revision tags' webhooks) is granted like the rest:
 *   without it the audit goes on, but no fix is `auto`;
 * - the writer patches PeerAuthentications and DestinationRules, creates PeerAuthentications
 *   (create-strict) and DestinationRules (create-istio-mutual), and deletes them only to undo
 *   its own create.
 * Discovery (`/apis/<group>`) is open to every authenticated user (system:discovery).
 */

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export const ISTIO_READER_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['namespaces', 'services', 'pods', 'configmaps'], verbs: ['get', 'list'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['get', 'list'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list'] },
  { apiGroups: ['security.istio.io'], resources: ['peerauthentications'], verbs: ['get', 'list'] },
  { apiGroups: ['networking.istio.io'], resources: ['destinationrules', 'serviceentries', 'sidecars'], verbs: ['get', 'list'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: ['get', 'list'] },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'gatewayclasses', 'httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes'], verbs: ['get', 'list'] },
  { apiGroups: ['monitoring.googleapis.com'], resources: ['podmonitorings', 'clusterpodmonitorings'], verbs: ['get', 'list'] },
  { apiGroups: ['elbv2.k8s.aws'], resources: ['targetgroupbindings'], verbs: ['get', 'list'] },
  { apiGroups: ['networking.gke.io'], resources: ['multiclusteringresses', 'multiclusterservices'], verbs: ['get', 'list'] },
  // RBAC cannot narrow a list by label: the reader asks only for those labelled istio.io/tag.
  { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'list'] },
  { apiGroups: ['cert-manager.io'], resources: ['certificates'], verbs: ['get', 'list'] },
  { apiGroups: ['trust.cert-manager.io'], resources: ['bundles'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['cacerts', 'istio-ca-secret'] },
];

/** Only with `tlsSecrets`: listing Secrets of type kubernetes.io/tls and trust-manager's copies (RBAC cannot narrow a list by type or label). */
export const ISTIO_TLS_SECRET_READER_RULES: PolicyRule[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }];

export const ISTIO_WRITER_RULES: PolicyRule[] = [
  { apiGroups: ['security.istio.io'], resources: ['peerauthentications'], verbs: ['get', 'patch', 'create', 'delete'] },
  { apiGroups: ['networking.istio.io'], resources: ['destinationrules'], verbs: ['get', 'patch', 'create', 'delete'] },
];
