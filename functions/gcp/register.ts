import * as functions from '@google-cloud/functions-framework';
import type { AgentDepsFactory } from './agent-deps';
import { executeRemediation } from './execute-remediation';
import { istioAlertFired } from './istio-alert-fired';
import { istioConfigChanged } from './istio-config-changed';
import { istioScheduledAudit } from './istio-scheduled-audit';
import { jsonLogger, type Logger } from './log';

/** The agent's functions, by the name `gcloud functions deploy --entry-point` and `--target` use. */
export const AGENT_FUNCTIONS = ['istioConfigChanged', 'istioScheduledAudit', 'istioAlertFired', 'executeRemediation'] as const;

/**
 * Declares every agent function with functions-framework, over the given deps: index.ts passes
 * the live ones, tests pass emulator-backed ones.
 */
export function registerAgentFunctions(deps: AgentDepsFactory, log: Logger = jsonLogger()): void {
  functions.cloudEvent('istioConfigChanged', istioConfigChanged(deps, log));
  functions.cloudEvent('istioScheduledAudit', istioScheduledAudit(deps, log));
  functions.cloudEvent('istioAlertFired', istioAlertFired(deps, log));
  functions.http('executeRemediation', executeRemediation(deps, log));
}
