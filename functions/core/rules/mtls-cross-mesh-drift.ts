import type { ServerEndpoint, ServerMode } from '../model/types';
import { logicalServiceKey } from './logical-service';
import { describeResource, makeFinding, type Rule, type RuleFinding } from './rule';

/** Weakest first: the posture a service guarantees is that of its weakest server. */
const WEAKNESS: ServerMode[] = ['DISABLED', 'PERMISSIVE', 'TLS_NO_CLIENT_AUTH', 'STRICT'];
const MESHES = ['istio', 'appmesh'] as const;

/** mtls-cross-mesh-drift: the same logical service has a different effective mTLS posture in App Mesh and in Istio. */
export const mtlsCrossMeshDrift: Rule = {
  id: 'mtls-cross-mesh-drift',
  evaluate({ model, settings }) {
    const byService = new Map<string, { istio: ServerEndpoint[]; appmesh: ServerEndpoint[] }>();
    for (const s of model.servers) {
      if (!s.inMesh || (s.provider !== 'istio' && s.provider !== 'appmesh')) continue;
      for (const key of new Set(s.hosts.map(logicalServiceKey))) {
        let entry = byService.get(key);
        if (!entry) byService.set(key, (entry = { istio: [], appmesh: [] }));
        entry[s.provider].push(s);
      }
    }
    const out: RuleFinding[] = [];
    for (const [service, sides] of byService) {
      if (sides.istio.length === 0 || sides.appmesh.length === 0) continue;
      const [istio, appmesh] = MESHES.map((m) => weakest(sides[m]));
      if (istio.mode === appmesh.mode) continue;
      const weaker = WEAKNESS.indexOf(istio.mode) < WEAKNESS.indexOf(appmesh.mode) ? istio : appmesh;
      const stronger = weaker === istio ? appmesh : istio;
      out.push({
        ...makeFinding(
          'mtls-cross-mesh-drift',
          settings.severity,
          weaker.provider,
          weaker.resource,
          `Service ${service} is ${stronger.mode} in ${label(stronger)} but ${weaker.mode} in ${label(weaker)} (${describeResource(weaker.resource)}); align both meshes on STRICT.`,
          {
            service,
            istio: { mode: istio.mode, resource: istio.resource },
            appmesh: { mode: appmesh.mode, resource: appmesh.resource },
          },
          service,
        ),
        fixSource: { serverId: weaker.id },
      });
    }
    return out;
  },
};

function weakest(servers: ServerEndpoint[]): ServerEndpoint {
  return servers.reduce((a, b) => (WEAKNESS.indexOf(b.mode) < WEAKNESS.indexOf(a.mode) ? b : a));
}

function label(s: ServerEndpoint): string {
  return s.provider === 'istio' ? 'Istio' : 'App Mesh';
}
