import { ALL_MESH_SCOPED_KINDS, type MeshScopedKindDescriptor } from './resourceKinds';
import type { OperationName, OperationVerb } from './operationNames';

/**
 * Maps an HTTP method and path to the App Mesh operation, using the `http` traits of the
 * Smithy model (e.g. `GET /v20190125/meshes/{meshName}/virtualNodes` is ListVirtualNodes,
 * `PUT /v20190125/meshes/{meshName}/virtualNodes/{virtualNodeName}` is UpdateVirtualNode).
 */

export interface MatchedOperation {
  operation: OperationName;
  verb: OperationVerb;
  /** Undefined for mesh operations. */
  descriptor?: MeshScopedKindDescriptor;
  meshName?: string;
  parentName?: string;
  name?: string;
}

const API_VERSION_SEGMENT = 'v20190125';

export function matchOperation(method: string, pathname: string): MatchedOperation | undefined {
  const segments = splitPath(pathname);
  if (!segments || segments[0] !== API_VERSION_SEGMENT || segments[1] !== 'meshes') return undefined;
  const rest = segments.slice(2);

  if (rest.length === 0) {
    if (method === 'GET') return { operation: 'ListMeshes', verb: 'List' };
    if (method === 'PUT') return { operation: 'CreateMesh', verb: 'Create' };
    return undefined;
  }
  const meshName = rest[0]!;
  if (rest.length === 1) {
    const verb = itemVerb(method);
    return verb ? { operation: `${verb}Mesh` as OperationName, verb, meshName } : undefined;
  }

  for (const descriptor of ALL_MESH_SCOPED_KINDS) {
    const matched = matchKind(descriptor, method, rest.slice(1));
    if (matched) return { ...matched, meshName };
  }
  return undefined;
}

function matchKind(
  descriptor: MeshScopedKindDescriptor,
  method: string,
  segments: string[],
): Omit<MatchedOperation, 'meshName'> | undefined {
  let parentName: string | undefined;
  let rest = segments;
  if (descriptor.parent) {
    if (rest[0] !== descriptor.parent.urlSegment || rest.length < 3) return undefined;
    parentName = rest[1];
    rest = rest.slice(2);
  }
  if (rest[0] !== descriptor.collection) return undefined;
  if (rest.length === 1) {
    const verb = method === 'GET' ? 'List' : method === 'PUT' ? 'Create' : undefined;
    if (!verb) return undefined;
    const noun = verb === 'List' ? descriptor.plural : descriptor.singular;
    return { operation: `${verb}${noun}` as OperationName, verb, descriptor, parentName };
  }
  if (rest.length === 2) {
    const verb = itemVerb(method);
    if (!verb) return undefined;
    return { operation: `${verb}${descriptor.singular}` as OperationName, verb, descriptor, parentName, name: rest[1] };
  }
  return undefined;
}

function itemVerb(method: string): OperationVerb | undefined {
  if (method === 'GET') return 'Describe';
  if (method === 'PUT') return 'Update';
  if (method === 'DELETE') return 'Delete';
  return undefined;
}

/** Path segments with percent-escapes decoded (labels are URI-encoded by the client). */
function splitPath(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}
