/**
 * The environment the hub's Lambda handlers read (wireHubDeps), pointed at the test's own
 * emulators: the App Mesh and ACM emulators and dynalite, example credentials (AWS's documented
 * placeholders), Powertools quiet. A test adds or overrides what it is about.
 */
export interface HubEnvironment {
  appmesh: string;
  acm: string;
  dynamodb: string;
  ledgerTable: string;
  idempotencyTable: string;
  mesh: string;
  account: string;
  dryRun: boolean;
}

export function hubEnvironment(e: HubEnvironment): Record<string, string> {
  return {
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL_APP_MESH: e.appmesh,
    AWS_ENDPOINT_URL_ACM: e.acm,
    AWS_ENDPOINT_URL_ACM_PCA: e.acm,
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb,
    MESHGOV_LEDGER_TABLE: e.ledgerTable,
    MESHGOV_IDEMPOTENCY_TABLE: e.idempotencyTable,
    MESHGOV_MESHES: e.mesh,
    MESHGOV_ACCOUNT_ID: e.account,
    MESHGOV_REMEDIATOR_ROLE_ARNS: `arn:aws:iam::${e.account}:role/meshgov-remediator`,
    MESHGOV_DRY_RUN: String(e.dryRun),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  };
}
