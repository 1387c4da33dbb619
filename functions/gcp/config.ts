import type { AgentIdentity } from '../core/link';

/**
 * The agent's configuration, from the environment the deploy script sets (CONTRACT.md,
 * "Runtime configuration of the functions"). Reading it never throws: every problem names its
 * variable, so the log says exactly what to fix.
 */

export interface HubRetry {
  /** Attempts in total, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time, with jitter, up to 30 s. */
  backoffMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

export interface AgentConfig {
  /** MESHGOV_HUB_URL: the hub's findings endpoint. */
  hubUrl: URL;
  /** MESHGOV_LINK_SECRET, then MESHGOV_LINK_SECRET_PREVIOUS during a rotation: reports are signed with the first, requests verified against both. */
  linkSecrets: string[];
  /** MESHGOV_GCP_PROJECT, MESHGOV_GKE_CLUSTER, MESHGOV_GKE_LOCATION. */
  identity: AgentIdentity;
  /** MESHGOV_AGENT_SA (comma-separated): principals whose changes are meshgov's own and must not start an audit. */
  ownPrincipals: string[];
  /**
   * MESHGOV_ISTIO_ROOT_NAMESPACE: a change there is mesh-wide, so it gets a full audit. Also the
   * control-plane namespace, whose MeshConfig and CA Secrets the reader reads (deploy-agent.sh
   * `--istio-namespace` sets both, and grants the CA Secrets there only). Default istio-system.
   */
  rootNamespace: string;
  /** MESHGOV_DRY_RUN as given; resolved against the rules' default by resolveDryRun. */
  dryRun: string | undefined;
  hubRetry: HubRetry;
}

export interface EnvProblem {
  variable: string;
  message: string;
}

export type ConfigResult = { ok: true; config: AgentConfig } | { ok: false; problems: EnvProblem[] };

// Short shared secrets make HMAC guessable offline from one captured request.
const MIN_SECRET_LENGTH = 32;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function readAgentConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const problems: EnvProblem[] = [];
  const required = (variable: string): string => {
    const value = env[variable];
    if (value === undefined || value.trim() === '') {
      problems.push({ variable, message: `${variable} is not set` });
      return '';
    }
    return value;
  };

  const hubUrl = parseHubUrl(required('MESHGOV_HUB_URL'), problems);
  const secret = required('MESHGOV_LINK_SECRET');
  if (secret !== '' && secret.length < MIN_SECRET_LENGTH) {
    problems.push({ variable: 'MESHGOV_LINK_SECRET', message: `MESHGOV_LINK_SECRET is ${secret.length} characters; use at least ${MIN_SECRET_LENGTH} random characters` });
  }
  const previous = env.MESHGOV_LINK_SECRET_PREVIOUS ?? '';
  if (previous !== '' && previous.length < MIN_SECRET_LENGTH) {
    problems.push({ variable: 'MESHGOV_LINK_SECRET_PREVIOUS', message: `MESHGOV_LINK_SECRET_PREVIOUS is ${previous.length} characters; use at least ${MIN_SECRET_LENGTH}` });
  }
  const project = env.MESHGOV_GCP_PROJECT || env.GOOGLE_CLOUD_PROJECT || '';
  if (project === '') problems.push({ variable: 'MESHGOV_GCP_PROJECT', message: 'MESHGOV_GCP_PROJECT is not set' });
  const cluster = required('MESHGOV_GKE_CLUSTER');
  const location = env.MESHGOV_GKE_LOCATION?.trim();

  const hubRetry: HubRetry = {
    attempts: positiveInteger(env, 'MESHGOV_HUB_ATTEMPTS', 4, problems),
    backoffMs: positiveInteger(env, 'MESHGOV_HUB_BACKOFF_MS', 1000, problems),
    timeoutMs: positiveInteger(env, 'MESHGOV_HUB_TIMEOUT_MS', 10_000, problems),
  };

  if (problems.length > 0 || hubUrl === undefined) return { ok: false, problems };
  return {
    ok: true,
    config: {
      hubUrl,
      linkSecrets: previous === '' ? [secret] : [secret, previous],
      identity: { project, cluster, ...(location ? { location } : {}) },
      ownPrincipals: (env.MESHGOV_AGENT_SA ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
      rootNamespace: env.MESHGOV_ISTIO_ROOT_NAMESPACE?.trim() || 'istio-system',
      dryRun: env.MESHGOV_DRY_RUN,
      hubRetry,
    },
  };
}

/** The hub URL must be https: the link signs requests but does not encrypt them. Plain http is allowed on loopback only (tests, local runs). */
function parseHubUrl(value: string, problems: EnvProblem[]): URL | undefined {
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push({ variable: 'MESHGOV_HUB_URL', message: `MESHGOV_HUB_URL is not a URL: ${JSON.stringify(value)}` });
    return undefined;
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return url;
  problems.push({ variable: 'MESHGOV_HUB_URL', message: `MESHGOV_HUB_URL must be an https URL (http only on loopback), got ${url.protocol}//${url.host}` });
  return undefined;
}

function positiveInteger(env: NodeJS.ProcessEnv, variable: string, fallback: number, problems: EnvProblem[]): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value > 0) return value;
  problems.push({ variable, message: `${variable} must be a positive integer, got ${JSON.stringify(raw)}` });
  return fallback;
}
