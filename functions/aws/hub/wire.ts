import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { resolveDryRun } from '../../core/pipeline/govern';
import { deployedPolicy } from '../deployed-policy';
import { acmCertificateSource } from '../../providers/acm';
import { buildAppMeshModel } from '../../providers/appmesh';
import { appMeshExecutor, appMeshSource, MeshSnapshotCache, scopeFromCloudTrail } from '../../providers/appmesh/live';
import { DynamoDbLedger } from '../../providers/ledger';
import type { RemediationExecutor } from '../../core/pipeline/ports';
import { agentExecutor } from '../../providers/agent/agent-executor';
import { slackNotifierFromEnv } from '../slack/wire-slack';
import type { HubDeps } from './hub-deps';
import { linkSecretLoader } from './link-secret';
import { hubSource } from './hub-source';

/** A required environment variable, or a clear error naming it (a deployment mistake, not an event's). */
export function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is not set (the CDK app sets it; see CONTRACT.md "Runtime configuration")`);
  return v;
}

export function listEnv(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * The hub's real dependencies, from the function's environment. Built once per container:
 * the SDK clients, the mesh snapshot cache and the policy are reused across invocations.
 * Every AWS client honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>.
 */
export async function wireHubDeps(env: NodeJS.ProcessEnv = process.env): Promise<HubDeps> {
  const policy = deployedPolicy(env);
  const region = env.AWS_REGION;
  const meshes = listEnv(env, 'MESHGOV_MESHES');
  const cache = new MeshSnapshotCache();
  const requestsPerSecond = env.MESHGOV_APPMESH_RPS ? Number(env.MESHGOV_APPMESH_RPS) : undefined;
  const appmesh = appMeshSource({ region, cache, ...(requestsPerSecond ? { requestsPerSecond } : {}), ...(meshes.length ? { meshes } : policy.sources.appmesh?.meshes ? { meshes: policy.sources.appmesh.meshes } : {}) });
  const executor = appMeshExecutor({ region, cache, ...(env.MESHGOV_ACCOUNT_ID ? { accountId: env.MESHGOV_ACCOUNT_ID } : {}) });
  const ledger = new DynamoDbLedger(new DynamoDBClient({ region }), requiredEnv(env, 'MESHGOV_LEDGER_TABLE'));
  const executors: RemediationExecutor[] = [executor];
  // Istio changes run on the GCP agent, which holds the cluster credentials.
  if (env.MESHGOV_AGENT_URL) executors.push(agentExecutor({ url: env.MESHGOV_AGENT_URL, secret: linkSecretLoader(env) }));
  const notifier = env.MESHGOV_SLACK_SECRET_ARN ? await optionalNotifier(env) : undefined;
  return {
    source: hubSource(appmesh, acmCertificateSource({ region })),
    builders: [buildAppMeshModel],
    policy,
    ledger,
    ...(notifier ? { notifier } : {}),
    executors,
    clock: () => new Date(),
    dryRun: resolveDryRun(env.MESHGOV_DRY_RUN, policy),
    newId: (prefix) => `${prefix}-${randomBytes(6).toString('hex')}`,
    remediatorRoleArns: listEnv(env, 'MESHGOV_REMEDIATOR_ROLE_ARNS'),
    meshes,
    // Events for a mesh another account owns are ignored (classify-event.ts).
    ...(env.MESHGOV_ACCOUNT_ID ? { accountId: env.MESHGOV_ACCOUNT_ID } : {}),
    // Events from another region are ignored (classify-event.ts): the reader only sees this one.
    ...(region ? { region } : {}),
    scopeFromCloudTrail,
    log: (level, message, fields) => console[level === 'info' ? 'log' : level](JSON.stringify({ level: level.toUpperCase(), message, ...fields })),
  };
}

/**
 * Slack is optional for auditing: before the Slack app is installed (or while its secret is
 * wrong) findings are still recorded, and their notifications stay owed until it works.
 */
async function optionalNotifier(env: NodeJS.ProcessEnv) {
  try {
    return await slackNotifierFromEnv(env);
  } catch (err) {
    console.warn(JSON.stringify({ level: 'WARN', message: 'Slack is not usable; notifications stay owed in the ledger', error: String(err) }));
    return undefined;
  }
}
