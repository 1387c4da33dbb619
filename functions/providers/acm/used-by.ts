import type { ResourceRef } from '../../core/model/types';

/** Who uses a certificate: the same resource twice (two documents, two passes) counts once. */
export function usedByKey(ref: ResourceRef): string {
  return [ref.kind, ref.mesh ?? '', ref.namespace ?? '', ref.name, ref.port ?? ''].join('\u0000');
}

export function mergeUsedBy(into: ResourceRef[], more: readonly ResourceRef[]): ResourceRef[] {
  const seen = new Set(into.map(usedByKey));
  for (const ref of more) {
    const key = usedByKey(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    into.push(ref);
  }
  return into;
}

/** "VirtualNode prod-mesh/payments-api port 8080, VirtualGateway prod-mesh/ingress-gw port 443" */
export function describeUsers(refs: readonly ResourceRef[]): string {
  return refs
    .map((r) => `${r.kind} ${[r.mesh, r.namespace].filter(Boolean).join('/')}${r.mesh || r.namespace ? '/' : ''}${r.name}${r.port !== undefined ? ` port ${r.port}` : ''}`)
    .join(', ');
}
