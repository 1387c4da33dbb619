import type { ResourceRef } from '../model/types';
import type { Exclusion } from './schema';

const globCache = new Map<string, RegExp>();

/** `*` matches any run of characters, `?` one character; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    globCache.set(glob, re);
  }
  return re;
}

/** An exclusion matches when every field it gives matches the resource (a field the resource lacks never matches). */
export function isExcluded(resource: ResourceRef, exclusions: Exclusion[]): Exclusion | undefined {
  return exclusions.find(
    (e) =>
      matches(e.namespace, resource.namespace) &&
      matches(e.mesh, resource.mesh) &&
      matches(e.name, resource.name),
  );
}

function matches(glob: string | undefined, value: string | undefined): boolean {
  if (glob === undefined) return true;
  return value !== undefined && globToRegExp(glob).test(value);
}
