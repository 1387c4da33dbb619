/**
 * Which App Mesh object a CRD stands for. Kubernetes names a CRD by namespace and name, but the
 * object the controller makes from it is named by its mesh and `spec.awsName`, and both are
 * fixed once the CRD exists (the controller's validating webhooks refuse a change of
 * `spec.awsName` or `spec.meshRef`, webhooks/appmesh/virtualnode_validator.go
 * `enforceFieldsImmutability`). So two exports that hold `payments/ledger` with different
 * awsNames or meshes (two clusters of a multi-cluster mesh) hold two App Mesh objects, while a
 * rendered manifest that leaves awsName and meshRef to the webhooks and the export of what it
 * became are one.
 */
import { apiGroupOf, type KubeObject } from '../../core/model/inventory';
import type { AppMeshKind } from './types';

const APPMESH_GROUP = 'appmesh.k8s.aws';

/** The CRD kinds that stand for an App Mesh object (a BackendGroup is only a list of references). */
const OBJECT_KINDS: ReadonlySet<string> = new Set<AppMeshKind>(['Mesh', 'VirtualNode', 'VirtualGateway', 'VirtualService', 'VirtualRouter', 'GatewayRoute']);

/**
 * The App Mesh name the controller's mutating webhooks give an object created without
 * `spec.awsName` (webhooks/appmesh/*_mutator.go `defaultingAWSName`): a Mesh keeps its name, a
 * VirtualService becomes `<name>.<namespace>` (a hostname, as virtual service names are), and
 * VirtualNode / VirtualGateway / VirtualRouter / GatewayRoute become `<name>_<namespace>`.
 */
export function defaultAwsName(kind: AppMeshKind, name: string, namespace: string | undefined): string {
  if (kind === 'Mesh') return name;
  if (kind === 'VirtualService') return `${name}.${namespace ?? ''}`;
  return `${name}_${namespace ?? ''}`;
}

const NONE: Readonly<Record<string, string | undefined>> = Object.freeze({});

/**
 * What tells apart CRDs of one kind, namespace and name that are different App Mesh objects:
 * the App Mesh name (given, or the webhook's default) and the mesh `spec.meshRef` names. The
 * mesh is undefined when a manifest leaves it to the webhook, and then sets nothing apart (the
 * file source compares a coordinate only when both copies give it). Nothing for other objects.
 */
export function appMeshCrdCoordinates(doc: KubeObject): Readonly<Record<string, string | undefined>> {
  if (!OBJECT_KINDS.has(doc.kind) || apiGroupOf(doc.apiVersion) !== APPMESH_GROUP) return NONE;
  const name = doc.metadata?.name;
  if (typeof name !== 'string') return NONE;
  const spec = doc.spec as { awsName?: unknown; meshRef?: { name?: unknown } } | undefined;
  // A manifest without a namespace lands in `default` (and the file source groups it with the objects there).
  const namespace = typeof doc.metadata.namespace === 'string' && doc.metadata.namespace !== '' ? doc.metadata.namespace : 'default';
  const awsName = typeof spec?.awsName === 'string' && spec.awsName !== '' ? spec.awsName : defaultAwsName(doc.kind as AppMeshKind, name, namespace);
  const meshRef = spec?.meshRef?.name;
  return { awsName, mesh: typeof meshRef === 'string' && meshRef !== '' ? meshRef : undefined };
}
