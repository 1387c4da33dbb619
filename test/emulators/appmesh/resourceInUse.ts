import type { MeshStore } from './meshStore';
import type { JsonObject, StoredResource } from './storedResource';

/**
 * Why a resource cannot be deleted yet, or undefined when it can. App Mesh answers such a
 * delete with ResourceInUseException ("You can't delete the specified resource because it's
 * in use or required by another resource"): a virtual router with routes, a virtual gateway
 * with gateway routes, and a virtual node or router that a virtual service or route points at.
 */
export function inUseReason(store: MeshStore, resource: StoredResource): string | undefined {
  const { meshOwner, meshName, name } = resource;
  switch (resource.kind) {
    case 'virtualRouter': {
      const routes = store.list('route', meshOwner, meshName, name);
      if (routes.length > 0) return `VirtualRouter ${name} still has ${routes.length} route(s)`;
      const service = providerOf(store, resource, 'virtualRouter', 'virtualRouterName');
      return service ? `VirtualRouter ${name} is the provider of VirtualService ${service.name}` : undefined;
    }
    case 'virtualGateway': {
      const gatewayRoutes = store.list('gatewayRoute', meshOwner, meshName, name);
      return gatewayRoutes.length > 0 ? `VirtualGateway ${name} still has ${gatewayRoutes.length} gateway route(s)` : undefined;
    }
    case 'virtualNode': {
      const service = providerOf(store, resource, 'virtualNode', 'virtualNodeName');
      if (service) return `VirtualNode ${name} is the provider of VirtualService ${service.name}`;
      const route = store.list('route', meshOwner, meshName).find((r) => routeTargets(r).includes(name));
      return route ? `VirtualNode ${name} is a target of Route ${route.name} of VirtualRouter ${route.parentName}` : undefined;
    }
    default:
      return undefined;
  }
}

function providerOf(
  store: MeshStore,
  resource: StoredResource,
  providerKind: 'virtualNode' | 'virtualRouter',
  nameField: 'virtualNodeName' | 'virtualRouterName',
): StoredResource | undefined {
  return store.list('virtualService', resource.meshOwner, resource.meshName).find((service) => {
    const provider = asObject(asObject(service.spec.provider)?.[providerKind]);
    return provider?.[nameField] === resource.name;
  });
}

/** Virtual node names in the weighted targets of any of a route's protocol sections. */
function routeTargets(route: StoredResource): string[] {
  const sections = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'].map((key) => asObject(route.spec[key]));
  return sections.flatMap((section) => {
    const targets = asObject(section?.action)?.weightedTargets;
    return Array.isArray(targets) ? targets.map((t) => asObject(t)?.virtualNode).filter((n): n is string => typeof n === 'string') : [];
  });
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}
