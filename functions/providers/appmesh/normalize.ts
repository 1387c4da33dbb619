/**
 * Both App Mesh input shapes, the API objects and the CRDs, into one graph. A live reader
 * that describes resources through the SDK hands its results to `readApiObjects` the same way.
 */
import type { Inventory } from '../../core/model/inventory';
import type { ConfigProblem } from '../../core/model/types';
import { setAsideApiCopiesOfCrds } from './crd-api-copies';
import { scopeCrdTwins } from './crd-twins';
import { readApiObjects } from './normalize-api';
import { readCrdObjects } from './normalize-crd';
import { emptyGraph, type AppMeshGraph } from './types';

export interface NormalizedAppMesh {
  graph: AppMeshGraph;
  problems: ConfigProblem[];
  /** App Mesh objects consumed (API objects and App Mesh CRDs; Namespaces are context only). */
  resourceCount: number;
}

export function normalizeAppMesh(inventory: Pick<Inventory, 'appmeshApi' | 'kubernetes'>): NormalizedAppMesh {
  const graph = emptyGraph();
  const problems: ConfigProblem[] = [];
  let resourceCount = readApiObjects(inventory.appmeshApi, graph, problems);
  reportUnknownApiMeshes(graph, problems);
  resourceCount += readCrdObjects(inventory.kubernetes, graph, problems);
  // Counted once: the same App Mesh object read as its CRD and as the API object made from it.
  resourceCount -= setAsideApiCopiesOfCrds(graph, problems);
  scopeCrdTwins(graph);
  return { graph, problems, resourceCount };
}

/**
 * An API object whose `meshName` names none of the meshes read. Only checked when mesh objects
 * were read at all: a scoped read (one changed virtual node) legitimately comes without its mesh.
 */
function reportUnknownApiMeshes(graph: AppMeshGraph, problems: ConfigProblem[]): void {
  const apiMeshes = graph.meshes.filter((m) => m.origin === 'api');
  if (apiMeshes.length === 0) return;
  const known = new Set(apiMeshes.map((m) => m.name));
  const lists = [graph.nodes, graph.gateways, graph.services, graph.routers, graph.gatewayRoutes];
  for (let l = 0; l < lists.length; l++) {
    // Indexed: a cold `for…of` allocates an iterator result per object.
    const list = lists[l];
    for (let i = 0; i < list.length; i++) {
      const obj = list[i];
      if (obj.origin !== 'api' || known.has(obj.mesh)) continue;
      problems.push({
        file: obj.source.file,
        line: obj.source.line,
        field: 'meshName',
        message: `${obj.kind} ${obj.name} refers to mesh ${obj.mesh}, which is not among the meshes read`,
        kind: obj.kind,
        name: obj.name,
      });
    }
  }
}
