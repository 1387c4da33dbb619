import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULE_IDS } from '../findings';
import type { Severity } from '../model/types';
import { RULE_CATALOG } from '../rules/catalog';
import type { AuditReport } from './report';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** GitHub code scanning ranks alerts by this property (0–10). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

export interface SarifOptions {
  /** Directory that artifact URIs are made relative to (the repository root in CI). */
  baseDir: string;
  toolVersion: string;
}

/** `--format sarif`: SARIF 2.1.0 with file and line locations, so code scanning annotates pull requests. */
export function formatSarif(report: AuditReport, options: SarifOptions): string {
  const rules = RULE_IDS.map((id) => ({
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: RULE_CATALOG[id].summary },
    fullDescription: { text: RULE_CATALOG[id].summary },
    help: { text: RULE_CATALOG[id].help },
    defaultConfiguration: { level: LEVEL[RULE_CATALOG[id].severity] },
    properties: { 'security-severity': SECURITY_SEVERITY[RULE_CATALOG[id].severity], tags: ['security', 'service-mesh'] },
  }));
  const results = report.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: RULE_IDS.indexOf(f.rule),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: f.resource.file
      ? [
          {
            physicalLocation: {
              artifactLocation: artifactOf(f.resource.file, options.baseDir),
              region: { startLine: f.resource.line ?? 1 },
            },
          },
        ]
      : [],
    partialFingerprints: { 'meshgovFindingId/v1': f.id },
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
        originalUriBaseIds: { '%SRCROOT%': { uri: directoryUri(options.baseDir) } },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/**
 * A file inside the base directory as a relative reference to `%SRCROOT%`; one outside it as
 * an absolute `file:` URI of its own (a relative reference would resolve to the wrong file).
 */
function artifactOf(file: string, baseDir: string): { uri: string; uriBaseId?: string } {
  const abs = path.resolve(file);
  const rel = path.relative(baseDir, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
  return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/** SARIF 3.14.14: an absolute URI ending in `/`, percent-encoded (a `#` or a space in a path is not a URI). */
function directoryUri(dir: string): string {
  const href = pathToFileURL(path.resolve(dir)).href;
  return href.endsWith('/') ? href : `${href}/`;
}
