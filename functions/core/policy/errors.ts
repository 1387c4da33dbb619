import type { ConfigProblem } from '../model/types';

/**
 * A check that runs after the merge and was not run, because a setting it reads is in a file
 * with problems and could not be read: its verdict could be wrong either way until that file is
 * fixed. Points at that setting (or the file's first problem when it does not parse).
 */
export interface SkippedCheck {
  file: string;
  line: number;
  field?: string;
  message: string;
}

/** A rules directory that cannot be used; carries every problem with its file, line and field. */
export class PolicyError extends Error {
  constructor(
    readonly problems: ConfigProblem[],
    /** Checks that were not run because of those problems (merged-checks.ts); they are not problems themselves. */
    readonly skipped: SkippedCheck[] = [],
  ) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'PolicyError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}${p.field ? `: ${p.field}` : ''}: ${p.message}`;
}

/** A skipped check, marked as a note so that no reader (a person, a CI log filter) counts it as a problem. */
export function formatSkippedCheck(s: SkippedCheck): string {
  return `note: ${s.file}:${s.line}${s.field ? `: ${s.field}` : ''}: ${s.message}`;
}
