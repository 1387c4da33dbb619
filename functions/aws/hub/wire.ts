import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { resolveDryRun } from '../../core/pipeline/govern';
import { deployedPolicy } from '../deployed-policy';
import { acmCertificateSource } from '../../providers/acm';
import { buildAppMeshModel } from '../../providers/appmesh';
import { appMeshExecutor, appMeshSource, MeshSnapshotCache, scopeFromCloudTrail } from '../../providers/appmesh/live';
import { DynamoDbLedger } from '../../providers/ledger';
import type { RemediationExecutor } from '../../core/pipeline/ports';
import type { Policy } from '../../core/policy/types';
import { agentExecutor } from '../../providers/agent/agent-executor';
import { SlackEnvError } from '../slack/slack-env';
import { SlackSecretError } from '../slack/slack-secret';
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
  const meshes = governedMeshes(env, policy);
  const cache = new MeshSnapshotCache();
  const requestsPerSecond = env.MESHGOV_APPMESH_RPS ? Number(env.MESHGOV_APPMESH_RPS) : undefined;
  const appmesh = appMeshSource({ region, cache, ...(requestsPerSecond ? { requestsPerSecond } : {}), ...(meshes.length ? { meshes } : {}) });
  const executor = appMeshExecutor({ region, cache, ...(env.MESHGOV_ACCOUNT_ID ? { accountId: env.MESHGOV_ACCOUNT_ID } : {}) });
  const ledger = new DynamoDbLedger(new DynamoDBClient({ region }), requiredEnv(env, 'MESHGOV_LEDGER_TABLE'));
  const executors: RemediationExecutor[] = [executor];
  // Istio changes run on the GCP agent, which holds the cluster credentials.
  if (env.MESHGOV_AGENT_URL) executors.push(agentExecutor({ url: env.MESHGOV_AGENT_URL, secret: linkSecretLoader(env) }));
  const notifier = env.MESHGOV_SLACK_SECRET_ARN ? await slackNotifierIfInstalled(env) : undefined;
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
    // The same list the reader reads: an event of another mesh is ignored, not audited now and
    // resolved by the next scheduled audit.
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
 * The meshes the deployment governs: MESHGOV_MESHES, else the rules' `sources.appmesh.meshes`,
 * else none named (all). The reader and the event classification both take this one list.
 */
export function governedMeshes(env: NodeJS.ProcessEnv, policy: Policy): string[] {
  const named = listEnv(env, 'MESHGOV_MESHES');
  return named.length ? named : [...(policy.sources.appmesh?.meshes ?? [])];
}

/**
 * The Slack notifier when MESHGOV_SLACK_SECRET_ARN is set. A failed read of the secret (Secrets
 * Manager unreachable, throttled, refused) fails the build, so the record fails and is retried
 * and the next invocation builds again: a container built without Slack would stay silent for
 * its life, and a change announced nowhere gets no Undo. Only a secret that holds no Slack app
 * yet (the stack fills it with a random value until the app is installed, README "Slack")
 * leaves the hub auditing without Slack, its notifications owed in the ledger.
 */
async function slackNotifierIfInstalled(env: NodeJS.ProcessEnv) {
  try {
    return await slackNotifierFromEnv(env);
  } catch (err) {
    if (err instanceof SlackEnvError) throw err;
    if (!(err instanceof SlackSecretError)) throw new Error(`MESHGOV_SLACK_SECRET_ARN: the Slack secret could not be read (${String(err)}); the event is retried`, { cause: err });
    console.warn(JSON.stringify({ level: 'WARN', message: 'the Slack secret holds no Slack app yet; notifications stay owed in the ledger', field: err.field, error: err.message }));
    return undefined;
  }
}
