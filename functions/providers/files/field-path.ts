/**
 * The field paths problems name (`spec.listeners[0].tls.mode`, `data["cert-chain.pem"]`), as
 * steps that the YAML and JSON walkers follow through a file's text.
 */

/** A path step: a mapping key, or a sequence index. */
export type PathSegment = string | number;

/**
 * `spec.listeners[0].tls.mode` → ['spec', 'listeners', 0, 'tls', 'mode'];
 * `data["cert-chain.pem"]` → ['data', 'cert-chain.pem']. Undefined for a path it cannot read.
 */
export function parseFieldPath(field: string): PathSegment[] | undefined {
  const out: PathSegment[] = [];
  const part = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/y;
  let at = 0;
  while (at < field.length) {
    if (field[at] === '.' && out.length > 0) at++;
    part.lastIndex = at;
    const m = part.exec(field);
    if (!m) return undefined;
    out.push(m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? (JSON.parse(`"${m[2]}"`) as string) : m[3]!);
    at = part.lastIndex;
  }
  return out.length > 0 ? out : undefined;
}

/**
 * The inverse of parseFieldPath: ['spec', 'mtls', 'mode'] → `spec.mtls.mode`; a key that is not
 * a plain name is quoted, ['metadata', 'labels', 'istio-injection'] → `metadata.labels["istio-injection"]`.
 */
export function formatFieldPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(step)) out += out ? `.${step}` : step;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

/** `.app` for a plain key, `["app.kubernetes.io/name"]` for one with dots or slashes (parseFieldPath reads both). */
export function fieldStep(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * How many segments from path[s] spell `name` (`app.kubernetes.io/name` takes three, since a
 * dotted path cannot tell a dot in a key from a step), or 0.
 */
export function keySegments(name: string, path: readonly PathSegment[], s: number): number {
  let joined = '';
  for (let n = s; n < path.length; n++) {
    joined = n === s ? String(path[n]) : `${joined}.${String(path[n])}`;
    if (joined === name) return n - s + 1;
    if (!name.startsWith(joined)) return 0;
  }
  return 0;
}
