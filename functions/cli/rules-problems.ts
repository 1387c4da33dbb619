import { formatProblem } from '../core/policy/errors';
import type { ConfigProblem } from '../core/model/types';
import type { CliIo } from './io';

/** Every problem of a rules directory on standard error, then their count; the status is 1. */
export function printRulesProblems(problems: readonly ConfigProblem[], target: string, io: CliIo): 1 {
  for (const p of problems) io.stderr(`${formatProblem(p)}\n`);
  io.stderr(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${target}\n`);
  return 1;
}
