import type { ModelBuilder } from '../../core/model/provider';
import { emptyModel, type ClientPolicy, type ServerEndpoint } from '../../core/model/types';
import { readCluster } from './clusters';
import { readListener, trafficDirection } from './listeners';
import { envoyResourcesOf } from './resources';

export { effectiveDownstreamMode, ENVOY_SOURCES, type DownstreamModeDecision } from './downstream-mode';
export type { EnvoyListenerEndpoint } from './listeners';

/**
 * The Envoy provider: every listener of a bootstrap's `static_resources`, or of an admin
 * `/config_dump`, becomes a server endpoint (its mode decided as Envoy's TLS validators decide
 * it), every cluster a client policy. Snake_case YAML and lowerCamelCase proto JSON are both read.
 *
 * @example
 *   const model = buildEnvoyModel(inventory, { now: new Date() });
 *   model.servers.filter((s) => s.mode !== 'STRICT');
 */
export const buildEnvoyModel: ModelBuilder = (inventory, _context) => {
  const model = emptyModel();
  for (const input of inventory.envoy) {
    const resources = envoyResourcesOf(input);
    model.problems.push(...resources.problems);
    const secrets = resources.secretsByName;
    for (const { value: listener, path, source, manualReason } of resources.listeners) {
      model.resourceCount++;
      const sidecar = resources.istioProxy?.workload;
      const inbound = trafficDirection(listener) === 'INBOUND';
      const { servers, problems } = readListener({
        listener,
        path,
        source,
        secrets,
        deadClusters: resources.deadClusters,
        ...(manualReason ? { manualReason } : {}),
        ...(resources.istioProxy && !resources.istioProxy.guessed && inbound ? { istioInbound: true } : {}),
        ...(sidecar && inbound ? { istioSidecar: sidecar } : {}),
      });
      model.servers.push(...servers);
      model.problems.push(...problems);
    }
    for (const { value: cluster, path, source, manualReason } of resources.clusters) {
      model.resourceCount++;
      const { client, problems } = readCluster({ cluster, path, source, secrets, ...(manualReason ? { manualReason } : {}) });
      if (client) model.clients.push(client);
      model.problems.push(...problems);
    }
  }
  distinguishSameNamesInOtherFiles(model.servers, inventory.fileIdentity);
  distinguishSameNamesInOtherFiles(model.clients, inventory.fileIdentity);
  return model;
};

/**
 * Two bootstraps are two proxies, and both commonly name their listeners alike (`ingress_http`).
 * Finding ids hash the name, not the file, and the engine keeps one finding per id: a listener
 * or cluster whose name an earlier file already used gets its file in its finding key, so each
 * proxy's finding is reported. The first keeps the plain id, as a single bootstrap always has.
 */
function distinguishSameNamesInOtherFiles(entries: (ServerEndpoint | ClientPolicy)[], fileIdentity: ((file: string) => string) | undefined): void {
  const firstFile = new Map<string, string>();
  const identity = fileIdentity ?? ((file: string) => file);
  for (const entry of entries) {
    const { kind, name, port, file } = entry.resource;
    if (file === undefined) continue;
    const key = `${kind}\u0000${name}\u0000${port ?? ''}`;
    const first = firstFile.get(key);
    if (first === undefined) firstFile.set(key, file);
    else if (first !== file && identity(first) !== identity(file)) entry.findingKey = `${entry.findingKey ?? ''}@${identity(file)}`;
  }
}
