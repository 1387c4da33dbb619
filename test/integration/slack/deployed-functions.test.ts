/**
 * The two Lambda handlers as deployed: their exported `handler`s build everything from the
 * environment (CONTRACT.md names plus MESHGOV_SLACK_TEAM_ID, MESHGOV_SLACK_APP_ID and
 * MESHGOV_APPROVAL_QUEUE_URL), and every AWS client reaches a local server through the SDK's
 * AWS_ENDPOINT_URL_* variables: dynalite for the ledger, the App Mesh and ACM emulators, and
 * small JSON-protocol stand-ins for Secrets Manager and SQS. Slack is the Slack emulator
 * (MESHGOV_SLACK_API_URL).
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { handler as approvalWorker } from '../../../functions/aws/approval-worker';
import { wireHubDeps } from '../../../functions/aws/hub/wire';
import { handler as slackActions } from '../../../functions/aws/slack-actions';
import { auditScope } from '../../../functions/core/pipeline/audit-scope';
import { govern } from '../../../functions/core/pipeline/govern';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../emulators/appmesh';
import { startSlackEmulator, type SlackEmulator } from '../../emulators/slack';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { sharedEvent } from '../../support/shared-events';
import { startFakeAwsJsonService } from './support/fake-aws-json-service';
import { aliceChange, storylineMesh } from './support/fleet';
import { clickEvent } from './support/signed-click';
import { CAROL, CHANNEL, DAVE, MALLORY, PAYMENTS_APPROVERS, SIGNING_SECRET, USERS, WORKSPACE } from './support/storyline';

const LEDGER = 'meshgov-ledger';
const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:111122223333:secret:meshgov/slack-AbCdEf';
const QUEUE_URL = 'https://sqs.us-west-2.amazonaws.com/111122223333/meshgov-approvals';
const CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48';
const PCA_ARN = 'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';

/** The rules as a team would ship them: the payments team owns prod-mesh and approves every client mTLS fix. */
function rulesDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-rules-'));
  cpSync(path.resolve(__dirname, '../../../rules'), dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'ownership.yaml'),
    [
      'ownership:',
      '  default:',
      '    channel: "#mesh-governance"',
      '  teams:',
      '    - name: payments',
      '      match:',
      '        meshes: ["prod-mesh"]',
      '      slack:',
      `        channel: "${CHANNEL}"`,
      '        approvers:',
      `          users: ["${CAROL.id}"]`,
      `          usergroups: ["${PAYMENTS_APPROVERS}"]`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'remediation.yaml'), 'remediation:\n  dryRun: false\n  maxChangesPerRun: 5\n  maxChangesPerHour: 20\n  approvalTtlHours: 24\n  reminderHours: 24\n  freezeWindows: []\n');
  const mtls = path.join(dir, 'mtls.yaml');
  const text = readFileSync(mtls, 'utf8');
  writeFileSync(mtls, text.replace(/(mtls-client-not-enforced:\n(?:.*\n)*?\s+remediation: )auto/, '$1approval'));
  return dir;
}

let dynalite: DynaliteServer;
let slack: SlackEmulator;
let appmesh: AppMeshEmulator;
let acm: AcmEmulator;
let secrets: Awaited<ReturnType<typeof startFakeAwsJsonService>>;
let sqs: Awaited<ReturnType<typeof startFakeAwsJsonService>>;
let savedEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = dynaliteClient(dynalite.endpoint);
  await createLedgerTable(client, LEDGER);
  client.destroy();
  slack = await startSlackEmulator({ workspace: WORKSPACE, users: USERS, usergroups: { [PAYMENTS_APPROVERS]: [DAVE.id] } });
  appmesh = await startAppMeshEmulator({ seed: storylineMesh() });
  acm = await startAcmEmulator();
  acm.seedCertificate({ CertificateArn: CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', CertificateAuthorityArn: PCA_ARN, NotBefore: new Date('2026-01-10T00:00:00Z'), NotAfter: new Date('2027-06-10T00:00:00Z') });
  acm.seedCertificateAuthority({ Arn: PCA_ARN, Type: 'ROOT', NotBefore: new Date('2025-01-01T00:00:00Z'), NotAfter: new Date('2035-01-01T00:00:00Z') });
  secrets = await startFakeAwsJsonService(() => ({ body: { ARN: SECRET_ARN, Name: 'meshgov/slack', SecretString: JSON.stringify({ token: slack.token, signingSecret: SIGNING_SECRET }) } }));
  sqs = await startFakeAwsJsonService((call) => ({ body: { MessageId: `m-${Date.now()}`, MD5OfMessageBody: createHash('md5').update(String(call.body.MessageBody)).digest('hex') } }));
  savedEnv = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    AWS_ENDPOINT_URL_APP_MESH: appmesh.url,
    AWS_ENDPOINT_URL_ACM: acm.url,
    AWS_ENDPOINT_URL_ACM_PCA: acm.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_SQS: sqs.url,
    MESHGOV_LEDGER_TABLE: LEDGER,
    MESHGOV_MESHES: 'prod-mesh',
    MESHGOV_ACCOUNT_ID: '111122223333',
    MESHGOV_DRY_RUN: 'false',
    MESHGOV_RULES: rulesDir(),
    MESHGOV_SLACK_SECRET_ARN: SECRET_ARN,
    MESHGOV_SLACK_API_URL: `${slack.url}/api/`,
    MESHGOV_SLACK_TEAM_ID: WORKSPACE.teamId,
    MESHGOV_SLACK_APP_ID: WORKSPACE.appId,
    MESHGOV_APPROVAL_QUEUE_URL: QUEUE_URL,
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([slack?.stop(), appmesh?.stop(), acm?.stop(), secrets?.stop(), sqs?.stop()]);
  await dynalite?.stop();
});

test('from a CloudTrail change to an applied, approved fix, through the deployed handlers', async () => {
  // The hub's run (its notifier wired from the same environment) asks the payments team.
  const hub = await wireHubDeps(process.env);
  expect(hub.notifier).toBeDefined();
  const scoped = await auditScope(aliceChange(new Date()), { kind: 'all', providers: ['appmesh'], meshes: ['prod-mesh'] }, hub);
  const run = await govern(scoped, { ...hub, log: () => {} });
  expect(run.approvalsRequested.length).toBeGreaterThanOrEqual(2);
  const ledger = new DynamoDbLedger(dynaliteClient(dynalite.endpoint), LEDGER);
  const workerFinding = (await ledger.listOpenFindings({ provider: 'appmesh' })).find((r) => r.finding.rule === 'mtls-client-not-enforced' && r.finding.resource.name === 'payments-worker')!;
  const approval = (await ledger.findOpenApproval(workerFinding.id))!;
  expect(approval.slack?.channel).toBe(CHANNEL);

  const logs = jest.spyOn(console, 'log').mockImplementation(() => {});
  const warns = jest.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    // Mallory is refused; carol's Approve is accepted and handed to the queue.
    expect(await slackActions(clickEvent({ approvalId: approval.id, user: MALLORY }))).toEqual({ statusCode: 200, body: '' });
    expect(await slackActions(clickEvent({ approvalId: approval.id, user: CAROL }))).toEqual({ statusCode: 200, body: '' });
    expect(slack.ephemerals()).toEqual([expect.objectContaining({ user: MALLORY.id })]);
    expect(secrets.calls.filter((c) => c.target === 'secretsmanager.GetSecretValue').length).toBe(2); // once for the hub's notifier, once for the endpoint's container
    expect(sqs.calls.map((c) => [c.target, c.body.QueueUrl, c.body.MessageBody])).toEqual([['AmazonSQS.SendMessage', QUEUE_URL, JSON.stringify({ approvalId: approval.id })]]);

    // SQS delivers the message to the worker.
    const template = sharedEvent<SQSEvent>('aws/sqs-event-with-eventbridge-record.json').Records[0];
    const body = sqs.calls[0].body.MessageBody as string;
    const event: SQSEvent = { Records: [{ ...template, messageId: '7b9e0c1d-2f3a-4b5c-8d6e-9f0a1b2c3d4e', body, md5OfBody: createHash('md5').update(body).digest('hex'), eventSourceARN: 'arn:aws:sqs:us-west-2:111122223333:meshgov-approvals' }] };
    expect(await approvalWorker(event)).toEqual({ batchItemFailures: [] });
  } finally {
    logs.mockRestore();
    warns.mockRestore();
  }

  expect(await ledger.getApproval(approval.id)).toMatchObject({ state: 'SUCCEEDED', decidedBy: CAROL.id });
  const node = appmesh.state.describe('virtualNode', 'prod-mesh', 'payments-worker') as any;
  expect(node.spec.backends[0].virtualService.clientPolicy.tls).toMatchObject({ enforce: true, certificate: expect.anything() });
  const message = slack.messages(CHANNEL).find((m) => m.ts === approval.slack!.ts)!;
  expect((message.blocks![0] as any).text.text).toBe(':white_check_mark: Applied: enforce client mTLS on payments-worker (prod-mesh)');
});
