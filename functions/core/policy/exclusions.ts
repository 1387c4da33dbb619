import type { ResourceRef } from '../model/types';
import { globToRegExp } from './glob';
import type { Exclusion } from './schema';

/** An exclusion matches when every field it gives matches the resource (a field the resource lacks never matches). */
export function isExcluded(resource: ResourceRef, exclusions: Exclusion[]): Exclusion | undefined {
  return exclusions.find(
    (e) =>
      matches(e.namespace, resource.namespace) &&
      matches(e.mesh, resource.mesh) &&
      matches(e.name, resource.name) &&
      (e.port === undefined || e.port === resource.port),
  );
}

function matches(glob: string | undefined, value: string | undefined): boolean {
  if (glob === undefined) return true;
  return value !== undefined && globToRegExp(glob).test(value);
}
