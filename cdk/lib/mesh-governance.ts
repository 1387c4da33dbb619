import { Construct } from 'constructs';
import type { MeshGovConfig } from './config';
import { Annotations, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AppMeshAuditor, grantAppMeshAccess } from './constructs/app-mesh-auditor';
import { LedgerTables } from './constructs/ledger-tables';
import { OperationsAlarms } from './constructs/operations-alarms';
import { SlackAndAgentEndpoints } from './constructs/slack-and-agent-endpoints';
import { SloAlarms } from './constructs/slo-alarms';
import * as path from 'node:path';
import { defaultRulesDir, loadPolicy } from '../../functions/core/policy/load';
import { RULES_DIR_CONTEXT } from './constructs/meshgov-function';
import { slosOfPolicy } from '../../functions/core/slo/definition';

export interface MeshGovernanceProps {
  config: MeshGovConfig;
  /**
   * The rules directory the functions ship and whose App Mesh SLOs get CloudWatch alarms, whole
   * (not layered over rules/, as at run time it stands in for it); MESHGOV_RULES, else the
   * repository's rules/.
   */
  rulesDir?: string;
}

/**
 * meshgov's hub on AWS, as one construct a team can drop into its own CDK app: the ledger,
 * and the App Mesh auditor that every App Mesh change, Config item, ACM expiry event and the
 * schedule reach.
 *
 * @example
 *   new MeshGovernance(stack, 'MeshGov', { config: { meshes: ['prod-mesh'], regions: ['us-west-2'], dryRun: true, schedule: 'cron(0 6 * * ? *)', sloSchedule: 'rate(1 hour)' } });
 */
export class MeshGovernance extends Construct {
  readonly tables: LedgerTables;
  readonly appMeshAuditor: AppMeshAuditor;
  readonly endpoints: SlackAndAgentEndpoints;
  readonly sloAlarms: SloAlarms;
  readonly operationsAlarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: MeshGovernanceProps) {
    super(scope, id);
    // Before any child: every function below reads it, and so do the alarms, so the SLOs alarmed are the ones deployed.
    const rulesDir = path.resolve(props.rulesDir ?? defaultRulesDir());
    this.node.setContext(RULES_DIR_CONTEXT, rulesDir);
    const { config } = props;
    const stack = Stack.of(this);
    const policy = loadPolicy(undefined, rulesDir);
    // MESHGOV_DRY_RUN, set on every function below, wins over the rules (resolveDryRun): say so where that hides the rules' word.
    if (config.dryRun && !policy.remediation.dryRun) {
      Annotations.of(this).addWarningV2(
        'meshgov:dry-run-overrides-rules',
        `the rules (${rulesDir}) set remediation.dryRun: false, but this deployment sets MESHGOV_DRY_RUN=true (context "meshgov:dryRun", default true), which wins: the functions change nothing. Deploy with -c meshgov:dryRun=false to let fixes run`,
      );
    }
    // No mesh named: every mesh is audited but none may be written (grantAppMeshAccess), so each fix that runs fails.
    if (!config.dryRun && config.meshes.length === 0) {
      Annotations.of(this).addWarningV2(
        'meshgov:no-mesh-writes',
        'context "meshgov:meshes" is empty and "meshgov:dryRun" is false: the hub audits every App Mesh mesh in its region but is granted no App Mesh write, so every fix that runs (automatic or approved) fails with AccessDenied. Name the meshes meshgov may fix in "meshgov:meshes"',
      );
    }
    this.tables = new LedgerTables(this, 'Tables');
    const hubEnvironment: Record<string, string> = {
      MESHGOV_DRY_RUN: String(config.dryRun),
      MESHGOV_LEDGER_TABLE: this.tables.ledger.tableName,
      MESHGOV_IDEMPOTENCY_TABLE: this.tables.idempotency.tableName,
      MESHGOV_MESHES: config.meshes.join(','),
      MESHGOV_ACCOUNT_ID: stack.account,
      ...(config.agentUrl ? { MESHGOV_AGENT_URL: config.agentUrl } : {}),
      ...(config.slackChannel ? { MESHGOV_DEFAULT_CHANNEL: config.slackChannel } : {}),
    };
    this.endpoints = new SlackAndAgentEndpoints(this, 'Endpoints', {
      ledger: this.tables.ledger,
      idempotency: this.tables.idempotency,
      hubEnvironment,
      grantAppMesh: (role) => grantAppMeshAccess(role, stack, config),
      slackApp: { teamId: config.slackTeamId, appId: config.slackAppId },
    });
    this.appMeshAuditor = new AppMeshAuditor(this, 'AppMesh', {
      config,
      ledger: this.tables.ledger,
      idempotency: this.tables.idempotency,
      environment: {
        ...hubEnvironment,
        MESHGOV_SLACK_SECRET_ARN: this.endpoints.slackSecret.secretArn,
        MESHGOV_LINK_SECRET_ARN: this.endpoints.linkSecret.secretArn,
      },
    });
    this.appMeshAuditor.addWriterRole(this.endpoints.approvalWorker.fn.role!);
    this.endpoints.slackSecret.grantRead(this.appMeshAuditor.function.fn);
    this.endpoints.linkSecret.grantRead(this.appMeshAuditor.function.fn);

    this.sloAlarms = new SloAlarms(this, 'SloAlarms', {
      slos: slosOfPolicy(policy),
      ledger: this.tables.ledger,
      idempotency: this.tables.idempotency,
      environment: { ...hubEnvironment, MESHGOV_SLACK_SECRET_ARN: this.endpoints.slackSecret.secretArn, MESHGOV_LINK_SECRET_ARN: this.endpoints.linkSecret.secretArn },
      grantAppMesh: (role) => grantAppMeshAccess(role, stack, config),
      sweepSchedule: config.sloSchedule,
    });
    if (this.sloAlarms.function) {
      // Runs the rollbacks rules/ lets meshgov take without asking: its writes are meshgov's too.
      this.appMeshAuditor.addWriterRole(this.sloAlarms.function.fn.role!);
      this.endpoints.slackSecret.grantRead(this.sloAlarms.function.fn);
      this.endpoints.linkSecret.grantRead(this.sloAlarms.function.fn);
    }

    // Every dead-letter queue alarm tells someone, when it fires and when it clears.
    this.operationsAlarms = new OperationsAlarms(this, 'OperationsAlarms', {
      ...(config.alarmEmail ? { email: config.alarmEmail } : {}),
      ...(config.alarmTopicArn ? { topicArn: config.alarmTopicArn } : {}),
    });
    for (const alarm of this.deadLetterAlarms()) this.operationsAlarms.notify(alarm);
    // A redraw given up leaves buttons on an expired request: someone should look at that channel.
    this.operationsAlarms.notify(this.appMeshAuditor.expiryRedrawsAbandonedAlarm);
  }

  /** The alarms on meshgov's dead-letter queues. */
  deadLetterAlarms(): cloudwatch.Alarm[] {
    const slo = this.sloAlarms.deadLetterAlarm;
    return [this.appMeshAuditor.deadLetterAlarm, this.endpoints.approvalDeadLetterAlarm, ...(slo ? [slo] : [])];
  }
}
