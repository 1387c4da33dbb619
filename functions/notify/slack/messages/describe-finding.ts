import type { Finding, Remediation } from '../../../core/findings';
import type { FindingRecord } from '../../../core/ledger/types';
import type { Severity } from '../../../core/model/types';
import type { Trigger } from '../../../core/pipeline/trigger';
import { isUndoAction } from '../../../core/remediation/undo-action';
import { code, formatTime, prose } from './escape';
import { fitLines } from './fit-lines';

/** Caps on single names and values, so that a few of them always fit a 3000-character section. */
const NAME_MAX = 300;
const VALUE_MAX = 200;
/** At most this many listener and backend effects are named in a change summary. */
const EFFECTS_MAX = 8;

/** Severity as a person reads it in a header, with a colour cue. */
export const SEVERITY_BADGE: Record<Severity, string> = {
  critical: ':red_circle: Critical',
  high: ':large_orange_circle: High',
  medium: ':large_yellow_circle: Medium',
  low: ':large_blue_circle: Low',
  info: ':white_circle: Info',
};

/** `VirtualNode `payments-api` in mesh `prod-mesh`, port 8080` (mrkdwn, escaped). */
export function describeResource(finding: Finding): string {
  const r = finding.resource;
  const name = r.namespace && finding.provider !== 'appmesh' ? `${r.namespace}/${r.name}` : r.name;
  const parts = [`${prose(r.kind, 60)} ${code(name, NAME_MAX)}`];
  if (r.mesh) parts[0] += ` in mesh ${code(r.mesh, NAME_MAX)}`;
  if (r.namespace && finding.provider === 'appmesh') parts[0] += ` (namespace ${code(r.namespace, NAME_MAX)})`;
  if (r.port !== undefined) parts.push(`port ${r.port}`);
  return parts.join(', ');
}

/** Short name for a header: `payments-api (prod-mesh)`, `payments/payments-api`. Plain text. */
export function shortResource(finding: Finding): string {
  const r = finding.resource;
  if (r.mesh) return `${r.name} (${r.mesh})`;
  return r.namespace ? `${r.namespace}/${r.name}` : r.name;
}

const SOURCE_LABEL: Record<Trigger['source'], string> = {
  cloudtrail: 'CloudTrail',
  'aws-config': 'AWS Config',
  schedule: 'scheduled audit',
  acm: 'ACM',
  'cloudwatch-alarm': 'CloudWatch alarm',
  'gke-audit': 'GKE audit log',
  'cloud-scheduler': 'scheduled audit',
  'cloud-monitoring': 'Cloud Monitoring',
  slack: 'Slack',
  cli: 'meshgov CLI',
};

/** Triggers that report a change someone made (rather than a periodic look). */
const CHANGE_SOURCES = new Set<Trigger['source']>(['cloudtrail', 'aws-config', 'gke-audit', 'acm', 'cloudwatch-alarm', 'cloud-monitoring']);

/**
 * The cause, in mrkdwn: the event that revealed the problem and who made the change
 * (`UpdateVirtualNode payments-api by alice@example.com — CloudTrail, 2026-11-20 15:00:49 UTC`),
 * or for an audit of files or a scheduled look, the file and line of the configuration at fault.
 */
export function describeCause(record: Pick<FindingRecord, 'finding' | 'trigger'>): string {
  const t = record.trigger;
  const lines: string[] = [];
  if (t && CHANGE_SOURCES.has(t.source)) {
    lines.push(`${prose(t.summary, 500)} — ${SOURCE_LABEL[t.source]}, ${formatTime(t.eventTime)}`);
  }
  const where = configurationLocation(record.finding);
  if (where) lines.push(`configuration: ${where}`);
  if (lines.length === 0 && t) lines.push(`found by ${SOURCE_LABEL[t.source]} at ${formatTime(t.eventTime)}`);
  return lines.join('\n');
}

/** `file:line` of the configuration at fault (the cause's source first), when it is a file. */
function configurationLocation(finding: Finding): string | undefined {
  const cause = finding.detail.cause as { source?: { file?: string; line?: number } } | undefined;
  const source = cause?.source?.file ? cause.source : finding.resource.file ? { file: finding.resource.file, line: finding.resource.line } : undefined;
  if (!source?.file || source.file.startsWith('arn:') || source.file.startsWith('/api')) return undefined;
  return code(source.line ? `${source.file}:${source.line}` : source.file, 500);
}

const MODE_TEXT: Record<Remediation['mode'], string> = {
  auto: 'meshgov applies it itself',
  approval: 'waits for an approver here',
  manual: 'a person must make it',
};

/** In dry-run the verdict is only planned: nothing is applied and nobody is asked (no buttons anywhere). */
const DRY_RUN_MODE_TEXT: Record<Remediation['mode'], string> = {
  auto: 'meshgov would apply it itself; dry-run is on, so it is not applied',
  approval: 'would wait for an approver; dry-run is on, so nobody is asked and nothing is changed',
  manual: 'a person must make it',
};

/** What the fix does and why that mode (mrkdwn); `dryRun`: the run planned it only. */
export function describeFix(remediation: Remediation, finding: Finding, dryRun = false): string {
  const mode = (dryRun ? DRY_RUN_MODE_TEXT : MODE_TEXT)[remediation.mode];
  return fitLines([
    { prefix: '*Fix:* ', raw: actionTitle(remediation, finding), suffix: ` — ${mode}` },
    { prefix: `*Why ${remediation.mode}:* `, raw: remediation.reason },
    `*Change:* ${changeSummary(remediation.change)}`,
  ]);
}

/** A person's name for an action (plain text): `require mTLS (STRICT) on port 8080 of payments-api`. */
export function actionTitle(remediation: Pick<Remediation, 'action' | 'change'>, finding: Finding): string {
  const r = finding.resource;
  const port = r.port !== undefined ? ` on port ${r.port}` : '';
  const change = remediation.change;
  if (isUndoAction(remediation.action)) {
    return `undo change ${typeof change.changeId === 'string' ? change.changeId : ''} on ${shortResource(finding)}`.replace(/ {2}/g, ' ');
  }
  switch (remediation.action) {
    case 'appmesh.listener.set-strict':
      return `require mTLS (STRICT)${port} of ${shortResource(finding)}`;
    case 'appmesh.client-policy.enforce':
      return `enforce client mTLS on ${shortResource(finding)}`;
    case 'istio.peerauthentication.set-strict': {
      const target = change.target as { namespace?: string; name?: string } | undefined;
      return `set PeerAuthentication ${target?.namespace ?? r.namespace}/${target?.name ?? 'default'} to STRICT`;
    }
    case 'istio.peerauthentication.create-strict':
      return `create a STRICT PeerAuthentication in namespace ${r.namespace ?? ''}`.trim();
    case 'istio.destinationrule.set-istio-mutual': {
      const target = change.target as { namespace?: string; name?: string } | undefined;
      return `set DestinationRule ${target?.namespace ?? r.namespace}/${target?.name ?? r.name} to ISTIO_MUTUAL`;
    }
    case 'istio.destinationrule.create-istio-mutual': {
      const spec = (change.object as { spec?: { host?: string } } | undefined)?.spec;
      return `create an ISTIO_MUTUAL DestinationRule for ${spec?.host ?? shortResource(finding)}`;
    }
    case 'istio.workload.capture-inbound-port':
      return `let the sidecar of ${shortResource(finding)} capture port ${r.port ?? ''}`.trim();
    default:
      return `${remediation.action} on ${shortResource(finding)}`;
  }
}

/**
 * The change in a sentence (mrkdwn, escaped): which object, at which version, and what it sets.
 * App Mesh updates carry the whole spec, so the summary names the TLS each listener and backend
 * ends up with; merge patches and creations name the fields they set.
 */
export function changeSummary(change: Record<string, unknown>): string {
  const op = change.operation;
  if (op === 'update-virtual-node' || op === 'update-virtual-gateway') return appMeshUpdateSummary(change);
  if (op === 'merge-patch' || op === 'create') return kubernetesSummary(change);
  if (typeof change.changeId === 'string') return `restore the spec from before change ${code(change.changeId, VALUE_MAX)}`;
  return code(truncateJson(change));
}

function appMeshUpdateSummary(change: Record<string, unknown>): string {
  const node = change.operation === 'update-virtual-node';
  const name = String(node ? change.virtualNodeName : change.virtualGatewayName);
  const call = node ? 'UpdateVirtualNode' : 'UpdateVirtualGateway';
  const version = typeof change.expectedVersion === 'number' ? ` at version ${change.expectedVersion}` : '';
  const effects = capped(appMeshTlsEffects((change.spec ?? {}) as Record<string, any>, (v) => code(v, VALUE_MAX)));
  // code() escapes; escaping the mesh first would show `&amp;` for an `&` in its name.
  return `${call} ${code(`${String(change.meshName ?? '')}/${name}`, NAME_MAX)}${version}, whole spec${effects.length ? `: ${effects.join('; ')}` : ''}`;
}

/** The first EFFECTS_MAX effects and a count of the rest: a node may have many listeners and backends. */
function capped(effects: string[]): string[] {
  return effects.length <= EFFECTS_MAX ? effects : [...effects.slice(0, EFFECTS_MAX), `and ${effects.length - EFFECTS_MAX} more`];
}

/**
 * The mTLS an App Mesh spec gives each listener and backend, as words; `show` renders a name
 * or mode (a code span in mrkdwn, the bare value in plain text). A change summary names the
 * TLS it sets; a before state also names listeners that had none.
 */
function appMeshTlsEffects(spec: Record<string, any>, show: (value: string) => string, plainListeners = false): string[] {
  const effects: string[] = [];
  for (const l of Array.isArray(spec.listeners) ? spec.listeners : []) {
    const port = l?.portMapping?.port;
    const tls = l?.tls;
    if (!tls) {
      if (plainListeners) effects.push(`listener ${port ?? '?'} without TLS (plaintext)`);
      continue;
    }
    const trust = tls.validation?.trust;
    const via = trust?.file ? ` (clients verified against ${show(String(trust.file.certificateChain))})` : trust?.sds ? ` (clients verified via SDS ${show(String(trust.sds.secretName))})` : '';
    effects.push(`listener ${port ?? '?'} TLS ${show(String(tls.mode))}${via}`);
  }
  const enforced = (policy: any) => policy?.tls?.enforce === true && policy?.tls?.certificate !== undefined;
  for (const b of Array.isArray(spec.backends) ? spec.backends : []) {
    const vs = b?.virtualService;
    if (vs?.clientPolicy) effects.push(`backend ${show(String(vs.virtualServiceName))} ${enforced(vs.clientPolicy) ? 'enforces mTLS' : 'does not enforce mTLS'}`);
  }
  if (spec.backendDefaults?.clientPolicy) effects.push(`backend defaults ${enforced(spec.backendDefaults.clientPolicy) ? 'enforce mTLS' : 'do not enforce mTLS'}`);
  return effects;
}

/**
 * The state a change replaced, in plain words for the Undo dialog (plain text, not escaped):
 * the mTLS of an App Mesh spec (the spec itself, or `{ version, spec }`), the mode of an Istio
 * PeerAuthentication or DestinationRule snapshot. Undefined when the record holds nothing
 * readable (null included: the change created the object).
 */
export function beforeState(before: unknown): string | undefined {
  if (!before || typeof before !== 'object') return undefined;
  const record = before as Record<string, any>;
  const spec = (record.spec && typeof record.spec === 'object' ? record.spec : record) as Record<string, any>;
  const appMesh = appMeshTlsEffects(spec, (v) => v, true);
  if (appMesh.length) return capped(appMesh).join('; ');
  const istio = istioTlsState(spec);
  return istio.length ? capped(istio).join('; ') : undefined;
}

/** PeerAuthentication `mtls.mode` and `portLevelMtls`, DestinationRule `trafficPolicy.tls.mode`. */
function istioTlsState(spec: Record<string, any>): string[] {
  const states: string[] = [];
  if (spec.mtls?.mode) states.push(`mTLS mode ${String(spec.mtls.mode)}`);
  for (const [port, setting] of Object.entries((spec.portLevelMtls ?? {}) as Record<string, any>)) {
    if (setting?.mode) states.push(`port ${port} mTLS mode ${String(setting.mode)}`);
  }
  if (spec.trafficPolicy?.tls?.mode) states.push(`client TLS mode ${String(spec.trafficPolicy.tls.mode)}`);
  if ('mtls' in spec && !spec.mtls?.mode && states.length === 0) states.push('no mTLS mode set (inherited)');
  return states;
}

function kubernetesSummary(change: Record<string, unknown>): string {
  const create = change.operation === 'create';
  const object = (create ? change.object : change.target) as Record<string, any> | undefined;
  const meta = create ? object?.metadata : object;
  const id = `${String(object?.kind ?? 'object')} ${meta?.namespace ? `${String(meta.namespace)}/` : ''}${String(meta?.name ?? '?')}`;
  const rv = !create && (object?.resourceVersion ?? change.expectedResourceVersion);
  const fields = leaves(create ? { spec: object?.spec } : (change.patch as Record<string, unknown>) ?? {});
  const shown = fields.slice(0, 6).map(([path, value]) => `${code(path, VALUE_MAX)} ${create ? '=' : '→'} ${code(value === null ? 'null (removed)' : JSON.stringify(value), VALUE_MAX)}`);
  if (fields.length > 6) shown.push(`and ${fields.length - 6} more`);
  return `${create ? 'create' : 'merge patch of'} ${code(id, NAME_MAX)}${rv ? ` at resourceVersion ${prose(String(rv), 60)}` : ''}${shown.length ? `: ${shown.join(', ')}` : ''}`;
}

/** Dotted paths of every leaf of a patch (arrays are leaves: merge patches replace them whole). */
function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix ? [[prefix, value]] : [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

function truncateJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length > 300 ? `${json.slice(0, 299)}…` : json;
}

/** `alice@example.com` from an ARN-shaped actor, for short mentions of who did something. */
export function shortActor(actor: string | undefined): string {
  if (!actor) return 'an unknown principal';
  return actor.split('/').pop() || actor;
}
