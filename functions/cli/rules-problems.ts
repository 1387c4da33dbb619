import { formatProblem, formatSkippedCheck, type SkippedCheck } from '../core/policy/errors';
import type { ConfigProblem } from '../core/model/types';
import type { CliIo } from './io';

/**
 * Every problem of a rules directory on standard error, then the checks those problems kept from
 * running (as notes, so that a person knows another round may follow), then the count of
 * problems; the status is 1.
 */
export function printRulesProblems(problems: readonly ConfigProblem[], target: string, io: CliIo, skipped: readonly SkippedCheck[] = []): 1 {
  for (const p of problems) io.stderr(`${formatProblem(p)}\n`);
  for (const s of skipped) io.stderr(`${formatSkippedCheck(s)}\n`);
  const notes = skipped.length > 0 ? `; ${skipped.length} check${skipped.length === 1 ? '' : 's'} skipped until ${skipped.length === 1 ? 'the file it names is' : 'the files they name are'} fixed` : '';
  io.stderr(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${target}${notes}\n`);
  return 1;
}
