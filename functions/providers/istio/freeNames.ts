/**
 * `base`, else the first of `base-2`, `base-3`, … that `taken` does not hold. An object created
 * under a name its namespace already uses is refused (409 AlreadyExists), and every later audit
 * would plan the same refused create again, so the fixes that create objects name them here.
 */
export function firstFreeName(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}
