/**
 * One App Mesh object read twice: as the CRD in Kubernetes and as the API object the
 * controller made from it (`aws appmesh describe-*` output beside `kubectl get -o yaml`). Both
 * name it by mesh and App Mesh name (the CRD's `awsName`, or the controller's default), and,
 * when each carries one, by the same ARN. Audited once, as the CRD: that is where a fix goes,
 * and the controller puts it back over any change made to the API object. Where the API copy
 * differs from the CRD in what meshgov reads, the mesh is not running what the CRD says (the
 * controller has not applied it, or someone changed the object outside Kubernetes): a problem
 * on the API copy, at the first such field.
 */
import type { ConfigProblem } from '../../core/model/types';
import { formatFieldPath } from '../files/field-path';
import { firstDifference, type FieldPath } from '../files/first-difference';
import type { AppMeshGraph, AppMeshObjectBase, AppMeshVirtualGateway, AppMeshVirtualNode, AppMeshVirtualRouter, AppMeshVirtualService, ClientPolicySpec, AppMeshListener } from './types';

/** Sets aside each API object that a CRD also defines; returns how many. */
export function setAsideApiCopiesOfCrds(graph: AppMeshGraph, problems: ConfigProblem[]): number {
  let setAside = 0;
  const routers = new Set<string>();
  const keep = <T extends AppMeshObjectBase>(list: T[], project: (obj: T) => unknown): T[] => {
    const crds = new Map<string, T>();
    for (const obj of list) if (obj.origin === 'crd') crds.set(keyOf(obj), obj);
    if (crds.size === 0 || crds.size === list.length) return list;
    return list.filter((obj) => {
      const crd = obj.origin === 'api' ? crds.get(keyOf(obj)) : undefined;
      if (!crd || !sameArn(obj, crd)) return true;
      setAside++;
      if (obj.kind === 'VirtualRouter') routers.add(keyOf(obj));
      const difference = firstDifference(project(crd), project(obj));
      if (difference) problems.push(differs(obj, crd, difference.path, difference.values));
      return false;
    });
  };
  graph.meshes = keep(graph.meshes, () => null);
  graph.nodes = keep(graph.nodes, nodeProjection);
  graph.gateways = keep(graph.gateways, gatewayProjection);
  graph.services = keep(graph.services, serviceProjection);
  graph.routers = keep(graph.routers, routerProjection);
  // The routes of a router read as an API object go with it: the CRD's inline routes are audited.
  if (routers.size > 0) {
    graph.routes = graph.routes.filter((route) => {
      const dropped = route.origin === 'api' && route.router.via === 'aws' && routers.has(`${route.router.awsMesh}\u0000${route.router.awsName}`);
      if (dropped) setAside++;
      return !dropped;
    });
  }
  // A gateway route's targets are references, spelled differently by each shape: not compared.
  graph.gatewayRoutes = keep(graph.gatewayRoutes, () => null);
  return setAside;
}

function keyOf(obj: AppMeshObjectBase): string {
  return `${obj.awsMesh}\u0000${obj.awsName}`;
}

/** Two ARNs set the objects apart (another region or account) only when both copies have one. */
function sameArn(api: AppMeshObjectBase, crd: AppMeshObjectBase): boolean {
  const a = api.api?.arn;
  const b = crd.crd?.arn;
  return a === undefined || b === undefined || a === b;
}

/* What meshgov reads of each kind, in the API's field names so a difference names the API field. */

function listenersProjection(listeners: AppMeshListener[]): unknown {
  return listeners.map((l) => ({ portMapping: { port: l.port, protocol: l.protocol }, tls: l.tls }));
}

function nodeProjection(node: AppMeshVirtualNode): unknown {
  return {
    listeners: listenersProjection(node.listeners),
    backendDefaults: policyProjection(node.backendDefaults),
    backends: node.backends.map((b) => ({ virtualService: { virtualServiceName: b.serviceName, clientPolicy: policyProjection(b.clientPolicy) } })),
    serviceDiscovery: node.hostnames.join(', '),
  };
}

function gatewayProjection(gateway: AppMeshVirtualGateway): unknown {
  return { listeners: listenersProjection(gateway.listeners), backendDefaults: policyProjection(gateway.backendDefaults) };
}

function serviceProjection(service: AppMeshVirtualService): unknown {
  // A CRD names its provider by Kubernetes coordinates, the API by App Mesh name: only the kind compares.
  return { provider: service.provider?.kind };
}

function routerProjection(router: AppMeshVirtualRouter): unknown {
  return { listeners: router.listenerPorts.map((port) => ({ portMapping: { port } })) };
}

function policyProjection(policy: ClientPolicySpec | undefined): unknown {
  const tls = policy?.tls;
  // `enforce` left out is true (API ClientPolicyTls): a copy that spells the default out is the same.
  return policy && { clientPolicy: { tls: tls && { ...tls, enforce: tls.enforce ?? true } } };
}

function differs(api: AppMeshObjectBase, crd: AppMeshObjectBase, path: FieldPath, values: { first: string; later: string } | undefined): ConfigProblem {
  const field = formatFieldPath(['spec', ...path]);
  const shown = values ? ` (${values.later} here, ${values.first} in the CRD)` : '';
  const crdName = crd.namespace ? `${crd.namespace}/${crd.name}` : crd.name;
  return {
    file: api.source.file,
    line: api.source.line,
    field,
    message: `${api.kind} ${api.name} in mesh ${api.mesh} is the App Mesh object of ${crd.kind} ${crdName} (${crd.source.file}:${crd.source.line}), and differs from it at ${field}${shown}: the controller has not applied the CRD, or the object was changed outside Kubernetes. meshgov audits the CRD.`,
    kind: api.kind,
    name: api.name,
    mesh: api.mesh,
  };
}
