import type { ConfigProblem } from '../model/types';

/** A rules directory that cannot be used; carries every problem with its file, line and field. */
export class PolicyError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'PolicyError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}${p.field ? `: ${p.field}` : ''}: ${p.message}`;
}
