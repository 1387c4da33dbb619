/**
 * Which listeners a virtual service reaches (App Mesh API Reference `VirtualServiceProvider`):
 * a virtual node provider serves it on its own listeners; a virtual router provider forwards
 * each router listener's traffic along its routes' `action.weightedTargets` to virtual nodes,
 * on the target's `port`, or on the node's listeners when the target names no port.
 */
import type { AppMeshIndex } from './graph-index';
import type {
  AppMeshListener,
  AppMeshRef,
  AppMeshVirtualNode,
  AppMeshVirtualRouter,
  AppMeshVirtualService,
  Origin,
} from './types';

export interface ReachedListener {
  owner: AppMeshVirtualNode;
  listener: AppMeshListener;
}

/** What clients reach on one port of the virtual service. */
export interface DestinationPort {
  /** The port clients call; undefined when the provider does not say. */
  port?: number;
  listeners: ReachedListener[];
}

export interface ResolvedDestination {
  /** The virtual service's App Mesh name, a hostname. */
  serviceName: string;
  service?: AppMeshVirtualService;
  /** True when the service and its provider were found. */
  resolved: boolean;
  /** Why it did not resolve. */
  unresolvedReason?: string;
  ports: DestinationPort[];
}

export class VirtualServiceResolver {
  private readonly memo = new Map<AppMeshVirtualService, ResolvedDestination>();

  constructor(private readonly index: AppMeshIndex) {}

  resolve(ref: AppMeshRef, fallbackName: string, preferOrigin: Origin): ResolvedDestination {
    const service = this.index.services.find(ref, preferOrigin);
    if (!service) {
      return { serviceName: fallbackName, resolved: false, unresolvedReason: `virtual service ${fallbackName} is not among the objects read`, ports: [] };
    }
    let result = this.memo.get(service);
    if (!result) {
      result = this.resolveService(service);
      this.memo.set(service, result);
    }
    return result;
  }

  /** Every virtual service read, resolved (each once). */
  resolveAll(services: AppMeshVirtualService[]): Array<{ service: AppMeshVirtualService; destination: ResolvedDestination }> {
    return services.map((service) => ({ service, destination: this.resolve(refTo(service), service.awsName, service.origin) }));
  }

  private resolveService(service: AppMeshVirtualService): ResolvedDestination {
    const serviceName = service.awsName;
    const provider = service.provider;
    if (!provider) return { serviceName, service, resolved: false, unresolvedReason: `virtual service ${serviceName} has no provider`, ports: [] };
    if (provider.kind === 'VirtualNode') {
      const node = this.index.nodes.find(provider.ref, service.origin);
      if (!node) return { serviceName, service, resolved: false, unresolvedReason: `the virtual node providing ${serviceName} is not among the objects read`, ports: [] };
      return { serviceName, service, resolved: true, ports: node.listeners.map((listener) => ({ port: listener.port, listeners: [{ owner: node, listener }] })) };
    }
    const router = this.index.routers.find(provider.ref, service.origin);
    if (!router) return { serviceName, service, resolved: false, unresolvedReason: `the virtual router providing ${serviceName} is not among the objects read`, ports: [] };
    return { serviceName, service, resolved: true, ports: this.routerPorts(router) };
  }

  private routerPorts(router: AppMeshVirtualRouter): DestinationPort[] {
    const routes = this.index.routesOf(router);
    const ports: Array<number | undefined> = router.listenerPorts.length > 0 ? router.listenerPorts : [undefined];
    return ports.map((port) => {
      const reached: ReachedListener[] = [];
      const seen = new Set<AppMeshListener>();
      for (const route of routes) {
        // A route with `match.port` serves only that router listener.
        if (route.matchPort !== undefined && port !== undefined && route.matchPort !== port) continue;
        for (const target of route.targets) {
          const node = this.index.nodes.find(target.node, route.origin);
          if (!node) continue;
          const listeners = target.port === undefined ? node.listeners : node.listeners.filter((l) => l.port === target.port);
          for (const listener of listeners) {
            if (seen.has(listener)) continue;
            seen.add(listener);
            reached.push({ owner: node, listener });
          }
        }
      }
      return { port, listeners: reached };
    });
  }
}

export function refTo(obj: { kind: AppMeshRef['kind']; origin: Origin; namespace?: string; name: string; awsMesh: string; awsName: string }): AppMeshRef {
  return obj.origin === 'crd' && obj.namespace
    ? { via: 'k8s', kind: obj.kind, namespace: obj.namespace, name: obj.name }
    : { via: 'aws', kind: obj.kind, awsMesh: obj.awsMesh, awsName: obj.awsName };
}
