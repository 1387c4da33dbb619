/**
 * The environment of the Slack functions (CONTRACT.md "Runtime configuration", plus the names
 * this feature adds: MESHGOV_SLACK_TEAM_ID, MESHGOV_SLACK_APP_ID, MESHGOV_APPROVAL_QUEUE_URL and
 * the optional MESHGOV_GKE_CLUSTER).
 */
export interface SlackEnv {
  /** MESHGOV_SLACK_SECRET_ARN: JSON {token, signingSecret}. */
  secretArn: string;
  /** MESHGOV_SLACK_TEAM_ID: the workspace id (T…) the app is installed in. */
  teamId: string;
  /** MESHGOV_SLACK_APP_ID: the app id (A…), as Slack sends it in `api_app_id`. */
  appId: string;
  /** MESHGOV_LEDGER_TABLE. */
  ledgerTable: string;
  /** MESHGOV_APPROVAL_QUEUE_URL: the SQS queue the approval worker reads. */
  queueUrl: string;
  /** MESHGOV_SLACK_API_URL. */
  apiUrl?: string;
  /** AWS_REGION, for App Mesh console links. */
  region?: string;
  /** MESHGOV_GKE_CLUSTER `projects/<p>/locations/<l>/clusters/<c>`, for Cloud Console links of Istio findings. */
  gke?: { project: string; location: string; cluster: string };
}

export interface EnvProblem {
  variable: string;
  message: string;
}

export class SlackEnvError extends Error {
  constructor(readonly problems: EnvProblem[]) {
    super(`meshgov Slack functions are not configured: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
    this.name = 'SlackEnvError';
  }
}

const REQUIRED = {
  secretArn: ['MESHGOV_SLACK_SECRET_ARN', /^arn:aws[\w-]*:secretsmanager:/, 'a Secrets Manager secret ARN'],
  teamId: ['MESHGOV_SLACK_TEAM_ID', /^[TE][A-Z0-9]{2,}$/, 'a Slack workspace id such as T04MG8VQ2KX'],
  appId: ['MESHGOV_SLACK_APP_ID', /^A[A-Z0-9]{2,}$/, 'a Slack app id such as A07MGVQ3N5R'],
  ledgerTable: ['MESHGOV_LEDGER_TABLE', /^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name'],
  queueUrl: ['MESHGOV_APPROVAL_QUEUE_URL', /^https?:\/\//, 'an SQS queue URL'],
} as const;

/** Reads the variables `needs` names; every problem is reported at once, naming its variable. */
export function readSlackEnv(env: NodeJS.ProcessEnv, needs: Array<keyof typeof REQUIRED>): SlackEnv {
  const problems: EnvProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const key of needs) {
    const [variable, pattern, what] = REQUIRED[key];
    const value = env[variable]?.trim();
    if (!value) problems.push({ variable, message: 'not set' });
    else if (!pattern.test(value)) problems.push({ variable, message: `expected ${what}` });
    else out[key] = value;
  }
  const gke = env.MESHGOV_GKE_CLUSTER?.trim();
  if (gke) {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)\/clusters\/([^/]+)$/.exec(gke);
    if (!m) problems.push({ variable: 'MESHGOV_GKE_CLUSTER', message: 'expected projects/<project>/locations/<location>/clusters/<cluster>' });
    else out.gke = { project: m[1], location: m[2], cluster: m[3] };
  }
  if (problems.length > 0) throw new SlackEnvError(problems);
  if (env.MESHGOV_SLACK_API_URL) out.apiUrl = env.MESHGOV_SLACK_API_URL;
  if (env.AWS_REGION) out.region = env.AWS_REGION;
  return out as unknown as SlackEnv;
}
