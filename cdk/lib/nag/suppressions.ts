import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { APP_MESH_READ_ACTIONS, APP_MESH_UPDATE_ACTIONS } from '../constructs/app-mesh-auditor';
import { LEDGER_DATA_ACTIONS } from '../constructs/ledger-tables';
import { MeshGovFunction } from '../constructs/meshgov-function';
import type { MeshGovernance } from '../mesh-governance';

/**
 * One acknowledged cdk-nag finding. `appliesTo` narrows a rule that reports several findings
 * per resource (AwsSolutions-IAM5 reports one per wildcard) to exactly those findings, so a
 * new wildcard is still reported.
 */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: readonly string[];
}

/** A construct and the findings acknowledged on it and on everything below it. */
export interface TargetedSuppressions {
  readonly target: IConstruct;
  readonly suppressions: readonly NagSuppression[];
}

/**
 * Acknowledges findings on a construct and its children. cdk-nag 3 reads acknowledgements
 * from CDK's `Validations` metadata (it has no NagSuppressions any more) and matches a finding
 * of a multi-finding rule by its full id, `RuleId[finding]`, so each `appliesTo` becomes one.
 */
export function addResourceSuppressions(target: IConstruct, suppressions: readonly NagSuppression[]): void {
  for (const s of suppressions) {
    const ids = s.appliesTo ? s.appliesTo.map((finding) => `${s.id}[${finding}]`) : [s.id];
    Validations.of(target).acknowledge(...ids.map((id) => ({ id, reason: s.reason })));
  }
}

/** Applies every acknowledgement that the meshgov construct needs (see `meshGovernanceSuppressions`). */
export function applyMeshGovernanceSuppressions(governance: MeshGovernance): void {
  for (const { target, suppressions } of meshGovernanceSuppressions(governance)) addResourceSuppressions(target, suppressions);
}

/**
 * The wildcard resources meshgov's roles may hold, each with the reason it cannot be narrower.
 * A wildcard that matches none of these stays a cdk-nag error.
 */
// A region or account as cdk-nag prints it: literal when the stack has an env, a pseudo parameter otherwise.
const REGION = String.raw`(?:<AWS::Region>|[a-z]{2}(?:-[a-z]+)+-\d)`;
const ACCOUNT = String.raw`(?:<AWS::AccountId>|\d{12})`;
const arnPattern = (service: string, rest: string) => new RegExp(`^arn:<AWS::Partition>:${service}:${REGION}:${rest}$`);

export interface AllowedWildcard {
  readonly pattern: RegExp;
  /** When set, the statement may hold only these actions. */
  readonly actions?: readonly string[];
  readonly reason: string;
}

export const ALLOWED_WILDCARD_RESOURCES: readonly AllowedWildcard[] = [
  {
    pattern: /^\*$/,
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'appmesh:ListMeshes', 'cloudwatch:GetMetricData'],
    reason:
      'Only actions without resource-level permissions use "*": xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing), appmesh:ListMeshes, and cloudwatch:GetMetricData (the SLO function\'s fresh burn query) (Service Authorization Reference: no resource types).',
  },
  {
    pattern: /^<[A-Za-z0-9]+\.Arn>\/index\/\*$/,
    actions: LEDGER_DATA_ACTIONS,
    reason:
      'Queries on the ledger table go through its global secondary indexes; "index/*" covers only the indexes of this one table, whose names are fixed in the table definition.',
  },
  {
    pattern: arnPattern('appmesh', String.raw`\*:mesh/\*`),
    actions: APP_MESH_READ_ACTIONS,
    reason:
      'Read-only App Mesh describes/lists: the audited meshes may be shared from other accounts through AWS RAM, so neither the owner account nor the mesh child resources are known at deploy time.',
  },
  {
    pattern: arnPattern('appmesh', String.raw`${ACCOUNT}:mesh/[^/*]+/virtual(?:Node|Gateway|Router|Service)/\*`),
    actions: APP_MESH_UPDATE_ACTIONS,
    reason:
      'Updates only, inside the meshes named in the meshgov:meshes context: listener fixes on any virtual node or gateway, and the rollback of a change to a router, route, service or gateway route after an SLO burn; these come and go with deployments so they cannot be listed.',
  },
  {
    pattern: arnPattern('acm', String.raw`${ACCOUNT}:certificate/\*`),
    actions: ['acm:DescribeCertificate'],
    reason:
      'acm:DescribeCertificate (read-only) on the certificates App Mesh listeners reference; their ids are only known from the mesh configuration at run time, and the ARN is scoped to this account and region.',
  },
  {
    pattern: arnPattern('acm-pca', String.raw`\*:certificate-authority/\*`),
    actions: ['acm-pca:DescribeCertificateAuthority'],
    reason:
      'acm-pca:DescribeCertificateAuthority (read-only) on the private CAs that listener validation trusts; their ids, and the account that owns them (a CA shared through AWS RAM is in its owner\'s account), are only known from the mesh configuration at run time; scoped to this region.',
  },
];

/** The findings acknowledged on the meshgov construct, each with the reason it is acceptable. */
export function meshGovernanceSuppressions(governance: MeshGovernance): TargetedSuppressions[] {
  const { endpoints } = governance;
  const functions = governance.node.findAll().filter((c): c is MeshGovFunction => c instanceof MeshGovFunction);
  const out: TargetedSuppressions[] = [
    {
      target: endpoints.api,
      suppressions: [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'No API Gateway authorizer by design: Slack signs each request (X-Slack-Signature, HMAC-SHA256 with the signing secret) and the GCP agent signs each report with the hub-agent HMAC key; the functions verify the signature and timestamp before doing anything.',
        },
      ],
    },
    {
      target: endpoints.slackSecret,
      suppressions: [
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'The Slack bot token and signing secret are issued and rotated in Slack (app settings, token rotation), not by a Lambda; the operator pastes the new values into this secret.',
        },
      ],
    },
    {
      target: endpoints.linkSecret,
      suppressions: [
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'The hub-agent HMAC key must change on both clouds together: an operator rotates it by hand, keeping the old key in MESHGOV_LINK_SECRET_PREVIOUS so reports signed during the switch still verify.',
        },
      ],
    },
  ];
  if (governance.sloAlarms.deadLetterQueue) {
    out.push({
      target: governance.sloAlarms.deadLetterQueue,
      suppressions: [
        {
          id: 'AwsSolutions-SQS3',
          reason:
            'This queue is itself a dead-letter queue, though no queue redrives into it: the SLO rule\'s EventBridge target and the latency function\'s asynchronous on-failure destination send to it, and it has its own alarm.',
        },
      ],
    });
  }
  for (const f of functions) {
    out.push({
      target: f,
      suppressions: [
        {
          id: 'AwsSolutions-L1',
          reason:
            'Pinned to nodejs22.x on purpose: the bundles are built and tested for target node22 (issue 7); moving to a newer runtime is a deliberate change with its own test run.',
        },
        ...wildcardSuppressions(f.fn.role),
      ],
    });
  }
  return out;
}

/** A statement of a role's policies, resolved: its actions and each resource as cdk-nag prints it. */
interface FlatStatement {
  actions: string[];
  resources: string[];
}

/**
 * IAM5 acknowledgements for the wildcard resources of a role's policies that the allowlist
 * explains. cdk-nag names an IAM5 finding by its resource alone, so one acknowledgement covers
 * every statement on that resource: a wildcard is acknowledged only when all of them are allowed.
 */
function wildcardSuppressions(role: iam.IRole | undefined): NagSuppression[] {
  if (!role) return [];
  const byResource = new Map<string, Array<AllowedWildcard | undefined>>();
  for (const { actions, resources } of roleStatements(role)) {
    for (const flat of resources.filter((r) => r.includes('*'))) {
      const allowed = ALLOWED_WILDCARD_RESOURCES.find((a) => a.pattern.test(flat) && (!a.actions || actions.every((x) => a.actions!.includes(x))));
      byResource.set(flat, [...(byResource.get(flat) ?? []), allowed]);
    }
  }
  const byReason = new Map<string, string[]>();
  for (const [flat, verdicts] of byResource) {
    const reasons = new Set(verdicts.map((v) => v?.reason));
    // One unexplained statement, or two explanations for one finding: leave it to cdk-nag.
    if (reasons.size !== 1 || reasons.has(undefined)) continue;
    const reason = [...reasons][0]!;
    byReason.set(reason, [...(byReason.get(reason) ?? []), `Resource::${flat}`]);
  }
  return [...byReason].map(([reason, appliesTo]) => ({ id: 'AwsSolutions-IAM5', reason, appliesTo }));
}

function roleStatements(role: iam.IRole): FlatStatement[] {
  const stack = Stack.of(role);
  const policies = role.node.findAll().filter((c): c is iam.Policy => c instanceof iam.Policy);
  return policies.flatMap((policy) => {
    const document = stack.resolve(policy.document) as { Statement?: Array<{ Action?: string | string[]; Resource?: unknown }> };
    return (document.Statement ?? []).map((statement) => ({
      actions: ([] as string[]).concat(statement.Action ?? []),
      resources: (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(flattenReference),
    }));
  });
}

/**
 * A resolved CloudFormation value as cdk-nag names it in a finding: Ref as `<Name>`, GetAtt as
 * `<Resource.Attribute>`, Fn::Join joined (the format of cdk-nag's flattenCfnReference).
 */
export function flattenReference(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (node['Fn::Sub'] !== undefined) return flattenReference(node['Fn::Sub']);
  if (Array.isArray(node['Fn::GetAtt'])) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (node['Fn::ImportValue'] !== undefined) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(value);
}
