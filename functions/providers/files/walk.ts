import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Folders that never hold fleet configuration and can be huge. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.terraform', 'cdk.out']);

export interface WalkResult {
  files: string[];
  /** Paths given on the command line that do not exist or cannot be read. */
  missing: Array<{ path: string; message: string }>;
}

/**
 * Expands files and directories (recursively) into a sorted list of files. Sorting keeps
 * reports identical across runs and machines.
 */
export async function walkPaths(paths: string[]): Promise<WalkResult> {
  const files: string[] = [];
  const missing: WalkResult['missing'] = [];
  for (const p of paths) {
    let stat;
    try {
      stat = await fs.stat(p);
    } catch (err) {
      missing.push({ path: p, message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err) });
      continue;
    }
    if (stat.isDirectory()) {
      await walkDir(p, files);
    } else if (stat.isFile()) {
      files.push(p);
    }
  }
  return { files, missing };
}

async function walkDir(dir: string, out: string[]): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (SKIPPED_DIRS.has(e.name) || e.name.startsWith('.')) continue;
      await walkDir(full, out);
    } else if (e.isFile()) {
      if (e.name.startsWith('.')) continue;
      out.push(full);
    }
  }
}
