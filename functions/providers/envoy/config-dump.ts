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
import { listField, readField, stringField } from './proto-fields';

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
}

/** Which lists of which admin message hold resources, in the order a dump gives them. */
const LISTS: Record<string, Array<{ key: string; member: string[]; kind: DumpEntryKind; dynamic: boolean }>> = {
  ListenersConfigDump: [
    { key: 'static_listeners', member: ['listener'], kind: 'listener', dynamic: false },
    { key: 'dynamic_listeners', member: ['active_state', 'listener'], kind: 'listener', dynamic: true },
  ],
  ClustersConfigDump: [
    { key: 'static_clusters', member: ['cluster'], kind: 'cluster', dynamic: false },
    { key: 'dynamic_active_clusters', member: ['cluster'], kind: 'cluster', dynamic: true },
  ],
  SecretsConfigDump: [
    { key: 'static_secrets', member: ['secret'], kind: 'staticSecret', dynamic: false },
    { key: 'dynamic_active_secrets', member: ['secret'], kind: 'dynamicSecret', dynamic: true },
  ],
};

/** True for the body of an Envoy v3 `/config_dump`. */
export function isEnvoyConfigDump(body: unknown): boolean {
  return adminVersion(body) === 'v3';
}

/** `v2` for a dump of the removed v2 admin API, which meshgov does not read; `v3`; else undefined. */
export function adminVersion(body: unknown): 'v2' | 'v3' | undefined {
  if (!isRecord(body) || !Array.isArray(body.configs)) return undefined;
  let version: 'v2' | 'v3' | undefined;
  for (const config of body.configs) {
    const type = typeOf(config);
    if (type?.startsWith(ADMIN_V3)) return 'v3';
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
  if (!isRecord(body) || !Array.isArray(body.configs)) return out;
  body.configs.forEach((config, i) => {
    const type = typeOf(config);
    const lists = type?.startsWith(ADMIN_V3) ? LISTS[type.slice(ADMIN_V3.length)] : undefined;
    for (const list of lists ?? []) {
      const read = readField(config, list.key);
      if (!read) continue;
      out.push({ kind: list.kind, listPath: ['configs', i, read.key], member: list.member, dynamic: list.dynamic, entries: listField(config, list.key) });
    }
  });
  return out;
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
