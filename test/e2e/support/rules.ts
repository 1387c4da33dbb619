/**
 * The rules directory the whole deployment runs with (MESHGOV_RULES, for the hub's functions
 * and the agent alike): the shipped rules/, then what a platform team sets after its dry-run
 * week. Dry-run off; a person approves every mTLS change (so each story passes through Slack);
 * the payments team owns prod-mesh and the payments and orders namespaces; the platform team
 * gets the rest; one App Mesh latency SLO on payments-api, measured in CloudWatch.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CAROL, CHANNEL, PAYMENTS_APPROVERS } from '../../integration/slack/support/storyline';

/** The platform team's channel: findings nobody else owns. */
export const PLATFORM_CHANNEL = 'C07MESHGOV1';
export { CHANNEL as PAYMENTS_CHANNEL };
export const CLOUDWATCH_NAMESPACE = 'ContainerInsights/Prometheus';
export const SLO_NAME = 'payments-api-latency';

const REPO_RULES = path.resolve(__dirname, '../../../rules');

export function writeRulesDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-e2e-rules-'));
  cpSync(REPO_RULES, dir, { recursive: true });
  writeFileSync(path.join(dir, 'remediation.yaml'), ['remediation:', '  dryRun: false', '  maxChangesPerRun: 5', '  maxChangesPerHour: 20', '  approvalTtlHours: 24', '  reminderHours: 24', '  freezeWindows: []', ''].join('\n'));
  writeFileSync(
    path.join(dir, 'ownership.yaml'),
    [
      'ownership:',
      '  default:',
      `    channel: "${PLATFORM_CHANNEL}"`,
      '  teams:',
      '    - name: payments',
      '      match:',
      '        meshes: ["prod-mesh"]',
      '        namespaces: ["payments", "orders"]',
      '      slack:',
      `        channel: "${CHANNEL}"`,
      '        approvers:',
      `          users: ["${CAROL.id}"]`,
      `          usergroups: ["${PAYMENTS_APPROVERS}"]`,
      '',
    ].join('\n'),
  );
  // Auto-fix is allowed by the shipped rules; this team wants a person to approve every mTLS change.
  const mtls = path.join(dir, 'mtls.yaml');
  writeFileSync(mtls, readFileSync(mtls, 'utf8').replace(/remediation: auto/g, 'remediation: approval'));
  writeFileSync(
    path.join(dir, 'slos.yaml'),
    [
      'slos:',
      `  - name: ${SLO_NAME}`,
      '    service: payments-api',
      '    mesh: appmesh',
      '    meshName: prod-mesh',
      '    objective: 99',
      '    thresholdMs: 250',
      '    source:',
      '      cloudwatch:',
      `        namespace: ${CLOUDWATCH_NAMESPACE}`,
      '        region: us-west-2',
      '',
    ].join('\n'),
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
