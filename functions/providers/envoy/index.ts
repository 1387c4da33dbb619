import type { ModelBuilder } from '../../core/model/provider';
import { emptyModel, type ClientPolicy, type ConfigProblem, type ServerEndpoint, type SourceRef } from '../../core/model/types';
import { readCluster } from './clusters';
import { readListener } from './listeners';
import { listField, readField } from './proto-fields';
import { staticSecretsOf } from './static-secrets';

export { effectiveDownstreamMode, ENVOY_SOURCES, type DownstreamModeDecision } from './downstream-mode';
export type { EnvoyListenerEndpoint } from './listeners';

/**
 * The Envoy provider: every listener of a bootstrap's `static_resources` becomes a server
 * endpoint (its mode decided as Envoy's TLS validators decide it), every cluster a client
 * policy. Snake_case YAML and lowerCamelCase proto JSON are both read.
 *
 * @example
 *   const model = buildEnvoyModel(inventory, { now: new Date() });
 *   model.servers.filter((s) => s.mode !== 'STRICT');
 */
export const buildEnvoyModel: ModelBuilder = (inventory, _context) => {
  const model = emptyModel();
  for (const { doc, source, entryLines } of inventory.envoy) {
    const staticResources = readField(doc, 'static_resources');
    if (!staticResources) continue;
    const base = staticResources.key;
    // Envoy refuses a bootstrap whose lists are not lists; read as empty, its listeners would pass unaudited.
    const misshapen = misshapenFields(staticResources, source);
    if (misshapen.length > 0) {
      model.problems.push(...misshapen);
      continue;
    }
    const secrets = staticSecretsOf(staticResources.value);

    const listenersKey = readField(staticResources.value, 'listeners')?.key ?? 'listeners';
    listField(staticResources.value, 'listeners').forEach((listener, i) => {
      model.resourceCount++;
      const { server, problems } = readListener({ listener, path: `${base}.${listenersKey}[${i}]`, source: entrySource(source, entryLines?.listeners, i), secrets });
      if (server) model.servers.push(server);
      model.problems.push(...problems);
    });

    const clustersKey = readField(staticResources.value, 'clusters')?.key ?? 'clusters';
    listField(staticResources.value, 'clusters').forEach((cluster, i) => {
      model.resourceCount++;
      const { client, problems } = readCluster({ cluster, path: `${base}.${clustersKey}[${i}]`, source: entrySource(source, entryLines?.clusters, i), secrets });
      if (client) model.clients.push(client);
      model.problems.push(...problems);
    });
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

/**
 * `static_resources` that is not a message, as Envoy's proto parser would refuse it. A single
 * listener or cluster in place of the list is accepted (see listField), and a scalar there
 * fails only as an element, where the listener or cluster reader reports it.
 */
function misshapenFields(staticResources: { key: string; value: unknown }, source: SourceRef): ConfigProblem[] {
  const problem = (field: string, expected: string, value: unknown): ConfigProblem => ({
    file: source.file,
    line: source.line,
    field,
    message: `must be ${expected}, not ${describeValue(value)}: Envoy refuses the bootstrap, and nothing in it was audited`,
    provider: 'envoy',
  });
  if (typeof staticResources.value !== 'object' || Array.isArray(staticResources.value)) return [problem(staticResources.key, 'a mapping (StaticResources)', staticResources.value)];
  return [];
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Where a listener or cluster is written: its own line when the collector found it, else the bootstrap's. */
function entrySource(source: SourceRef, lines: readonly number[] | undefined, index: number): SourceRef {
  const line = lines?.[index];
  return line === undefined ? source : { file: source.file, line };
}
