import { AgentConfigError, type AgentDeps, type AgentDepsFactory } from './agent-deps';
import type { Logger } from './log';

/**
 * Runs `body` with the agent's deps. When they cannot be built (a missing variable, rules that
 * do not load, a cluster CA that is not PEM), logs why and throws: an event function then
 * fails, and Pub/Sub keeps the message until the deployment is fixed.
 */
export async function withDeps<T>(deps: AgentDepsFactory, log: Logger, body: (agent: AgentDeps) => Promise<T>): Promise<T> {
  let agent: AgentDeps;
  try {
    agent = await deps();
  } catch (error) {
    logStartupFailure(log, error);
    throw error;
  }
  return body(agent);
}

/** One ERROR line naming the settings at fault: AgentConfigError's variables, or a live provider's `setting`. */
export function logStartupFailure(log: Logger, error: unknown): void {
  const setting = (error as { setting?: unknown }).setting;
  const variables = error instanceof AgentConfigError ? error.problems.map((p) => p.variable) : typeof setting === 'string' ? [setting] : undefined;
  log.error(`agent cannot start: ${(error as Error).message}`, { ...(variables ? { variables } : {}), error });
}
