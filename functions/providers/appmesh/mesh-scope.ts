/**
 * Meshes of one name in different regions or accounts. A mesh belongs to one region and one
 * owner account (describe-* is scoped by `--mesh-name` and `--mesh-owner` in a region), so two
 * `prod` meshes read together are two meshes, whose objects never refer to each other. Only when
 * the API objects read really hold one mesh name under several (region, owner) pairs does each
 * object get a scope, `<region>:<owner>` from its ARN and `meshOwner` (the coordinates
 * files/repeated-objects.ts tells copies apart by): ids, lookups and trust pools then keep the
 * meshes apart, while the usual single mesh per name keeps its ids as they were.
 */
import { isLooseRecord as isObject } from '../../core/is-record';
import type { AppMeshApiObject, Located } from '../../core/model/inventory';

/** The scope of an API object's `data`, undefined when its mesh name is not shared or it gives no ARN. */
export type ScopeOf = (data: Record<string, any>) => string | undefined;

/** `<region>:<owner>` of an API object, when its ARN gives both (the owner: `meshOwner`, else the ARN's account). */
function coordinatesOf(data: Record<string, any>): string | undefined {
  const meta = isObject(data.metadata) ? data.metadata : undefined;
  const arn = typeof meta?.arn === 'string' ? meta.arn.split(':') : [];
  const region = arn[3];
  const owner = typeof meta?.meshOwner === 'string' && meta.meshOwner !== '' ? meta.meshOwner : arn[4];
  return region && owner ? `${region}:${owner}` : undefined;
}

/** The scopes of the API objects read: none at all unless some mesh name has several coordinates. */
export function meshScopes(docs: readonly Located<AppMeshApiObject>[]): ScopeOf {
  const seen = new Map<string, string>();
  const shared = new Set<string>();
  for (let i = 0; i < docs.length; i++) {
    const data = docs[i].doc.data;
    if (!isObject(data) || typeof data.meshName !== 'string') continue;
    const at = coordinatesOf(data);
    if (at === undefined) continue;
    const first = seen.get(data.meshName);
    if (first === undefined) seen.set(data.meshName, at);
    else if (first !== at) shared.add(data.meshName);
  }
  if (shared.size === 0) return () => undefined;
  return (data) => (shared.has(data.meshName) ? coordinatesOf(data) : undefined);
}

/** The key that finds objects of one mesh: its App Mesh name, with the scope when it has one. */
export function meshKey(awsMesh: string, scope: string | undefined): string {
  return scope === undefined ? awsMesh : `${awsMesh}\u0000${scope}`;
}
