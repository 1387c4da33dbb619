import type { ServerEndpoint, ServerMode } from '../model/types';
import { logicalServiceKey } from './logical-service';
import { causeDetail } from './mtls-not-strict';
import { describeResource, makeFinding, withLabels, type Rule, type RuleFinding } from './rule';

/** Weakest first: the posture a service guarantees is that of its weakest server. */
const WEAKNESS: ServerMode[] = ['DISABLED', 'PERMISSIVE', 'TLS_NO_CLIENT_AUTH', 'STRICT'];

/** mtls-cross-mesh-drift: the same logical service has a different effective mTLS posture in App Mesh and in Istio. */
export const mtlsCrossMeshDrift: Rule = {
  id: 'mtls-cross-mesh-drift',
  evaluate({ model, settings }) {
    const byService = new Map<string, { istio: ServerEndpoint[]; appmesh: ServerEndpoint[] }>();
    // Indexed loops and forEach: cold for…of allocates an iterator result (and a Map entry) per step.
    const servers = model.servers;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i]!;
      if (!s.inMesh || (s.provider !== 'istio' && s.provider !== 'appmesh')) continue;
      const hosts = s.hosts;
      for (let h = 0; h < hosts.length; h++) {
        const key = logicalServiceKey(hosts[h]!);
        if (keyOfEarlierHost(hosts, h, key)) continue;
        let entry = byService.get(key);
        if (!entry) byService.set(key, (entry = { istio: [], appmesh: [] }));
        entry[s.provider].push(s);
      }
    }
    const out: RuleFinding[] = [];
    byService.forEach((sides, service) => {
      if (sides.istio.length === 0 || sides.appmesh.length === 0) return;
      const istio = weakest(sides.istio);
      const appmesh = weakest(sides.appmesh);
      if (istio.mode === appmesh.mode) return;
      const weaker = WEAKNESS.indexOf(istio.mode) < WEAKNESS.indexOf(appmesh.mode) ? istio : appmesh;
      const stronger = weaker === istio ? appmesh : istio;
      out.push({
        ...makeFinding(
          'mtls-cross-mesh-drift',
          settings.severity,
          weaker.provider,
          weaker.resource,
          `Service ${service} is ${stronger.mode} in ${label(stronger)} but ${weaker.mode} in ${label(weaker)} (${describeResource(weaker.resource)}); align both meshes on STRICT.`,
          withLabels(
            {
              service,
              // Copies with their causes: the audit moves each side's line to what sets its mode (locate-findings.ts).
              istio: { mode: istio.mode, resource: { ...istio.resource }, cause: causeDetail(istio.cause) },
              appmesh: { mode: appmesh.mode, resource: { ...appmesh.resource }, cause: causeDetail(appmesh.cause) },
              // What sets the weaker side's mode, where the finding points (locate-findings.ts).
              cause: causeDetail(weaker.cause),
            },
            weaker.labels,
          ),
          service,
        ),
        fixSource: { serverId: weaker.id },
      });
    });
    return out;
  },
};

/** Whether a host before `index` has the same logical service: a server answers for each once. */
function keyOfEarlierHost(hosts: string[], index: number, key: string): boolean {
  for (let j = 0; j < index; j++) if (logicalServiceKey(hosts[j]!) === key) return true;
  return false;
}

function weakest(servers: ServerEndpoint[]): ServerEndpoint {
  return servers.reduce((a, b) => (WEAKNESS.indexOf(b.mode) < WEAKNESS.indexOf(a.mode) ? b : a));
}

function label(s: ServerEndpoint): string {
  return s.provider === 'istio' ? 'Istio' : 'App Mesh';
}
