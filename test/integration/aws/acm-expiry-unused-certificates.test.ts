import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createAppMeshEventsHandler } from '../../../functions/aws/app-mesh-events';
import { wireHubDeps } from '../../../functions/aws/hub/wire';
import type { FindingRecord } from '../../../functions/core/ledger/types';
import { DynamoDbLedger, createLedgerTable } from '../../../functions/providers/ledger';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../emulators/appmesh';
import { createIdempotencyTable, dynaliteClient, startDynalite } from '../../support/dynalite';
import { declaredMetrics } from '../../support/emf';
import { RecordingNotifier } from '../../support/recording-notifier';
import { consoleJsonDocuments } from '../../support/emf';
import { hubLambdaContext, sqsBatch } from '../../support/hub-lambda';
import { sharedEvent } from '../../support/shared-events';
import { hubEnvironment } from '../../support/hub-environment';

/**
 * ACM sends "ACM Certificate Approaching Expiration" for every certificate of the account and
 * region (a website's, an ALB's, CloudFront's…), not only for those App Mesh uses. The hub
 * reports a certificate only when a resource of a mesh it governs uses it: a listener serves
 * it, or a client policy trusts it or the private CA that issued it. When it cannot tell (a
 * mesh it may not read), it reports it as before; when App Mesh cannot be read at all, the
 * event goes back to SQS. End to end on loopback: the real handler, the App Mesh and ACM
 * emulators through the real SDK clients, dynalite for the ledger and idempotency records.
 */

const LEDGER = 'meshgov-ledger';
const IDEMPOTENCY = 'meshgov-idempotency';
const DAY_MS = 86_400_000;
const ACCOUNT = '111122223333';
/** The certificate payments-api's listener serves, and the private CA its client policy trusts (the shared CloudTrail event's node). */
const LISTENER_CERT_ARN = `arn:aws:acm:us-west-2:${ACCOUNT}:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48`;
const PCA_ARN = `arn:aws:acm-pca:us-west-2:${ACCOUNT}:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b`;

let appmesh: AppMeshEmulator;
let acm: AcmEmulator;
let dynalite: { endpoint: string; stop(): Promise<void> };
let savedEnv: NodeJS.ProcessEnv;
let notifier: RecordingNotifier;
let eventSeq = 0;

/** An ACM certificate ARN of this account that no seed uses unless a test says so. */
function certArn(n: number): string {
  return `arn:aws:acm:us-west-2:${ACCOUNT}:certificate/5e0c${String(n).padStart(4, '0')}-2b7d-4c1e-9f3a-6d8b0e2c4a71`;
}

function paymentsApiNode() {
  const node = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode;
  return { meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: node.spec };
}

/** The shared ACM expiry event, for another certificate and with an id of its own. */
function expiryEvent(arn: string | string[], commonName: string, daysToExpiry = 12) {
  const event = sharedEvent('aws/acm-certificate-approaching-expiration.json');
  event.id = `f1a3c5e7-9b2d-4f6a-8c0e-${String(++eventSeq).padStart(12, '0')}`;
  event.time = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  event.resources = Array.isArray(arn) ? arn : [arn];
  event.detail = { DaysToExpiry: daysToExpiry, CommonName: commonName };
  return event;
}

function seedCert(arn: string, domainName: string, daysLeft: number, extra: Record<string, unknown> = {}) {
  acm.seedCertificate({ CertificateArn: arn, DomainName: domainName, NotBefore: new Date(Date.now() - 300 * DAY_MS), NotAfter: new Date(Date.now() + daysLeft * DAY_MS), ...extra });
}

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = dynaliteClient(dynalite.endpoint);
  await createLedgerTable(client, LEDGER);
  await createIdempotencyTable(client, IDEMPOTENCY);
  client.destroy();
});

afterAll(async () => {
  await dynalite.stop();
});

beforeEach(async () => {
  appmesh = await startAppMeshEmulator({ seed: { meshes: [{ meshName: 'prod-mesh' }], virtualNodes: [paymentsApiNode()] } });
  acm = await startAcmEmulator();
  acm.seedCertificateAuthority({ Arn: PCA_ARN, Type: 'ROOT', NotBefore: new Date('2025-01-01T00:00:00Z'), NotAfter: new Date('2035-01-01T00:00:00Z') });
  notifier = new RecordingNotifier();
  savedEnv = { ...process.env };
  Object.assign(process.env, hubEnvironment({ appmesh: appmesh.url, acm: acm.url, dynamodb: dynalite.endpoint, ledgerTable: LEDGER, idempotencyTable: IDEMPOTENCY, mesh: 'prod-mesh', account: ACCOUNT, dryRun: true }));
});

afterEach(async () => {
  process.env = savedEnv;
  await appmesh.stop();
  await acm.stop();
});

/** The hub's event function, with the real dependencies and a notifier that records what Slack would get. */
function handler() {
  return createAppMeshEventsHandler(async () => ({ ...(await wireHubDeps(process.env)), notifier }), { idempotencyTable: IDEMPOTENCY });
}

/**
 * Runs `run` with the hub's Powertools logger and metrics writing to the console (POWERTOOLS_DEV,
 * read when the handler is created, so create it inside `run`), and returns the JSON log lines
 * and the EMF documents written.
 */
async function captured(run: () => Promise<unknown>): Promise<{ logs: Array<Record<string, any>>; metrics: Array<Record<string, any>> }> {
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const docs = await consoleJsonDocuments(run);
  return { logs: docs.filter((d) => !d._aws), metrics: docs.filter((d) => d._aws) };
}

function ledger() {
  return new DynamoDbLedger(dynaliteClient(dynalite.endpoint), LEDGER);
}

/** Every ledger item (findings, approvals, changes…) that mentions this ARN anywhere. */
async function ledgerItemsNaming(arn: string): Promise<unknown[]> {
  const client = dynaliteClient(dynalite.endpoint);
  try {
    const { Items } = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: LEDGER }));
    return (Items ?? []).filter((item) => JSON.stringify(item).includes(arn));
  } finally {
    client.destroy();
  }
}

async function idempotencyRecord(eventId: string): Promise<Record<string, any> | undefined> {
  const client = dynaliteClient(dynalite.endpoint);
  try {
    const { Items } = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: IDEMPOTENCY }));
    return (Items ?? []).find((i) => i.data?.eventId === eventId);
  } finally {
    client.destroy();
  }
}

/** The ledger's certificate findings (open or not) of one ACM certificate. */
async function findingsOf(arn: string): Promise<FindingRecord[]> {
  const ids = (await ledgerItemsNaming(arn)).map((item) => (item as { id?: string }).id).filter((id): id is string => typeof id === 'string');
  const records = await Promise.all([...new Set(ids)].map((id) => ledger().getFinding(id)));
  return records.filter((r): r is FindingRecord => r !== undefined && r.finding.provider === 'acm' && r.finding.resource.file === arn);
}

describe('ACM expiry events: only certificates of the governed meshes are reported', () => {
  it('ignores a certificate no governed App Mesh resource uses: no finding, no Slack, no ledger entry; logs why; counts EventsIgnored', async () => {
    const unused = certArn(1);
    seedCert(unused, 'www.example.com', 12);
    const event = expiryEvent(unused, 'www.example.com');

    const { logs, metrics } = await captured(async () => expect(await handler()(sqsBatch(event), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] }));

    expect(await ledgerItemsNaming(unused)).toEqual([]);
    expect(notifier.sent).toEqual([]);
    const ignored = logs.filter((l) => l.message === 'event ignored');
    expect(ignored).toHaveLength(1);
    expect(ignored[0]).toMatchObject({ level: 'INFO', correlation_id: event.id });
    expect(ignored[0].reason).toContain(`certificate ${unused} is used by no App Mesh resource of the meshes meshgov governs (prod-mesh)`);
    expect(logs.some((l) => l.message === 'event audited')).toBe(false);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ service: 'meshgov-hub', EventsIgnored: 1 });
    expect(declaredMetrics(metrics[0])).toEqual(['EventsIgnored']);
    expect((await idempotencyRecord(event.id))?.data).toEqual({ status: 'ignored', eventId: event.id, reason: expect.stringContaining(`certificate ${unused} is used by no App Mesh resource`) });
    // payments-api trusts a private CA: ACM is asked once whether that CA issued the certificate (it did not).
    expect(acm.calls().DescribeCertificate).toBe(1);
  });

  it('asks ACM nothing about an unused certificate when no governed client policy trusts a private CA', async () => {
    const node = paymentsApiNode();
    delete node.spec.backends;
    appmesh.seed({ virtualNodes: [node] });
    const unused = certArn(2);
    seedCert(unused, 'cdn.example.com', 12);
    acm.resetCalls();

    const { logs } = await captured(async () => expect(await handler()(sqsBatch(expiryEvent(unused, 'cdn.example.com')), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] }));

    expect(logs.find((l) => l.message === 'event ignored')?.reason).toContain(`certificate ${unused} is used by no App Mesh resource of the meshes meshgov governs (prod-mesh)`);
    expect(acm.calls().DescribeCertificate ?? 0).toBe(0);
    expect(await ledgerItemsNaming(unused)).toEqual([]);
  });

  it('reports the certificate a virtual node listener serves, as before, with the listener in usedBy', async () => {
    seedCert(LISTENER_CERT_ARN, 'payments-api.payments.svc.cluster.local', 12, { CertificateAuthorityArn: PCA_ARN });
    const event = expiryEvent(LISTENER_CERT_ARN, 'payments-api.payments.svc.cluster.local');

    const { metrics } = await captured(async () => expect(await handler()(sqsBatch(event), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] }));

    const [finding] = (await findingsOf(LISTENER_CERT_ARN)).filter((r) => r.status === 'open');
    expect(finding?.finding).toMatchObject({
      rule: 'cert-expiring',
      provider: 'acm',
      resource: { kind: 'Certificate', name: 'payments-api.payments.svc.cluster.local', file: LISTENER_CERT_ARN },
      detail: { daysLeft: 11, usedBy: expect.arrayContaining([{ kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 }]) },
    });
    expect(finding?.trigger).toMatchObject({ source: 'acm', eventId: event.id });
    expect(notifier.sent).toEqual([expect.objectContaining({ type: 'finding', id: finding!.id, kind: 'new' })]);
    expect(metrics[0]).toMatchObject({ EventsAudited: 1, Findings: 1 });
  });

  it('reports a private certificate whose CA (an ACM Private CA ARN) a client policy trusts, used by the trusting virtual node', async () => {
    const issued = certArn(3);
    seedCert(issued, 'ledger.payments.svc.cluster.local', 20, { CertificateAuthorityArn: PCA_ARN });
    const event = expiryEvent(issued, 'ledger.payments.svc.cluster.local', 20);

    expect(await handler()(sqsBatch(event), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] });

    const [finding] = (await findingsOf(issued)).filter((r) => r.status === 'open');
    expect(finding?.finding).toMatchObject({
      rule: 'cert-expiring',
      resource: { kind: 'Certificate', name: 'ledger.payments.svc.cluster.local', file: issued },
      detail: { usedBy: [{ kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' }] },
    });
    expect(notifier.sent).toEqual([expect.objectContaining({ type: 'finding', id: finding!.id, kind: 'new' })]);
  });

  it('a public certificate of the same account is still ignored when a client policy trusts a private CA (it did not issue it)', async () => {
    const publicCert = certArn(4);
    seedCert(publicCert, 'shop.example.com', 12);
    // A private certificate of another CA, which nothing in the mesh trusts.
    const otherCa = `arn:aws:acm-pca:us-west-2:${ACCOUNT}:certificate-authority/7a1c3e5f-2b4d-4f6a-8c0e-1d3f5b7d9f2a`;
    acm.seedCertificateAuthority({ Arn: otherCa, Type: 'ROOT', NotBefore: new Date('2025-01-01T00:00:00Z'), NotAfter: new Date('2035-01-01T00:00:00Z') });
    const otherPrivate = certArn(5);
    seedCert(otherPrivate, 'batch.internal.example.com', 12, { CertificateAuthorityArn: otherCa });

    const { logs } = await captured(async () =>
      expect(await handler()(sqsBatch(expiryEvent(publicCert, 'shop.example.com'), expiryEvent(otherPrivate, 'batch.internal.example.com')), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] }),
    );

    expect(await ledgerItemsNaming(publicCert)).toEqual([]);
    expect(await ledgerItemsNaming(otherPrivate)).toEqual([]);
    expect(notifier.sent).toEqual([]);
    expect(logs.filter((l) => l.message === 'event ignored').map((l) => l.reason)).toEqual([
      expect.stringContaining(`certificate ${publicCert} is used by no App Mesh resource of the meshes meshgov governs (prod-mesh)`),
      expect.stringContaining(`certificate ${otherPrivate} is used by no App Mesh resource of the meshes meshgov governs (prod-mesh)`),
    ]);
  });

  it('an event naming a used and an unused certificate reports the used one only', async () => {
    const unused = certArn(6);
    seedCert(unused, 'www.example.org', 12);
    seedCert(LISTENER_CERT_ARN, 'payments-api.payments.svc.cluster.local', 12, { CertificateAuthorityArn: PCA_ARN });
    const event = expiryEvent([unused, LISTENER_CERT_ARN], 'www.example.org');

    const { logs } = await captured(async () => expect(await handler()(sqsBatch(event), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] }));

    expect(await ledgerItemsNaming(unused)).toEqual([]);
    expect((await findingsOf(LISTENER_CERT_ARN)).filter((r) => r.status === 'open')).toHaveLength(1);
    expect(logs.find((l) => l.message === 'event audited')).toMatchObject({ eventId: event.id, scope: 'certificates', findings: 1 });
    expect(logs.find((l) => String(l.message).includes(`certificate ${unused} is used by no App Mesh resource`))).toMatchObject({ level: 'INFO' });
  });
});

describe('ACM expiry events: fail safe, a certificate meshgov cannot tell is unused is reported', () => {
  it('reports the certificate, saying its users could not be read, when a governed mesh refuses the read (ForbiddenException)', async () => {
    appmesh.seed({ meshes: [{ meshName: 'edge-mesh' }] });
    process.env.MESHGOV_MESHES = 'prod-mesh,edge-mesh';
    const unknown = certArn(7);
    seedCert(unknown, 'api.example.net', 12);
    // IAM or a mesh policy lets the hub read one of the two meshes only.
    appmesh.failNext('ListVirtualNodes', 'ForbiddenException', 1, 'User: arn:aws:sts::111122223333:assumed-role/meshgov-hub/fn is not authorized to perform: appmesh:ListVirtualNodes');
    const event = expiryEvent(unknown, 'api.example.net');

    const { logs } = await captured(async () => expect(await handler()(sqsBatch(event), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] }));

    const [finding] = (await findingsOf(unknown)).filter((r) => r.status === 'open');
    expect(finding?.finding).toMatchObject({ rule: 'cert-expiring', resource: { file: unknown } });
    expect(notifier.sent).toEqual([expect.objectContaining({ type: 'finding', id: finding!.id, kind: 'new' })]);
    expect(logs.some((l) => l.message === 'event ignored')).toBe(false);
    const why = logs.find((l) => String(l.message).includes(`certificate ${unknown}`) && String(l.message).includes('could not be read'));
    expect(why).toMatchObject({ level: 'WARN' });
    expect(why!.unreadMeshes).toHaveLength(1);
    expect(['prod-mesh', 'edge-mesh']).toContain(why!.unreadMeshes[0]);
  });

  it('reports a certificate ACM will not describe while a governed client policy trusts a private CA: whether that CA issued it is unknown', async () => {
    const unknown = certArn(11);
    seedCert(unknown, 'reports.example.com', 12);
    acm.failNext('DescribeCertificate', 'AccessDeniedException', 1, 'User: arn:aws:sts::111122223333:assumed-role/meshgov-hub/fn is not authorized to perform: acm:DescribeCertificate');

    const { logs } = await captured(async () => expect(await handler()(sqsBatch(expiryEvent(unknown, 'reports.example.com')), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] }));

    const [problem] = (await findingsOf(unknown)).filter((r) => r.status === 'open');
    expect(problem?.finding).toMatchObject({ rule: 'config-invalid', provider: 'acm', resource: { file: unknown } });
    expect(String(problem?.finding.message)).toContain('acm:DescribeCertificate');
    expect(logs.some((l) => l.message === 'event ignored')).toBe(false);
    expect(logs.find((l) => String(l.message).includes(`certificate ${unknown}`) && String(l.message).includes('could not be read'))?.message).toContain(PCA_ARN);
  });

  it('fails the event back to SQS when App Mesh cannot be read at all: nothing is dropped, and the redelivery is audited', async () => {
    const unknown = certArn(8);
    seedCert(unknown, 'api.example.io', 12);
    seedCert(LISTENER_CERT_ARN, 'payments-api.payments.svc.cluster.local', 12, { CertificateAuthorityArn: PCA_ARN });
    const event = expiryEvent(LISTENER_CERT_ARN, 'payments-api.payments.svc.cluster.local');
    appmesh.failNext('ListMeshes', 'BadRequestException', 1, 'injected: App Mesh refused the listing');

    const batch = sqsBatch(event);
    const first = await handler()(batch, hubLambdaContext(ACCOUNT)).catch((err: unknown) => err);
    // A batch whose every record failed is thrown whole (Powertools FullBatchFailureError): SQS retries it.
    expect(String(first)).toMatch(/All records failed/);
    expect(notifier.sent).toEqual([]);

    // SQS delivers it again; the failed attempt left no idempotency record, so it runs.
    expect(await handler()(batch, hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] });
    expect((await findingsOf(LISTENER_CERT_ARN)).filter((r) => r.status === 'open')).toHaveLength(1);
  });
});

describe('ACM expiry events: findings left open before', () => {
  it("resolves an unused certificate's earlier finding as no longer used by a governed mesh, and updates its Slack message", async () => {
    appmesh.seed({ meshes: [{ meshName: 'edge-mesh' }] });
    process.env.MESHGOV_MESHES = 'prod-mesh,edge-mesh';
    const unused = certArn(9);
    seedCert(unused, 'status.example.com', 12);
    // Yesterday a mesh could not be read: the certificate was reported (and posted to Slack).
    appmesh.failNext('ListVirtualNodes', 'ForbiddenException');
    expect(await handler()(sqsBatch(expiryEvent(unused, 'status.example.com')), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] });
    const [earlier] = (await findingsOf(unused)).filter((r) => r.status === 'open');
    expect(earlier?.slack).toBeDefined();

    // Today both meshes are read, and neither uses it.
    const today = expiryEvent(unused, 'status.example.com', 11);
    const { logs } = await captured(async () => expect(await handler()(sqsBatch(today), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] }));

    const after = await ledger().getFinding(earlier!.id);
    expect(after).toMatchObject({ status: 'resolved', notificationPending: false });
    expect(notifier.sent.slice(-1)).toEqual([expect.objectContaining({ type: 'finding', id: earlier!.id, kind: 'resolved' })]);
    expect(logs.find((l) => l.message === 'event ignored')?.reason).toContain(`certificate ${unused} is used by no App Mesh resource of the meshes meshgov governs (edge-mesh, prod-mesh)`);
    expect(logs.find((l) => String(l.message).includes('no longer used by a governed mesh'))).toMatchObject({ level: 'INFO', findingId: earlier!.id });
    expect((await idempotencyRecord(today.id))?.data.status).toBe('ignored');
  });

  it("leaves open the finding of a used certificate with the same name as the unused one", async () => {
    seedCert(LISTENER_CERT_ARN, 'payments-api.payments.svc.cluster.local', 12, { CertificateAuthorityArn: PCA_ARN });
    expect(await handler()(sqsBatch(expiryEvent(LISTENER_CERT_ARN, 'payments-api.payments.svc.cluster.local')), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] });
    const [used] = (await findingsOf(LISTENER_CERT_ARN)).filter((r) => r.status === 'open');
    expect(used).toBeDefined();

    // An imported copy of the same name (an ALB's, say), which no mesh resource names.
    const twin = certArn(10);
    seedCert(twin, 'payments-api.payments.svc.cluster.local', 12, { Type: 'IMPORTED' });
    expect(await handler()(sqsBatch(expiryEvent(twin, 'payments-api.payments.svc.cluster.local')), hubLambdaContext(ACCOUNT))).toEqual({ batchItemFailures: [] });

    expect((await ledger().getFinding(used!.id))?.status).toBe('open');
    expect(await ledgerItemsNaming(twin)).toEqual([]);
  });
});
