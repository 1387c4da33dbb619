/**
 * Which mesh a namespaced App Mesh CRD belongs to. The controller's admission webhook fills
 * `spec.meshRef` from the Mesh whose `namespaceSelector` selects the object's namespace
 * (aws-app-mesh-controller-for-k8s `pkg/mesh/membership_designator.go`); a file may hold the
 * object before the webhook ran, so both are read: `meshRef` first, then the selectors.
 */
import { labelSelectorMatches } from './label-selector';
import { namespaceLabelsOf, type AppMeshGraph, type AppMeshMesh } from './types';

export type CrdMeshResolution =
  | { ok: true; mesh: string; awsMesh: string; via: 'meshRef' | 'namespaceSelector'; unknownMeshRef?: boolean }
  | { ok: false; field: string; message: string };

export class CrdMeshResolver {
  private readonly meshesByName = new Map<string, AppMeshMesh>();
  private readonly byNamespace = new Map<string, CrdMeshResolution>();
  private readonly byMeshRef = new Map<string, CrdMeshResolution>();

  constructor(
    private readonly meshes: AppMeshMesh[],
    private readonly graph: Pick<AppMeshGraph, 'namespaceLabels'>,
  ) {
    for (const mesh of meshes) this.meshesByName.set(mesh.name, mesh);
  }

  /** Answers are shared (every object of a mesh asks the same question); callers only read them. */
  resolve(meshRefName: unknown, namespace: string): CrdMeshResolution {
    if (typeof meshRefName === 'string' && meshRefName !== '') {
      let cached = this.byMeshRef.get(meshRefName);
      if (!cached) {
        cached = this.byMeshRefName(meshRefName);
        this.byMeshRef.set(meshRefName, cached);
      }
      return cached;
    }
    let cached = this.byNamespace.get(namespace);
    if (!cached) {
      cached = this.bySelector(namespace);
      this.byNamespace.set(namespace, cached);
    }
    return cached;
  }

  private byMeshRefName(meshRefName: string): CrdMeshResolution {
    const mesh = this.meshesByName.get(meshRefName);
    if (mesh) return { ok: true, mesh: mesh.name, awsMesh: mesh.awsName, via: 'meshRef' };
    // A meshRef is authoritative even when the Mesh object was not given; it is only an
    // error when Mesh objects were given and none has that name.
    return { ok: true, mesh: meshRefName, awsMesh: meshRefName, via: 'meshRef', unknownMeshRef: this.meshes.length > 0 };
  }

  private bySelector(namespace: string): CrdMeshResolution {
    const labels = namespaceLabelsOf(this.graph, namespace);
    // An absent namespaceSelector selects no namespace (mesh_types.go); `{}` selects all.
    const matching = this.meshes.filter((m) => m.namespaceSelector && labelSelectorMatches(m.namespaceSelector, labels));
    if (matching.length === 1) {
      return { ok: true, mesh: matching[0].name, awsMesh: matching[0].awsName, via: 'namespaceSelector' };
    }
    if (matching.length === 0) {
      return {
        ok: false,
        field: 'spec.meshRef',
        message: `no mesh known for namespace ${namespace}: no spec.meshRef, and no Mesh's namespaceSelector selects the namespace`,
      };
    }
    return {
      ok: false,
      field: 'spec.meshRef',
      message: `namespace ${namespace} is selected by several meshes (${matching.map((m) => m.name).join(', ')}); the controller rejects such objects`,
    };
  }
}
