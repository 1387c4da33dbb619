import { quoteValue } from '../../core/truncate';

/** A path into a parsed document: mapping keys and sequence indexes. */
export type FieldPath = ReadonlyArray<string | number>;

export interface Difference {
  path: FieldPath;
  /** The two values as JSON, when both are scalars or one is absent: `"STRICT"`, `absent`. */
  values?: { first: string; later: string };
}

/** Deeper than any object meshgov reads; past it two values count as different, never as a crash. */
const MAX_DEPTH = 256;

/**
 * The first place, in the first copy's key order, where two parsed documents differ; undefined
 * when they are the same. A null and a missing key say the same thing to the API server; an
 * empty map does not always (an empty label selector selects everything), so it stays a value.
 * `oneSided` paths count only when both copies have them.
 *
 * Subtrees found equal are remembered by identity, so YAML aliases that expand one node many
 * times are compared once per pair of nodes, not once per expansion.
 */
export function firstDifference(a: unknown, b: unknown, oneSided: readonly FieldPath[] = []): Difference | undefined {
  const equal = new WeakMap<object, WeakSet<object>>();
  const skip = new Set(oneSided.map((p) => p.join('\0')));
  const walk = (x: unknown, y: unknown, path: Array<string | number>): Difference | undefined => {
    if (Object.is(x, y)) return undefined;
    if (path.length > MAX_DEPTH) return { path: [...path] };
    if (isObject(x) && isObject(y)) {
      if (equal.get(x)?.has(y)) return undefined;
      const inner = Array.isArray(x) && Array.isArray(y) ? walkArrays(x, y, path) : !Array.isArray(x) && !Array.isArray(y) ? walkMaps(x, y, path) : { path: [...path] };
      if (inner) return inner;
      let seen = equal.get(x);
      if (!seen) equal.set(x, (seen = new WeakSet()));
      seen.add(y);
      return undefined;
    }
    return unequal(x, y, path);
  };
  const walkArrays = (x: unknown[], y: unknown[], path: Array<string | number>): Difference | undefined => {
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      path.push(i);
      const d = i < x.length && i < y.length ? walk(x[i], y[i], path) : unequal(x[i], y[i], path);
      path.pop();
      if (d) return d;
    }
    return undefined;
  };
  const walkMaps = (x: Record<string, unknown>, y: Record<string, unknown>, path: Array<string | number>): Difference | undefined => {
    for (const key of [...Object.keys(x), ...Object.keys(y).filter((k) => !Object.hasOwn(x, k))]) {
      const left = x[key] ?? undefined;
      const right = y[key] ?? undefined;
      path.push(key);
      const oneSidedHere = (left === undefined || right === undefined) && skip.has(path.join('\0'));
      const d = oneSidedHere ? undefined : walk(left, right, path);
      path.pop();
      if (d) return d;
    }
    return undefined;
  };
  return walk(a, b, []);
}

function unequal(x: unknown, y: unknown, path: ReadonlyArray<string | number>): Difference {
  return { path: [...path], ...(isScalarOrAbsent(x) && isScalarOrAbsent(y) ? { values: { first: shown(x), later: shown(y) } } : {}) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function isScalarOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || typeof value !== 'object';
}

/** Enough of a value to know it by: a renewed certificate's value is kilobytes of base64. */
const SHOWN_MAX = 80;

function shown(value: unknown): string {
  return value === undefined || value === null ? 'absent' : quoteValue(value, SHOWN_MAX);
}
