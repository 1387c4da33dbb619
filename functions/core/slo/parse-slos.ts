import { resolveSlo, type SloDefinition } from './definition';
import { slosSchema } from './schema';

/** A list of SLOs that did not come through the policy loader (tests, scripts): validated and resolved, or a thrown error naming each field. */
export function parseSlos(value: unknown): SloDefinition[] {
  const parsed = slosSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `slos${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`);
    throw new SloDefinitionError(lines);
  }
  return parsed.data.map(resolveSlo);
}

export class SloDefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SloDefinitionError';
  }
}
