import { statSync } from 'node:fs';
import * as path from 'node:path';
import { gitWorkTreeRoot } from '../providers/files/file-identity';

/**
 * The directory code scanning reads report paths from: the git work tree that holds every audited
 * path (a CI step may run from outside its checkout, `meshgov audit $GITHUB_WORKSPACE/deploy`),
 * else the working directory's work tree, else the working directory.
 */
export function repositoryRoot(paths: readonly string[], cwd = process.cwd()): string {
  const known = new Map<string, string | null>();
  const roots = new Set<string | null>();
  for (const p of paths) {
    if (p === '/dev/stdin') continue;
    const absolute = path.resolve(cwd, p);
    roots.add(gitWorkTreeRoot(isDirectory(absolute) ? absolute : path.dirname(absolute), known));
  }
  const [only] = roots;
  if (roots.size === 1 && only) return only;
  return gitWorkTreeRoot(cwd, known) ?? cwd;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
