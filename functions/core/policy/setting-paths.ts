/**
 * Paths of settings in a rules file (`['rules', 'mtls-not-strict', 'severity']`,
 * `['slos', 0, 'autoRollbackOwnChanges']`), as the schema's issues and the after-merge checks
 * name them.
 */
import { isRecord } from '../is-record';

export type SettingPath = ReadonlyArray<string | number>;

/** Sections whose keys the merge replaces one by one (load.ts resolvePolicy). */
const KEYED_SECTIONS = new Set(['ownership', 'remediation', 'sources']);

/**
 * The setting the merge replaces as a whole that holds `path` (load.ts resolvePolicy,
 * read-policy-file.ts mergedSettings): a rule's setting, a key of ownership, remediation or
 * sources, the whole slos list. A path above that depth (`['rules']`) is returned as it is.
 */
export function mergeUnitOf(path: SettingPath): SettingPath {
  const [section] = path;
  if (section === 'rules') return path.slice(0, 3);
  if (typeof section === 'string' && KEYED_SECTIONS.has(section)) return path.slice(0, 2);
  return path.slice(0, 1);
}

/** Whether `path` is `prefix` or lies under it. */
export function startsWith(path: SettingPath, prefix: SettingPath): boolean {
  return prefix.length <= path.length && prefix.every((step, i) => String(step) === String(path[i]));
}

/** Whether one of the two paths holds the other: what is unknown at one makes the other unknown. */
export function overlaps(a: SettingPath, b: SettingPath): boolean {
  return startsWith(a, b) || startsWith(b, a);
}

/** The value at `path` in parsed YAML data; undefined where the path does not exist. */
export function valueAt(data: unknown, path: SettingPath): unknown {
  let value = data;
  for (const step of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}

/**
 * A copy of `data` without the mapping key at `path`; `data` itself is left as it is. Only keys
 * are removed: merge units (mergeUnitOf) end at a key, never inside a list.
 */
export function withoutKey(data: unknown, path: SettingPath): unknown {
  if (path.length === 0 || !isRecord(data)) return data;
  const [step, ...rest] = path;
  const key = String(step);
  if (!Object.hasOwn(data, key)) return data;
  const copy: Record<string, unknown> = { ...data };
  if (rest.length > 0) copy[key] = withoutKey(copy[key], rest);
  else delete copy[key];
  return copy;
}
