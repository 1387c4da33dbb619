import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { withLineFeeds } from '../line-breaks';
import type { ConfigProblem } from '../model/types';
import { POLICY_SNAPSHOT_FILE } from './snapshot';

/** A rules file that exists but could not be read (a dangling link, no permission): it may hold any setting. */
export interface UnreadableRulesFile {
  file: string;
  name: string;
}

/** One rules file as read from disk: its path, its name in the directory, its text. */
export interface RulesFileText {
  file: string;
  name: string;
  text: string;
}

const RULES_FILE = /\.ya?ml$/i;

/**
 * JSON files a rules directory holds that are not rules: the schema for editors (rules/schema.json)
 * and the validated snapshot a deployed function reads (snapshot.ts).
 */
const NOT_RULES_JSON = new Set(['schema.json', POLICY_SNAPSHOT_FILE]);

/**
 * The YAML files of a rules directory in merge (name) order, or the file itself when `dir` is
 * one file. An unreadable directory is a problem on line 1 of it. Neither zod nor a YAML
 * parser is needed here, so the deployed functions can list their rules without them.
 *
 * Only the directory's own `*.yaml` and `*.yml` files are read, as the deployed snapshot ships
 * them (by name, flat). What a user may have meant as rules but is not read is a problem, never
 * skipped in silence: a subdirectory holding YAML files (`teams/payments.yaml`), and a `.json`
 * file (JSON is YAML, but a rules file is named *.yaml). Editors' dotfiles, documentation and
 * empty directories are no rules and are skipped.
 */
export function readRulesFiles(dir: string): { files: RulesFileText[]; problems: ConfigProblem[]; unreadable?: UnreadableRulesFile[] } {
  let names: string[];
  try {
    // Dotfiles are editors' (an Emacs lock `.#a.yaml`, a macOS `._a.yaml`), never rules.
    names = statSync(dir).isDirectory() ? readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : [];
  } catch (err) {
    return { files: [], problems: [{ file: dir, line: 1, message: `cannot read rules directory: ${(err as Error).message}` }] };
  }
  if (statSync(dir).isFile()) names = [''];
  const files: RulesFileText[] = [];
  const problems: ConfigProblem[] = [];
  const unreadable: UnreadableRulesFile[] = [];
  for (const name of names) {
    const file = name ? path.join(dir, name) : dir;
    if (name && !RULES_FILE.test(name)) {
      const skipped = notReadProblem(dir, name);
      if (skipped) problems.push(skipped);
      continue;
    }
    try {
      if (name && statSync(file).isDirectory()) {
        const skipped = notReadProblem(dir, name);
        if (skipped) problems.push(skipped);
        continue;
      }
      // CR-only line ends read as lines, as inputs do: the YAML parsers would take the file for one line.
      files.push({ file, name: name || path.basename(dir), text: withLineFeeds(readFileSync(file, 'utf8')) });
    } catch (err) {
      // A dangling symlink or an unreadable file: a problem on it, not a stack trace.
      problems.push({ file, line: 1, message: `cannot read rules file: ${(err as Error).message}` });
      unreadable.push({ file, name: name || path.basename(dir) });
    }
  }
  // An empty directory (or one of certificates) is almost surely the wrong --rules: it must not silently mean the defaults.
  if (files.length === 0 && problems.length === 0) return { files, problems: [{ file: dir, line: 1, message: `no rules files (*.yaml, *.yml) in ${dir}` }] };
  return unreadable.length > 0 ? { files, problems, unreadable } : { files, problems };
}

/** An entry of `dir` that is not read, when a user may have meant it as rules. */
function notReadProblem(dir: string, name: string): ConfigProblem | undefined {
  if (NOT_RULES_JSON.has(name)) return undefined; // without a stat: a deployed function lists its rules on every cold start
  const entry = path.join(dir, name);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(entry).isDirectory();
  } catch {
    return undefined; // a dangling link that is not named as a rules file: nothing meant as rules
  }
  if (isDirectory) {
    let held: string[];
    try {
      held = readdirSync(entry).filter((n) => RULES_FILE.test(n) && !n.startsWith('.'));
    } catch {
      held = [];
    }
    if (held.length === 0) return undefined;
    return { file: `${entry}${path.sep}`, line: 1, message: `subdirectories are not read (here: ${held.sort().join(', ')}); put rules files in ${dir} itself` };
  }
  if (/\.json$/i.test(name)) {
    return { file: entry, line: 1, message: `only *.yaml and *.yml files are read: rename it ${name.replace(/\.json$/i, '.yaml')} if it holds rules, or move it out of ${dir}` };
  }
  return undefined;
}
