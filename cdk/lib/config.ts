import type { Node } from 'constructs';

/** The deployment's settings, read from `cdk.json` context (or `-c key=value`) and validated. */
export interface MeshGovConfig {
  /**
   * The App Mesh meshes the hub governs (MESHGOV_MESHES): it reads only these, ignores events
   * about others, and may update only these. Empty: it audits every mesh in its region (or the
   * rules' sources.appmesh.meshes) and is granted no App Mesh write, so a fix that runs fails
   * with AccessDenied.
   */
  meshes: string[];
  regions: string[];
  dryRun: boolean;
  slackChannel?: string;
  /** The GCP agent's executeRemediation URL, when Istio remediations are dispatched. */
  agentUrl?: string;
  /** The scheduled full audit, as an EventBridge schedule expression. */
  schedule: string;
  /** The scheduled read of every App Mesh SLO (a safety net under the alarms), as an EventBridge schedule expression. */
  sloSchedule: string;
  /** Subscribed by email to the operational alarm topic the stack creates. */
  alarmEmail?: string;
  /** An existing SNS topic for operational alarms, used instead of creating one. */
  alarmTopicArn?: string;
  /** The Slack workspace (T…) and app (A…) whose signed clicks the Slack actions function accepts. */
  slackTeamId?: string;
  slackAppId?: string;
}

export class ConfigError extends Error {
  constructor(key: string, message: string) {
    super(`cdk.json context "${key}": ${message}`);
    this.name = 'ConfigError';
  }
}

const MESH_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export function readConfig(node: Node): MeshGovConfig {
  const meshes = list(node, 'meshgov:meshes');
  for (const m of meshes) if (!MESH_NAME.test(m)) throw new ConfigError('meshgov:meshes', `"${m}" is not an App Mesh mesh name`);
  const regions = list(node, 'meshgov:regions');
  if (regions.length === 0) throw new ConfigError('meshgov:regions', 'name at least one region, e.g. ["us-west-2"]');
  for (const r of regions) if (!REGION.test(r)) throw new ConfigError('meshgov:regions', `"${r}" is not an AWS region`);
  const dryRun = bool(node, 'meshgov:dryRun', true);
  const slackChannel = optionalString(node, 'meshgov:slackChannel');
  if (slackChannel !== undefined && !/^[#CG][A-Za-z0-9_.-]+$/.test(slackChannel)) {
    throw new ConfigError('meshgov:slackChannel', `"${slackChannel}" is not a channel (#name or an id such as C0123ABCD)`);
  }
  const agentUrl = optionalString(node, 'meshgov:agentUrl');
  if (agentUrl !== undefined && !/^https:\/\/[^\s/]+/.test(agentUrl)) throw new ConfigError('meshgov:agentUrl', `"${agentUrl}" is not an https URL`);
  const schedule = readSchedule(node, 'meshgov:schedule', 'cron(0 6 * * ? *)');
  const sloSchedule = readSchedule(node, 'meshgov:sloSchedule', 'rate(1 hour)');
  return { meshes, regions, dryRun, schedule, sloSchedule, ...(slackChannel ? { slackChannel } : {}), ...(agentUrl ? { agentUrl } : {}), ...readAlarmTarget(node), ...readSlackApp(node) };
}

/**
 * An EventBridge schedule expression, checked against EventBridge's rules so a mistake stops
 * `cdk synth` instead of failing PutRule mid-deploy ("Parameter ScheduleExpression is not valid").
 */
function readSchedule(node: Node, key: string, fallback: string): string {
  const expression = optionalString(node, key) ?? fallback;
  if (!/^(cron|rate)\(.+\)$/.test(expression)) throw new ConfigError(key, `"${expression}" is not a schedule expression such as ${fallback}`);
  const problem = scheduleProblem(expression);
  if (problem) throw new ConfigError(key, `"${expression}" is not a valid EventBridge schedule expression: ${problem}`);
  return expression;
}

/** What EventBridge would refuse in a rate() or cron() expression (its "cron and rate expressions" rules), or undefined. */
export function scheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    const m = /^(\d+) (minute|hour|day)(s?)$/.exec(rate[1]!);
    if (!m) return 'rate(value unit) takes a whole number and a unit of minute, hour or day';
    const value = Number(m[1]);
    if (value < 1) return 'the rate value must be a positive whole number';
    // rate(1 hours) and rate(5 hour) are both refused.
    if (value === 1 && m[3]) return `a rate of 1 takes the singular unit: rate(1 ${m[2]})`;
    if (value > 1 && !m[3]) return `a rate above 1 takes the plural unit: rate(${value} ${m[2]}s)`;
    return undefined;
  }
  const fields = /^cron\((.*)\)$/.exec(expression)![1]!.trim().split(/\s+/);
  if (fields.length !== 6) return `cron takes six fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`;
  if (fields.some((f) => !/^[0-9A-Za-z,*\/?#-]+$/.test(f))) return 'a field holds a character cron does not allow';
  const [, , dayOfMonth, , dayOfWeek] = fields;
  // Exactly one of the two day fields is "?": EventBridge refuses a value or * in both, and "?" in both.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) return 'exactly one of day-of-month and day-of-week must be "?", e.g. cron(0 6 * * ? *)';
  return undefined;
}

/** The workspace and app ids the Slack actions function checks every click against (functions/aws/slack/slack-env.ts). */
function readSlackApp(node: Node): Pick<MeshGovConfig, 'slackTeamId' | 'slackAppId'> {
  const slackTeamId = optionalString(node, 'meshgov:slackTeamId');
  if (slackTeamId !== undefined && !/^[TE][A-Z0-9]{2,}$/.test(slackTeamId)) throw new ConfigError('meshgov:slackTeamId', `"${slackTeamId}" is not a Slack workspace id such as T04MG8VQ2KX`);
  const slackAppId = optionalString(node, 'meshgov:slackAppId');
  if (slackAppId !== undefined && !/^A[A-Z0-9]{2,}$/.test(slackAppId)) throw new ConfigError('meshgov:slackAppId', `"${slackAppId}" is not a Slack app id such as A07MGVQ3N5R`);
  return { ...(slackTeamId ? { slackTeamId } : {}), ...(slackAppId ? { slackAppId } : {}) };
}

/** Where operational alarms go: a topic the stack creates (optionally with an email subscriber), or an existing one. */
function readAlarmTarget(node: Node): Pick<MeshGovConfig, 'alarmEmail' | 'alarmTopicArn'> {
  const alarmEmail = optionalString(node, 'meshgov:alarmEmail');
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) throw new ConfigError('meshgov:alarmEmail', `"${alarmEmail}" is not an email address`);
  const alarmTopicArn = optionalString(node, 'meshgov:alarmTopicArn');
  if (alarmTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(alarmTopicArn)) {
    throw new ConfigError('meshgov:alarmTopicArn', `"${alarmTopicArn}" is not an SNS topic ARN`);
  }
  // An existing topic has its own subscribers: subscribing an address to it is its owner's call.
  if (alarmEmail && alarmTopicArn) throw new ConfigError('meshgov:alarmEmail', 'give it or meshgov:alarmTopicArn, not both (subscribe the address to your own topic)');
  return { ...(alarmEmail ? { alarmEmail } : {}), ...(alarmTopicArn ? { alarmTopicArn } : {}) };
}

function raw(node: Node, key: string): unknown {
  const v = node.tryGetContext(key);
  // `-c key=value` passes strings; JSON in them is allowed for lists and booleans.
  if (typeof v === 'string' && /^[[{]|^(true|false)$/.test(v.trim())) {
    try {
      return JSON.parse(v);
    } catch {
      throw new ConfigError(key, `not valid JSON: ${v}`);
    }
  }
  return v;
}

function list(node: Node, key: string): string[] {
  const v = raw(node, key);
  if (v === undefined) return [];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(key, 'must be a list of strings');
  return v as string[];
}

function bool(node: Node, key: string, fallback: boolean): boolean {
  const v = raw(node, key);
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ConfigError(key, 'must be true or false');
  return v;
}

function optionalString(node: Node, key: string): string | undefined {
  const v = raw(node, key);
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new ConfigError(key, 'must be a string');
  return v;
}
