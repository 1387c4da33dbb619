import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULE_IDS, type RuleId } from '../findings';
import type { Severity } from '../model/types';
import { RULE_CATALOG } from '../rules/catalog';
import type { AuditReport, ReportedFinding } from './report';
import { ReportFiles } from './report-files';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** GitHub's `problem.severity` for a level: what it shows where it reads no security-severity. */
const PROBLEM_SEVERITY = { error: 'error', warning: 'warning', note: 'recommendation' } as const;

/** GitHub code scanning ranks alerts by this property (0–10). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** GitHub code scanning rejects a whole SARIF file whose run holds more results than this. */
export const MAX_RESULTS = 25_000;

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export interface SarifOptions {
  /** Directory that artifact URIs are made relative to (the repository root in CI). */
  baseDir: string;
  toolVersion: string;
  /**
   * Each rule's severity in the rules in force (a rules copy may change it). GitHub ranks alerts
   * by the rule's security-severity only, so the rule entries carry these, not the catalog's.
   */
  ruleSeverities?: Partial<Record<RuleId, Severity>>;
  /**
   * Rules the rules in force turn off: listed with `enabled: false` (SARIF §3.50.3), so a
   * reader does not take their missing results for a clean bill.
   */
  disabledRules?: readonly RuleId[];
}

/** `--format sarif`: SARIF 2.1.0 with file and line locations, so code scanning annotates pull requests. */
export function formatSarif(report: AuditReport, options: SarifOptions): string {
  const severityOf = (id: RuleId): Severity => options.ruleSeverities?.[id] ?? RULE_CATALOG[id].severity;
  const rules = RULE_IDS.map((id) => ({
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: RULE_CATALOG[id].summary },
    fullDescription: { text: RULE_CATALOG[id].summary },
    help: { text: RULE_CATALOG[id].help },
    defaultConfiguration: { level: LEVEL[severityOf(id)], ...(options.disabledRules?.includes(id) ? { enabled: false } : {}) },
    properties: {
      'security-severity': SECURITY_SEVERITY[severityOf(id)],
      'problem.severity': PROBLEM_SEVERITY[LEVEL[severityOf(id)]],
      tags: ['security', 'service-mesh'],
    },
  }));
  const files = new ReportFiles(options.baseDir);
  const located: Array<{ f: ReportedFinding; file: string }> = [];
  const notifications: object[] = [];
  for (const f of report.findings) {
    const file = f.resource.file ? files.local(f.resource.file) : undefined;
    if (file) located.push({ f, file });
    // An ACM certificate, a live Kubernetes or App Mesh object, an SLO: no file to annotate, and
    // code scanning rejects the whole upload for one result without a location. Kept as a notification.
    else notifications.push(notification(f, `${f.message} (${f.resource.file ?? 'no file'})`));
  }
  if (located.length > MAX_RESULTS) {
    // Over the limit GitHub rejects the file, so keep the most severe (stable within a severity).
    located.sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity]);
    const left = located.splice(MAX_RESULTS);
    notifications.push({
      level: 'warning',
      message: { text: `${left.length} findings left out: code scanning accepts at most ${MAX_RESULTS} results per run; the JSON report has them all` },
      // Listed, so that this log used as a --baseline still knows them.
      properties: { omittedFindings: left.map(({ f }) => ({ id: f.id, severity: f.severity })) },
    });
  }
  const suppressed = report.summary.suppressed ?? 0;
  if (suppressed > 0) {
    // Not as results with `suppressions`: code scanning would open an alert for each anyway.
    notifications.push({ level: 'note', message: { text: `${suppressed} finding${suppressed === 1 ? '' : 's'} accepted by suppress.meshgov.io annotations, left out; the JSON report lists them with their reasons` } });
  }
  const results = located.map(({ f, file }) => ({
    ruleId: f.rule,
    ruleIndex: RULE_IDS.indexOf(f.rule),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactOf(file, files),
          // SARIF 3.30.5: lines start at 1.
          region: { startLine: Math.max(1, f.resource.line ?? 1) },
        },
      },
    ],
    partialFingerprints: { 'meshgovFindingId/v1': f.id },
    // SARIF 3.27.24: with a baseline, every result says whether it is new (then all of them do).
    ...(f.baselineState ? { baselineState: f.baselineState } : {}),
    properties: {
      severity: f.severity,
      'security-severity': SECURITY_SEVERITY[f.severity],
      provider: f.provider,
      resource: f.resource,
      remediation: f.remediation,
    },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'meshgov', version: options.toolVersion, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: directoryUri(files.baseDir) } },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) }],
        results,
        // Findings fixed since the baseline are counted, not reported: a result needs a location
        // that may be gone, and code scanning would open an alert for each.
        ...(report.summary.baseline || suppressed > 0
          ? { properties: { ...(report.summary.baseline ? { baseline: report.summary.baseline } : {}), ...(suppressed > 0 ? { suppressed } : {}) } }
          : {}),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function notification(f: ReportedFinding, text: string): object {
  const properties = { id: f.id, severity: f.severity, provider: f.provider, resource: f.resource, ...(f.baselineState ? { baselineState: f.baselineState } : {}) };
  return { associatedRule: { id: f.rule, index: RULE_IDS.indexOf(f.rule) }, level: LEVEL[f.severity], message: { text }, properties };
}

/**
 * A file inside the base directory as a relative reference to `%SRCROOT%`; one outside it as
 * an absolute `file:` URI of its own (a relative reference would resolve to the wrong file).
 */
function artifactOf(abs: string, files: ReportFiles): { uri: string; uriBaseId?: string } {
  const rel = files.relative(abs);
  if (rel === undefined) return { uri: pathToFileURL(abs).href };
  return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/** SARIF 3.14.14: an absolute URI ending in `/`, percent-encoded (a `#` or a space in a path is not a URI). */
function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}
