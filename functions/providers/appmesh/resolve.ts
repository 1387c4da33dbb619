/**
 * Which listeners a virtual service reaches (App Mesh API Reference `VirtualServiceProvider`):
 * a virtual node provider serves it on its own listeners; a virtual router provider forwards
 * each router listener's traffic along its routes' `action.weightedTargets` to virtual nodes,
 * on the target's `port`, or on the node's listeners when the target names no port. Targets of
 * weight 0 receive nothing and are left out.
 */
import type { AppMeshIndex } from './graph-index';
import type {
  AppMeshListener,
  AppMeshRef,
  AppMeshVirtualRouter,
  AppMeshVirtualService,
  Origin,
} from './types';

/** What clients reach on one port of the virtual service. */
export interface DestinationPort {
  /** The port clients call; undefined when the provider does not say. */
  port?: number;
  /** The virtual node listeners reached (the server table knows whose they are). */
  listeners: AppMeshListener[];
  /**
   * Set on the parts of a port that `tls.ports` splits by the virtual node listener port the
   * traffic goes on to (clients.ts); undefined otherwise.
   */
  upstreamPort?: number;
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
    if (!service) return unresolvedService(fallbackName);
    return this.destinationOf(service);
  }

  /** A virtual service read, as a reference to itself resolves (another object may hold its name). */
  resolveOwn(service: AppMeshVirtualService): ResolvedDestination {
    const found = this.index.services.findSelf(service);
    return found ? this.destinationOf(found) : unresolvedService(service.awsName);
  }

  private destinationOf(service: AppMeshVirtualService): ResolvedDestination {
    let result = this.memo.get(service);
    if (!result) {
      result = this.resolveService(service);
      this.memo.set(service, result);
    }
    return result;
  }

  private resolveService(service: AppMeshVirtualService): ResolvedDestination {
    const serviceName = service.awsName;
    const provider = service.provider;
    if (!provider) return { serviceName, service, resolved: false, unresolvedReason: `virtual service ${serviceName} has no provider`, ports: [] };
    if (provider.kind === 'VirtualNode') {
      const node = this.index.nodes.find(provider.ref, service.origin);
      if (!node) return { serviceName, service, resolved: false, unresolvedReason: `the virtual node providing ${serviceName} is not among the objects read`, ports: [] };
      // Sized up front: destinations stay alive for the whole build.
      const ports = new Array<DestinationPort>(node.listeners.length);
      for (let i = 0; i < node.listeners.length; i++) {
        const listener = node.listeners[i];
        // Two literals, not one nested in the other: a nested literal is copied by a slow runtime walk.
        const listeners = [listener];
        ports[i] = { port: listener.port, listeners };
      }
      return { serviceName, service, resolved: true, ports };
    }
    const router = this.index.routers.find(provider.ref, service.origin);
    if (!router) return { serviceName, service, resolved: false, unresolvedReason: `the virtual router providing ${serviceName} is not among the objects read`, ports: [] };
    return { serviceName, service, resolved: true, ports: this.routerPorts(router) };
  }

  private routerPorts(router: AppMeshVirtualRouter): DestinationPort[] {
    const routes = this.index.routesOf(router);
    const ports: Array<number | undefined> = router.listenerPorts.length > 0 ? router.listenerPorts : [undefined];
    const out: DestinationPort[] = [];
    for (let p = 0; p < ports.length; p++) {
      const port = ports[p];
      const reached: AppMeshListener[] = [];
      const seen = new Set<AppMeshListener>();
      for (let r = 0; r < routes.length; r++) {
        const route = routes[r];
        // A route with `match.port` serves only that router listener.
        if (route.matchPort !== undefined && port !== undefined && route.matchPort !== port) continue;
        for (let t = 0; t < route.targets.length; t++) {
          const target = route.targets[t];
          // `WeightedTarget.weight` is relative (0-100): a weight-0 target gets no traffic, and a
          // route whose targets all weigh 0 sends nothing, so neither reaches a listener.
          if (target.weight === 0) continue;
          const node = this.index.nodes.find(target.node, route.origin);
          if (!node) continue;
          for (let l = 0; l < node.listeners.length; l++) {
            const listener = node.listeners[l];
            // A target without a port reaches every listener of the node.
            if (target.port !== undefined && listener.port !== target.port) continue;
            if (seen.has(listener)) continue;
            seen.add(listener);
            reached.push(listener);
          }
        }
      }
      out.push({ port, listeners: reached });
    }
    return out;
  }
}

function unresolvedService(name: string): ResolvedDestination {
  return { serviceName: name, resolved: false, unresolvedReason: `virtual service ${name} is not among the objects read`, ports: [] };
}
