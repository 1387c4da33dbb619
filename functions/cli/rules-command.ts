import { parseArgs } from 'node:util';
import { checkPolicyDir, defaultRulesDir } from '../core/policy/load';
import type { CliIo } from './io';
import { RULES_LIST_OPTIONS, rulesListCommand } from './rules-list';
import { printRulesProblems } from './rules-problems';
import { RULES_USAGE, UsageError } from './usage';

const SUBCOMMANDS = 'meshgov rules validate [DIR] or meshgov rules list [DIR] [--format table|json]';

/**
 * `meshgov rules validate [DIR]`: every schema problem with its file, line and field, and the
 * problems only the merged files show (of every file that can be read, also beside a broken one);
 * `meshgov rules list`: rules-list.ts.
 */
export function rulesCommand(argv: string[], io: CliIo): number {
  // Only `list` takes --format: find the subcommand without judging options (its VALUE is no subcommand), so `validate` still refuses them.
  const [first] = parseArgs({ args: argv, allowPositionals: true, strict: false, options: RULES_LIST_OPTIONS }).positionals;
  if (first === 'list') return rulesListCommand(argv, io);
  // strict: an unknown flag is a usage error, not a directory named `--bogus`.
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout(RULES_USAGE);
    return 0;
  }
  const [sub, dir, ...rest] = positionals;
  if (sub === undefined) throw new UsageError(`rules needs a subcommand: ${SUBCOMMANDS}`);
  if (sub !== 'validate') throw new UsageError(`unknown rules subcommand "${sub}": use ${SUBCOMMANDS}`);
  if (rest.length > 0) throw new UsageError('usage: meshgov rules validate [DIR]');
  if (dir === '') throw new UsageError('rules validate needs a rules directory (got "")');
  const target = dir ?? defaultRulesDir();
  const { problems, skipped } = checkPolicyDir(target);
  if (problems.length === 0) {
    io.stdout(`${target}: rules are valid\n`);
    return 0;
  }
  return printRulesProblems(problems, target, io, skipped);
}
