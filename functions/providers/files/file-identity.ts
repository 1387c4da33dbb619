import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * A file's name as finding ids use it: its path inside the git work tree that holds it (the
 * nearest directory with a `.git`), else its path from the working directory. The same file then
 * gives the same ids however its path was written (`examples/x.pem`, `./examples/x.pem`, an
 * absolute path), from any directory of the checkout, and in every CI clone of the repository.
 * Asked only for files that have a problem or hold certificates, so the lookups stay few; each
 * directory's answer is kept.
 */
export function fileIdentityResolver(cwd = process.cwd()): (file: string) => string {
  const rootOfDir = new Map<string, string | null>();
  const rootOf = (dir: string): string | null => gitWorkTreeRoot(dir, rootOfDir);
  return (file) => {
    const absolute = resolve(cwd, file);
    const path = relative(rootOf(dirname(absolute)) ?? cwd, absolute);
    return sep === '/' ? path : path.split(sep).join('/');
  };
}

/**
 * The git work tree that holds `dir`: the nearest directory, `dir` or above, with a `.git`
 * (a directory, or the file a worktree or submodule has). Null outside any. `known` keeps
 * each directory's answer for callers that ask many times.
 */
export function gitWorkTreeRoot(dir: string, known = new Map<string, string | null>()): string | null {
  const cached = known.get(dir);
  if (cached !== undefined) return cached;
  const parent = dirname(dir);
  const root = existsSync(join(dir, '.git')) ? dir : parent === dir ? null : gitWorkTreeRoot(parent, known);
  known.set(dir, root);
  return root;
}
