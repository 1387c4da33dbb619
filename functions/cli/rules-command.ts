import { parseArgs } from 'node:util';
import { defaultRulesDir, validatePolicyDir } from '../core/policy/load';
import { formatProblem } from '../core/policy/errors';
import type { CliIo } from './io';
import { RULES_USAGE, UsageError } from './usage';

/** `meshgov rules validate [DIR]`: every schema problem with its file, line and field. */
export function rulesCommand(argv: string[], io: CliIo): number {
  // strict: an unknown flag is a usage error, not a directory named `--bogus`.
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout(RULES_USAGE);
    return 0;
  }
  const [sub, dir, ...rest] = positionals;
  if (sub !== 'validate' || rest.length > 0) throw new UsageError('usage: meshgov rules validate [DIR]');
  if (dir === '') throw new UsageError('rules validate needs a rules directory (got "")');
  const target = dir ?? defaultRulesDir();
  const problems = validatePolicyDir(target);
  if (problems.length === 0) {
    io.stdout(`${target}: rules are valid\n`);
    return 0;
  }
  for (const p of problems) io.stderr(`${formatProblem(p)}\n`);
  io.stderr(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${target}\n`);
  return 1;
}
