/**
 * Envoy's admin `/config_dump` (envoy/admin/v3/config_dump.proto): what a running proxy holds,
 * static and from xDS. `istioctl proxy-config all -o json` and App Mesh's Envoy admin port give
 * it; auditing it shows the proxy's effective TLS, and the certificates SDS delivered to it.
 *
 * Only the active state is read: warming and draining listeners, and warming clusters, are
 * what the proto itself says to discard when recreating a configuration from a dump.
 */
import { isRecord } from '../../core/is-record';
import type { PathSegment } from '../files/field-path';
import { listField, lowerCamel, readField, stringField } from './proto-fields';

/** The `@type` prefix of the v3 admin messages in `configs`. */
const ADMIN_V3 = 'type.googleapis.com/envoy.admin.v3.';
/** The v2 admin package: Envoy dropped the v2 API in 1.18. */
const ADMIN_V2 = 'type.googleapis.com/envoy.admin.v2alpha.';

/** What a config dump's list holds. */
export type DumpEntryKind = 'listener' | 'cluster' | 'staticSecret' | 'dynamicSecret';

/** One list of a config dump whose entries each wrap a resource. */
export interface DumpList {
  kind: DumpEntryKind;
  /** The list, from the top of the dump: `['configs', 3, 'dynamic_listeners']`. */
  listPath: PathSegment[];
  /** Where, inside each entry, the resource is: `['active_state', 'listener']`. */
  member: string[];
  /** True for what xDS delivered, false for what the bootstrap held. */
  dynamic: boolean;
  entries: unknown[];
  /**
   * When the entries are some of the elements of the list (a `?resource=` dump, whose `configs`
   * hold one entry each), each one's index in it; else entry i is element i.
   */
  indices?: number[];
  /** How many elements the list at `listPath` has. */
  size: number;
}

interface ListShape {
  member: string[];
  kind: DumpEntryKind;
  dynamic: boolean;
}

const STATIC_LISTENER: ListShape = { member: ['listener'], kind: 'listener', dynamic: false };
const DYNAMIC_LISTENER: ListShape = { member: ['active_state', 'listener'], kind: 'listener', dynamic: true };
const STATIC_CLUSTER: ListShape = { member: ['cluster'], kind: 'cluster', dynamic: false };
const DYNAMIC_CLUSTER: ListShape = { member: ['cluster'], kind: 'cluster', dynamic: true };
const STATIC_SECRET: ListShape = { member: ['secret'], kind: 'staticSecret', dynamic: false };
const DYNAMIC_SECRET: ListShape = { member: ['secret'], kind: 'dynamicSecret', dynamic: true };

/** The SecretsConfigDump lists read: `istioctl proxy-config secret -o json` prints this message alone. */
const SECRET_LISTS: Array<ListShape & { key: string }> = [
  { key: 'static_secrets', ...STATIC_SECRET },
  { key: 'dynamic_active_secrets', ...DYNAMIC_SECRET },
];

/** Which lists of which admin message hold resources, in the order a dump gives them. */
const LISTS: Record<string, Array<ListShape & { key: string }>> = {
  ListenersConfigDump: [
    { key: 'static_listeners', ...STATIC_LISTENER },
    { key: 'dynamic_listeners', ...DYNAMIC_LISTENER },
  ],
  ClustersConfigDump: [
    { key: 'static_clusters', ...STATIC_CLUSTER },
    { key: 'dynamic_active_clusters', ...DYNAMIC_CLUSTER },
  ],
  SecretsConfigDump: SECRET_LISTS,
};

/**
 * `/config_dump?resource=…` puts each entry in `configs` on its own, typed by its nested message
 * (`ListenersConfigDump.DynamicListener`). Warming clusters and secrets share the type of active
 * ones there, so `?resource=dynamic_warming_clusters` reads as active: the proto gives no way to tell.
 */
const ENTRY_TYPES: Record<string, ListShape> = {
  'ListenersConfigDump.StaticListener': STATIC_LISTENER,
  'ListenersConfigDump.DynamicListener': DYNAMIC_LISTENER,
  'ClustersConfigDump.StaticCluster': STATIC_CLUSTER,
  'ClustersConfigDump.DynamicCluster': DYNAMIC_CLUSTER,
  'SecretsConfigDump.StaticSecret': STATIC_SECRET,
  'SecretsConfigDump.DynamicSecret': DYNAMIC_SECRET,
};

/** True for the body of an Envoy v3 `/config_dump`, or of a SecretsConfigDump alone. */
export function isEnvoyConfigDump(body: unknown): boolean {
  return adminVersion(body) === 'v3';
}

/** `v2` for a dump of the removed v2 admin API, which meshgov does not read; `v3`; else undefined. */
export function adminVersion(body: unknown): 'v2' | 'v3' | undefined {
  if (!isRecord(body)) return undefined;
  if (isBareSecretsDump(body)) return 'v3';
  if (body.configs === undefined) return undefined;
  // Envoy 1.7 and before wrote `configs` as a map by name.
  const configs = Array.isArray(body.configs) ? body.configs : isRecord(body.configs) ? Object.values(body.configs) : undefined;
  let version: 'v2' | 'v3' | undefined;
  for (const config of configs ?? []) {
    const type = typeOf(config);
    if (type?.startsWith(ADMIN_V3) && Array.isArray(body.configs)) return 'v3';
    if (type?.startsWith(ADMIN_V2)) version = 'v2';
  }
  return version;
}

/**
 * The lists of a v3 dump that hold listeners, clusters and secrets, in the dump's order. The
 * bootstrap's own `static_resources` are left out: the listener, cluster and secret managers
 * report them again as their static entries.
 */
export function configDumpLists(body: unknown): DumpList[] {
  const out: DumpList[] = [];
  if (!isRecord(body)) return out;
  if (isBareSecretsDump(body)) {
    for (const list of SECRET_LISTS) {
      const read = readField(body, list.key);
      if (read && Array.isArray(read.value)) out.push({ ...shapeOf(list), listPath: [read.key], entries: read.value, size: read.value.length });
    }
    return out;
  }
  if (!Array.isArray(body.configs)) return out;
  const single = new Map<ListShape, DumpList>();
  body.configs.forEach((config, i) => {
    const type = typeOf(config);
    if (!type?.startsWith(ADMIN_V3)) return;
    const name = type.slice(ADMIN_V3.length);
    for (const list of LISTS[name] ?? []) {
      const read = readField(config, list.key);
      if (!read) continue;
      const entries = listField(config, list.key);
      out.push({ ...shapeOf(list), listPath: ['configs', i, read.key], entries, size: entries.length });
    }
    const shape = ENTRY_TYPES[name];
    if (!shape) return;
    let list = single.get(shape);
    if (!list) single.set(shape, (list = { ...shape, listPath: ['configs'], entries: [], indices: [], size: (body.configs as unknown[]).length }));
    list.entries.push(config);
    list.indices!.push(i);
  });
  return [...out, ...single.values()];
}

function shapeOf({ member, kind, dynamic }: ListShape): ListShape {
  return { member, kind, dynamic };
}

/**
 * A SecretsConfigDump on its own, as `istioctl proxy-config secret -o json` prints it (in
 * lowerCamelCase): only its lists, each entry holding a `secret` typed as a TLS Secret.
 */
function isBareSecretsDump(body: Record<string, unknown>): boolean {
  // Asked of every document read: properties first, the keys listed only for a likely one.
  const lists = [body.static_secrets, body.staticSecrets, body.dynamic_active_secrets, body.dynamicActiveSecrets, body.dynamic_warming_secrets, body.dynamicWarmingSecrets];
  if (lists.every((list) => list === undefined)) return false;
  let secrets = 0;
  for (const key of Object.keys(body)) {
    const list = SECRET_LISTS.find((l) => l.key === key || lowerCamel(l.key) === key) ?? (key === 'dynamic_warming_secrets' || key === 'dynamicWarmingSecrets' ? SECRET_LISTS[1] : undefined);
    if (!list || !Array.isArray(body[key])) return false;
    for (const entry of body[key] as unknown[]) {
      if (!stringField(readField(entry, 'secret')?.value, '@type')?.endsWith('.tls.v3.Secret')) return false;
      secrets++;
    }
  }
  return secrets > 0;
}

/** The resource an entry wraps, and its path inside the entry; undefined when the entry holds none (a listener only warming). */
export function dumpEntryResource(entry: unknown, member: readonly string[]): { value: unknown; path: string[] } | undefined {
  let value = entry;
  const path: string[] = [];
  for (const name of member) {
    const read = readField(value, name);
    if (!read) return undefined;
    value = read.value;
    path.push(read.key);
  }
  return { value, path };
}

/** The bootstrap a dump's BootstrapConfigDump holds: the proxy's node identity is there. */
export function configDumpBootstrap(body: unknown): unknown {
  if (!isRecord(body) || !Array.isArray(body.configs)) return undefined;
  const config = body.configs.find((c) => typeOf(c) === `${ADMIN_V3}BootstrapConfigDump`);
  return readField(config, 'bootstrap')?.value;
}

function typeOf(config: unknown): string | undefined {
  return stringField(config, '@type');
}
