import { defaultRulesDir, validatePolicyDir } from '../core/policy/load';
import { formatProblem } from '../core/policy/errors';
import type { CliIo } from './io';
import { UsageError } from './usage';

/** `meshgov rules validate [DIR]`: every schema problem with its file, line and field. */
export function rulesCommand(argv: string[], io: CliIo): number {
  const [sub, dir, ...rest] = argv;
  if (sub !== 'validate' || rest.length > 0) throw new UsageError('usage: meshgov rules validate [DIR]');
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
