import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ConfigProblem } from '../model/types';

/** One rules file as read from disk: its path, its name in the directory, its text. */
export interface RulesFileText {
  file: string;
  name: string;
  text: string;
}

/**
 * The YAML files of a rules directory in merge (name) order, or the file itself when `dir` is
 * one file. An unreadable directory is a problem on line 1 of it. Neither zod nor a YAML
 * parser is needed here, so the deployed functions can list their rules without them.
 */
export function readRulesFiles(dir: string): { files: RulesFileText[]; problems: ConfigProblem[] } {
  let names: string[];
  try {
    // Dotfiles are editors' (an Emacs lock `.#a.yaml`, a macOS `._a.yaml`), never rules.
    names = statSync(dir).isDirectory() ? readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.')).sort() : [];
  } catch (err) {
    return { files: [], problems: [{ file: dir, line: 1, message: `cannot read rules directory: ${(err as Error).message}` }] };
  }
  if (statSync(dir).isFile()) names = [''];
  const files: RulesFileText[] = [];
  const problems: ConfigProblem[] = [];
  for (const name of names) {
    const file = name ? path.join(dir, name) : dir;
    try {
      if (name && statSync(file).isDirectory()) continue;
      files.push({ file, name: name || path.basename(dir), text: readFileSync(file, 'utf8') });
    } catch (err) {
      // A dangling symlink or an unreadable file: a problem on it, not a stack trace.
      problems.push({ file, line: 1, message: `cannot read rules file: ${(err as Error).message}` });
    }
  }
  // An empty directory (or one of certificates) is almost surely the wrong --rules: it must not silently mean the defaults.
  if (files.length === 0 && problems.length === 0) return { files, problems: [{ file: dir, line: 1, message: `no rules files (*.yaml, *.yml) in ${dir}` }] };
  return { files, problems };
}
