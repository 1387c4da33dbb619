/**
 * GKE Multi Cluster Ingress (`networking.gke.io/v1`): a `MultiClusterIngress` in the fleet's config
 * cluster sends, through a Google load balancer, to the pods that its `MultiClusterService`
 * backends select in every member cluster. GKE derives a Service (`mci-…`, with standalone NEGs)
 * in each member cluster; a configuration repository holds only the two objects, so the pods are
 * found from the MultiClusterService's `spec.template.spec` (its selector and ports), as the derived
 * Services select them. That load balancer is outside the mesh and sends plaintext. An MCS limited
 * to some clusters (`spec.clusters`) is taken to reach every one: the audit cannot tell which
 * cluster its inputs are, and the safe side is to ask.
 */
import type { KubeObject, Located } from '../../core/model/inventory';
import { isEmptyLabels, selectorMatches } from './labels';
import { nameOf, namespaceOf } from './objectKey';
import { ingressBackends } from './outsideRoutes';
import type { ServerRecord } from './servers';
import { readService, targetPortOn, type KubeService } from './services';

const MCI_GROUP = 'networking.gke.io/';

export function isMultiClusterIngressObject(obj: Located<KubeObject>): boolean {
  const { apiVersion, kind } = obj.doc;
  return (kind === 'MultiClusterIngress' || kind === 'MultiClusterService') && typeof apiVersion === 'string' && apiVersion.startsWith(MCI_GROUP);
}

/**
 * Sets `routedFromOutside` on each server port behind a MultiClusterService that a
 * MultiClusterIngress sends to, unless another outside route already holds it.
 */
export function markMultiClusterIngressRoutes(records: readonly ServerRecord[], objects: readonly Located<KubeObject>[]): void {
  if (objects.length === 0) return;
  const services = new Map<string, KubeService>();
  for (const obj of objects) {
    if (obj.doc.kind === 'MultiClusterService') services.set(`${namespaceOf(obj.doc)}/${nameOf(obj.doc)}`, derivedService(obj));
  }
  for (const { doc } of objects) {
    if (doc.kind !== 'MultiClusterIngress') continue;
    const namespace = namespaceOf(doc);
    const what = `MultiClusterIngress ${namespace}/${nameOf(doc)}`;
    for (const backend of ingressBackends(doc.spec?.template?.spec)) {
      const svc = services.get(`${namespace}/${backend.name}`);
      if (svc?.selector === undefined || isEmptyLabels(svc.selector)) continue;
      for (const sp of svc.ports) {
        if (backend.port !== undefined && backend.port !== sp.port && backend.port !== sp.name) continue;
        for (const record of records) {
          if (record.routedFromOutside || record.port === undefined || record.workload.namespace !== namespace) continue;
          if (!selectorMatches(svc.selector, record.workload.podLabels) || targetPortOn(sp, record.workload) !== record.port) continue;
          record.routedFromOutside = { route: { what, servicePort: sp.port }, service: svc, servicePort: sp.port };
        }
      }
    }
  }
}

/** The Service GKE derives from a MultiClusterService: its template's selector and ports. */
function derivedService(obj: Located<KubeObject>): KubeService {
  const spec = obj.doc.spec?.template?.spec ?? {};
  const svc = readService({ doc: { apiVersion: 'v1', kind: 'Service', metadata: { name: nameOf(obj.doc), namespace: namespaceOf(obj.doc) }, spec }, source: obj.source });
  svc.kind = 'MultiClusterService';
  return svc;
}
