/**
 * The GCP agent's Cloud Functions, as deployed (`gcloud functions deploy --source dist/gcp
 * --entry-point <name>`) and run locally (`npx functions-framework --source dist/gcp --target <name>`):
 * istioConfigChanged, istioScheduledAudit, istioAlertFired and executeRemediation over the live Istio reader and
 * writer, configured from the environment (CONTRACT.md, "Runtime configuration").
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { agentDepsFromEnv } from './agent-deps';
import { liveIstioPorts } from './live-istio-ports';
import { registerAgentFunctions } from './register';

// CONTRACT.md: MESHGOV_RULES defaults to "a path bundled with the function". The build copies
// rules/ next to the bundle; from the source tree the repository's rules/ applies (policy/load.ts).
const bundledRules = path.join(__dirname, 'rules');
if (!process.env.MESHGOV_RULES && existsSync(bundledRules)) process.env.MESHGOV_RULES = bundledRules;

registerAgentFunctions(agentDepsFromEnv(process.env, liveIstioPorts));

export { AGENT_FUNCTIONS } from './register';
