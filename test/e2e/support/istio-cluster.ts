/**
 * The GKE side of the end-to-end fleet: the Istio 1.24 cluster of the live Istio tests
 * (test/integration/istio/cluster-fixture.ts) as it was before anyone touched it, less its
 * sidecar-less legacy-batch: payments and orders each with a namespace PeerAuthentication in STRICT. The stories then patch them the
 * way kubectl does, through the Kubernetes emulator's API, and build the GKE audit-log entry
 * of that very request from the shared sample.
 */
import { randomUUID } from 'node:crypto';
import { loadKubeConfigFor, loadKubernetesClient, type KubernetesEmulator, type KubernetesObject } from '../../emulators/kubernetes';
import { auditLogEntry, type LogEntry } from '../../integration/gcp/cloud-events';
import { wholeCluster } from '../../integration/istio/cluster-fixture';

export function clusterBeforeTheStories(): KubernetesObject[] {
  // Without legacy-batch, whose sidecar-less batch runner would hold every STRICT fix for a
  // person on the agent's full read: the stories approve what they were shown, and it runs.
  const objects = wholeCluster().filter((o) => o.metadata.namespace !== 'legacy-batch' && !(o.kind === 'Namespace' && o.metadata.name === 'legacy-batch')).map((o) =>
    o.kind === 'PeerAuthentication' && o.metadata.namespace === 'payments' ? { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments', labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, spec: { mtls: { mode: 'STRICT' } } } : o,
  );
  objects.push({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'orders' }, spec: { mtls: { mode: 'STRICT' } } });
  return objects;
}

/**
 * A person's `kubectl patch peerauthentication <name> -n <ns> --type merge -p
 * '{"spec":{"mtls":{"mode":"…"}}}'`, made with the real @kubernetes/client-node (ESM, loaded
 * through the emulator's loader) against the emulator's API; returns what the API server answered.
 */
export async function kubectlSetPeerAuthenticationMode(emulator: KubernetesEmulator, namespace: string, name: string, mode: 'STRICT' | 'PERMISSIVE'): Promise<KubernetesObject> {
  const k8s = await loadKubernetesClient();
  const api = (await loadKubeConfigFor(emulator)).makeApiClient(k8s.CustomObjectsApi);
  const answer = await api.patchNamespacedCustomObject(
    { group: 'security.istio.io', version: 'v1', namespace, plural: 'peerauthentications', name, body: { spec: { mtls: { mode } } }, fieldManager: 'kubectl-patch' },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  return answer as KubernetesObject;
}

/**
 * The GKE Admin Activity audit entry of that patch, by `principal` at `at`: the shared entry
 * with the request and response of the real call, a fresh insertId and its own timestamps.
 */
export function auditEntryOfPatch(object: KubernetesObject, principal: string, at: Date): LogEntry {
  const entry = auditLogEntry();
  const namespace = object.metadata.namespace!;
  const name = object.metadata.name;
  const resourceName = `security.istio.io/v1/namespaces/${namespace}/peerauthentications/${name}`;
  const insertId = randomUUID();
  entry.insertId = insertId;
  entry.timestamp = at.toISOString();
  entry.receiveTimestamp = new Date(at.getTime() + 1800).toISOString();
  entry.operation = { ...entry.operation, id: insertId };
  entry.protoPayload.resourceName = resourceName;
  entry.protoPayload.authenticationInfo.principalEmail = principal;
  entry.labels['authorization.k8s.io/reason'] = `RBAC: allowed by RoleBinding "${namespace}-mesh-operators/${namespace}" of ClusterRole "edit" to User "${principal}"`;
  entry.protoPayload.authorizationInfo = [{ granted: true, permission: 'io.istio.security.v1.peerauthentications.patch', resource: resourceName }];
  entry.protoPayload.request = { '@type': 'k8s.io/Patch', spec: object.spec };
  entry.protoPayload.response = { '@type': 'security.istio.io/v1.PeerAuthentication', ...object };
  return entry;
}
