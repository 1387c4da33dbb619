import type { Inventory } from '../../core/model/inventory';
import type { ResourceRef } from '../../core/model/types';
import { normalizeAppMesh } from '../appmesh';
import type { AppMeshObjectBase, ClientPolicySpec } from '../appmesh/types';
import { mergeUsedBy } from './used-by';

/** An ACM ARN that App Mesh configuration names, and the virtual node or gateway that names it. */
export interface AppMeshArnUse {
  arn: string;
  usedBy: ResourceRef;
}

/**
 * The ACM ARNs App Mesh configuration depends on, from App Mesh API objects and
 * `appmesh.k8s.aws/v1beta2` CRDs alike:
 * - the certificate a listener serves: `spec.listeners[].tls.certificate.acm.certificateArn`
 *   (CRD `certificateARN`), used by that listener's port;
 * - the CAs a client trusts: `…clientPolicy.tls.validation.trust.acm.certificateAuthorityArns`
 *   (CRD `certificateAuthorityARNs`) of each backend and of `backendDefaults`.
 * A listener's own validation cannot trust ACM (App Mesh API `ListenerTlsValidationContextTrust`
 * is file or sds only), so there is nothing to read there.
 *
 * The App Mesh provider's normaliser does the reading (spelling, the mesh of a CRD from
 * `spec.meshRef` or the Mesh selectors, deleted resources left out), so both agree on which
 * resources exist. Each (ARN, user) pair appears once.
 *
 * @example
 *   appMeshCertificateArns(inventory);
 *   // [{ arn: 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f…', usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 } }, …]
 */
export function appMeshCertificateArns(inventory: Pick<Inventory, 'appmeshApi' | 'kubernetes'>): AppMeshArnUse[] {
  const { graph } = normalizeAppMesh(inventory);
  const out: AppMeshArnUse[] = [];
  const seen = new Map<string, ResourceRef[]>();

  function add(arn: unknown, usedBy: ResourceRef): void {
    if (typeof arn !== 'string' || arn.trim() === '') return;
    const users = seen.get(arn) ?? [];
    const before = users.length;
    mergeUsedBy(users, [usedBy]);
    seen.set(arn, users);
    if (users.length > before) out.push({ arn, usedBy });
  }

  function addTrust(policy: ClientPolicySpec | undefined, usedBy: ResourceRef): void {
    const arns = policy?.tls?.validation?.trust?.acm?.certificateAuthorityArns;
    if (Array.isArray(arns)) for (const arn of arns) add(arn, usedBy);
  }

  for (const owner of [...graph.nodes, ...graph.gateways]) {
    const user = userOf(owner);
    for (const listener of owner.listeners) {
      add(listener.tls?.certificate?.acm?.certificateArn, listener.port !== undefined ? { ...user, port: listener.port } : user);
    }
    if ('backends' in owner) for (const backend of owner.backends) addTrust(backend.clientPolicy, user);
    addTrust(owner.backendDefaults, user);
  }
  return out;
}

/** CONTRACT.md: an App Mesh resource names its mesh, and a CRD also its namespace. */
function userOf(obj: AppMeshObjectBase & { kind: 'VirtualNode' | 'VirtualGateway' }): ResourceRef {
  return { kind: obj.kind, name: obj.name, mesh: obj.mesh, ...(obj.namespace !== undefined ? { namespace: obj.namespace } : {}) };
}
