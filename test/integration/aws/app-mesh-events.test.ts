import { AppMeshClient, DeleteVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createAppMeshEventsHandler } from '../../../functions/aws/app-mesh-events';
import { wireHubDeps } from '../../../functions/aws/hub/wire';
import { DynamoDbLedger, createLedgerTable } from '../../../functions/providers/ledger';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../emulators/appmesh';
import { createIdempotencyTable, dynaliteClient, startDynalite } from '../../support/dynalite';
import { declaredMetrics, emfDocuments } from '../../support/emf';
import { hubLambdaContext, sqsBatch } from '../../support/hub-lambda';
import { sharedEvent } from '../../support/shared-events';
import { hubEnvironment } from '../../support/hub-environment';

/**
 * The hub's event function end to end on loopback: SQS batches of real-shaped EventBridge
 * events, the App Mesh and ACM emulators through the real SDK clients (reached through the
 * SDK's AWS_ENDPOINT_URL_* variables, as deployed functions would), and dynalite for the
 * ledger and Powertools' idempotency records.
 */

const LEDGER = 'meshgov-ledger';
const IDEMPOTENCY = 'meshgov-idempotency';
const CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48';
const PCA_ARN = 'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';

let appmesh: AppMeshEmulator;
let acm: AcmEmulator;
let dynalite: { endpoint: string; stop(): Promise<void> };
let savedEnv: NodeJS.ProcessEnv;

function paymentsApiNode(mode: 'PERMISSIVE' | 'STRICT') {
  const node = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode;
  node.spec.listeners[0].tls.mode = mode;
  // Mutual only with a trust for client certificates (App Mesh: STRICT without validation is one-way TLS).
  if (mode === 'STRICT') node.spec.listeners[0].tls.validation = { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } };
  return { meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: node.spec };
}

/** An SQS event as Lambda receives it from the queue the EventBridge rules target. */
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
  appmesh = await startAppMeshEmulator({ seed: { meshes: [{ meshName: 'prod-mesh' }], virtualNodes: [paymentsApiNode('PERMISSIVE')] } });
  acm = await startAcmEmulator();
  acm.seedCertificate({ CertificateArn: CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', CertificateAuthorityArn: PCA_ARN, NotBefore: new Date('2026-01-10T00:00:00Z'), NotAfter: new Date('2027-01-10T00:00:00Z') });
  acm.seedCertificateAuthority({ Arn: PCA_ARN, Type: 'ROOT', NotBefore: new Date('2025-01-01T00:00:00Z'), NotAfter: new Date('2035-01-01T00:00:00Z') });
  savedEnv = { ...process.env };
  Object.assign(process.env, hubEnvironment({ appmesh: appmesh.url, acm: acm.url, dynamodb: dynalite.endpoint, ledgerTable: LEDGER, idempotencyTable: IDEMPOTENCY, mesh: 'prod-mesh', account: '111122223333', dryRun: true }));
});

afterEach(async () => {
  process.env = savedEnv;
  await appmesh.stop();
  await acm.stop();
});

function handler() {
  return createAppMeshEventsHandler(() => wireHubDeps(process.env), { idempotencyTable: IDEMPOTENCY });
}

/**
 * The JSON lines the hub's Powertools logger writes at `level` while `run` runs. POWERTOOLS_DEV
 * makes the logger write to the global console (read when the handler is created).
 */
async function hubLogLines(level: 'info' | 'error', run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = level.toUpperCase();
  const lines: string[] = [];
  const spy = jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.filter((l) => l.trimStart().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function ledger() {
  return new DynamoDbLedger(dynaliteClient(dynalite.endpoint), LEDGER);
}

/** A fresh event id per test, so idempotency records of other tests do not interfere. */
function withNewId<T extends { id: string }>(e: T, suffix: string): T {
  return { ...e, id: `${e.id.slice(0, 24)}${suffix.padStart(12, '0')}` };
}

describe('the App Mesh events function', () => {
  it('audits a CloudTrail UpdateVirtualNode in a cold container with one Describe of the node', async () => {
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '1');
    appmesh.resetCalls();
    const result = await handler()(sqsBatch(event), hubLambdaContext());
    expect(result).toEqual({ batchItemFailures: [] });
    // Not the event's copy alone: it may be a late one (app-mesh-events-late-delivery.test.ts).
    expect(appmesh.calls().DescribeVirtualNode).toBe(1);
    const open = await ledger().listOpenFindings({ provider: 'appmesh' });
    const finding = open.find((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api');
    expect(finding?.finding).toMatchObject({ resource: { kind: 'VirtualNode', mesh: 'prod-mesh', port: 8080 }, detail: { mode: 'PERMISSIVE' } });
    expect(finding?.trigger).toMatchObject({ source: 'cloudtrail', actor: expect.stringContaining('alice@example.com') });
  });

  it('describes the node once when the event carries no response', async () => {
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node-no-response.json'), '2');
    appmesh.resetCalls();
    expect(await handler()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect(appmesh.calls().DescribeVirtualNode).toBe(1);
    const total = Object.values(appmesh.calls()).reduce((a, b) => a + (b ?? 0), 0);
    expect(total).toBeLessThanOrEqual(2);
  });

  it("ignores meshgov's own change: no API call and no new finding", async () => {
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-by-meshgov-role.json'), '3');
    appmesh.resetCalls();
    acm.resetCalls();
    expect(await handler()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect(Object.values(appmesh.calls()).reduce((a, b) => a + (b ?? 0), 0)).toBe(0);
  });

  it('fails malformed and unknown events back to SQS (and so to the dead-letter queue), and processes the rest', async () => {
    const unknown = withNewId(sharedEvent('aws/scheduled-event.json'), '4');
    unknown['detail-type'] = 'EC2 Instance State-change Notification';
    unknown.source = 'aws.ec2';
    const broken = '{"version":"0","id":"9d1f';
    const good = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '5');
    const batch = sqsBatch(unknown, broken, good);
    const result = await handler()(batch, hubLambdaContext());
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([batch.Records[0].messageId, batch.Records[1].messageId].sort());
  });

  it('runs each event id once when EventBridge delivers it twice', async () => {
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node-no-response.json'), '6');
    const h = handler();
    appmesh.resetCalls();
    await h(sqsBatch(event), hubLambdaContext());
    const first = appmesh.calls().DescribeVirtualNode;
    await h(sqsBatch(event), hubLambdaContext());
    await handler()(sqsBatch(event), hubLambdaContext());
    expect(first).toBe(1);
    expect(appmesh.calls().DescribeVirtualNode).toBe(1);
  });

  it('counts an event\'s outcome once: its redelivery publishes EventsRepeated, not its findings again', async () => {
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '7');
    process.env.POWERTOOLS_DEV = 'true';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const h = handler();
    const [first] = await emfDocuments(() => h(sqsBatch(event), hubLambdaContext()));
    expect(first).toMatchObject({ service: 'meshgov-hub', EventsAudited: 1, Findings: 2, ExpiryRedrawsAbandoned: 0 });
    const [again] = await emfDocuments(() => h(sqsBatch(event), hubLambdaContext()));
    expect(again).toMatchObject({ service: 'meshgov-hub', EventsRepeated: 1 });
    expect(declaredMetrics(again)).toEqual(['EventsRepeated']);
  });

  it('resolves the finding when the scheduled audit no longer sees it', async () => {
    const update = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '7');
    await handler()(sqsBatch(update), hubLambdaContext());
    const before = await ledger().listOpenFindings({ provider: 'appmesh' });
    const id = before.find((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api')!.id;
    // Someone fixes the listener; the nightly audit reads the whole mesh.
    appmesh.seed({ virtualNodes: [paymentsApiNode('STRICT')] });
    const schedule = withNewId(sharedEvent('aws/scheduled-event.json'), '8');
    expect(await handler()(sqsBatch(schedule), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await ledger().getFinding(id))?.status).toBe('resolved');
    expect(appmesh.calls().ListVirtualNodes).toBeGreaterThanOrEqual(1);
  });
});

describe("deletions and shared meshes: only this account's own resource takes its findings", () => {
  const OTHER_ACCOUNT = '444455556666';

  /** The open mtls-not-strict finding of payments-api (PERMISSIVE), recorded from alice's update. */
  async function openPaymentsApiFinding(suffix: string): Promise<string> {
    const update = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), suffix);
    expect(await handler()(sqsBatch(update), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    const open = await ledger().listOpenFindings({ provider: 'appmesh' });
    const finding = open.find((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api');
    expect(finding?.finding.resource).toMatchObject({ kind: 'VirtualNode', mesh: 'prod-mesh' });
    return finding!.id;
  }

  /** The shared DeleteVirtualNode (ci-deployer, Terraform), pointed at another resource. */
  function deleteEvent(suffix: string, eventName: string, requestParameters: Record<string, string>) {
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-delete-virtual-node.json'), suffix);
    event.detail.eventName = eventName;
    event.detail.requestParameters = requestParameters;
    event.detail.responseElements = null;
    return event;
  }

  /** The reasons the hub logged for the events it ignored. */
  async function ignoredReasons(run: () => Promise<unknown>): Promise<string[]> {
    return (await hubLogLines('info', run)).filter((l) => l.message === 'event ignored').map((l) => l.reason as string);
  }

  it("a deleted virtual router that shares the node's name leaves the node's findings open", async () => {
    const id = await openPaymentsApiFinding('11');
    const event = deleteEvent('12', 'DeleteVirtualRouter', { meshName: 'prod-mesh', virtualRouterName: 'payments-api' });
    expect(await handler()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    // The node is still PERMISSIVE in App Mesh: its finding stands.
    expect((await ledger().getFinding(id))?.status).toBe('open');
  });

  it('the deleted virtual node itself still takes its findings with it', async () => {
    const id = await openPaymentsApiFinding('13');
    const client = new AppMeshClient({ region: 'us-west-2', endpoint: appmesh.url });
    const { virtualNode } = await client.send(new DeleteVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api' }));
    client.destroy();
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-delete-virtual-node.json'), '14');
    event.detail.requestParameters = { meshName: 'prod-mesh', virtualNodeName: 'payments-api' };
    event.detail.responseElements.virtualNode = { ...event.detail.responseElements.virtualNode, virtualNodeName: 'payments-api', metadata: { ...event.detail.responseElements.virtualNode.metadata, arn: virtualNode!.metadata!.arn, uid: virtualNode!.metadata!.uid } };
    expect(await handler()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await ledger().getFinding(id))?.status).toBe('resolved');
  });

  it("a DeleteVirtualNode in another account's shared mesh of the same name is ignored, with the reason logged", async () => {
    const id = await openPaymentsApiFinding('15');
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-delete-virtual-node.json'), '16');
    event.detail.requestParameters = { meshName: 'prod-mesh', virtualNodeName: 'payments-api', meshOwner: OTHER_ACCOUNT };
    const node = event.detail.responseElements.virtualNode;
    node.virtualNodeName = 'payments-api';
    node.metadata.meshOwner = OTHER_ACCOUNT;
    node.metadata.arn = `arn:aws:appmesh:us-west-2:${OTHER_ACCOUNT}:mesh/prod-mesh/virtualNode/payments-api`;
    appmesh.resetCalls();
    const reasons = await ignoredReasons(async () => expect(await handler()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] }));
    expect(reasons).toEqual([expect.stringContaining(`owned by account ${OTHER_ACCOUNT}, not by this account (111122223333)`)]);
    expect((await ledger().getFinding(id))?.status).toBe('open');
    expect(Object.values(appmesh.calls()).reduce((a, b) => a + (b ?? 0), 0)).toBe(0);
  });

  it("an UpdateVirtualNode to STRICT in another account's mesh of the same name does not resolve this account's finding", async () => {
    const id = await openPaymentsApiFinding('17');
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '18');
    event.detail.requestParameters.meshOwner = OTHER_ACCOUNT;
    const node = event.detail.responseElements.virtualNode;
    node.metadata.meshOwner = OTHER_ACCOUNT;
    node.metadata.arn = `arn:aws:appmesh:us-west-2:${OTHER_ACCOUNT}:mesh/prod-mesh/virtualNode/payments-api`;
    node.spec.listeners[0].tls.mode = 'STRICT';
    node.spec.listeners[0].tls.validation = { trust: { sds: { secretName: 'spiffe://other' } } };
    // Without MESHGOV_ACCOUNT_ID the event's recipient account is this account.
    delete process.env.MESHGOV_ACCOUNT_ID;
    const reasons = await ignoredReasons(async () => expect(await handler()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] }));
    expect(reasons).toEqual([expect.stringContaining(`owned by account ${OTHER_ACCOUNT}`)]);
    expect((await ledger().getFinding(id))?.status).toBe('open');
  });
});

describe('Powertools practice: correlation, idempotency records, recovery, regions', () => {
  it("each record's log lines carry its own event id as correlation id and its own SQS message id", async () => {
    const unknownEvent = (suffix: string) => {
      const e = withNewId(sharedEvent('aws/scheduled-event.json'), suffix);
      e.source = 'aws.ec2';
      e['detail-type'] = 'EC2 Instance State-change Notification';
      return e;
    };
    const first = unknownEvent('21');
    const second = unknownEvent('22');
    // A good record too: a batch whose every record fails is thrown whole (Powertools FullBatchFailureError).
    const good = withNewId(sharedEvent('aws/scheduled-event.json'), '20');
    const batch = sqsBatch(first, good, second);
    const lines = await hubLogLines('error', async () => {
      const result = await handler()(batch, hubLambdaContext());
      expect(result.batchItemFailures).toHaveLength(2);
    });
    const failed = lines.filter((l) => String(l.message).startsWith('event failed'));
    expect(failed.map((l) => [l.messageId, l.correlation_id, l.field])).toEqual([
      [batch.Records[0].messageId, first.id, 'detail-type'],
      [batch.Records[2].messageId, second.id, 'detail-type'],
    ]);
  });

  it('keeps only counts in the idempotency record, never the whole governed result', async () => {
    const update = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '23');
    expect(await handler()(sqsBatch(update), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    const client = dynaliteClient(dynalite.endpoint);
    const { Items } = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: IDEMPOTENCY }));
    client.destroy();
    const record = (Items ?? []).find((i) => i.data?.eventId === update.id);
    expect(record?.status).toBe('COMPLETED');
    expect(record?.data).toEqual({ status: 'audited', eventId: update.id, findings: 2, applied: 0, notificationFailures: 0, approvalsExpired: 0 });
    // Expiry is a timestamp Powertools compares itself (dynalite, like a lagging TTL, deletes nothing).
    expect(record?.expiration).toBeGreaterThan(Date.now() / 1000 + 23 * 3600);
  });

  it('a failed build of the dependencies is retried on the next batch, not kept for the life of the container', async () => {
    let builds = 0;
    const h = createAppMeshEventsHandler(
      async () => {
        if (++builds === 1) throw new Error('secrets manager unreachable');
        return wireHubDeps(process.env);
      },
      { idempotencyTable: IDEMPOTENCY },
    );
    const first = sqsBatch(withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '24'));
    await expect(h(first, hubLambdaContext())).rejects.toThrow(/All records failed/);
    expect(await h(sqsBatch(withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '25')), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    // The first message, delivered again by SQS, now runs too (its failed attempt left no idempotency record).
    expect(await h(first, hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect(builds).toBe(2);
  });

  it('ignores an App Mesh call made in another region, whose mesh this hub does not read', async () => {
    const event = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node-no-response.json'), '26');
    event.region = 'eu-west-1';
    event.detail.awsRegion = 'eu-west-1';
    appmesh.resetCalls();
    const lines = await hubLogLines('info', async () => expect(await handler()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] }));
    expect(lines.find((l) => l.message === 'event ignored')?.reason).toEqual(expect.stringContaining("in region eu-west-1, not in this deployment's region (us-west-2)"));
    expect(Object.values(appmesh.calls()).reduce((a, b) => a + (b ?? 0), 0)).toBe(0);
  });
});

describe('AWS Config items: oversized notifications, deletions, other resource types', () => {
  /** The shared Config item as AWS Config sends it when it is too large for the event: a summary only. */
  function oversizedConfigEvent(suffix: string) {
    const event = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), suffix);
    const item = event.detail.configurationItem;
    event.detail = {
      configurationItemSummary: {
        changeType: 'UPDATE',
        configurationItemVersion: item.configurationItemVersion,
        configurationItemCaptureTime: item.configurationItemCaptureTime,
        configurationStateId: item.configurationStateId,
        awsAccountId: item.awsAccountId,
        configurationItemStatus: 'OK',
        resourceType: item.resourceType,
        resourceId: item.resourceId,
        resourceName: item.resourceName,
        ARN: item.ARN,
        awsRegion: item.awsRegion,
        availabilityZone: item.availabilityZone,
        configurationStateMd5Hash: '',
        resourceCreationTime: item.resourceCreationTime,
      },
      s3DeliverySummary: { s3BucketLocation: 'config-bucket-111122223333/AWSLogs/111122223333/Config/us-west-2/2026/11/20/OversizedChangeNotification/payments-api_0.json.gz', errorCode: null, errorMessage: null },
      notificationCreationTime: event.detail.notificationCreationTime,
      messageType: 'OversizedConfigurationItemChangeNotification',
      recordVersion: '1.0',
    };
    return event;
  }

  it('audits the virtual node an oversized notification names, reading it live', async () => {
    const event = oversizedConfigEvent('31');
    appmesh.resetCalls();
    const lines = await hubLogLines('info', async () => expect(await handler()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] }));
    expect(appmesh.calls().DescribeVirtualNode).toBe(1);
    // An open finding keeps the trigger that first found it (earlier tests): the run's own log line names this one.
    const audited = lines.find((l) => l.message === 'event audited');
    expect(audited).toMatchObject({ eventId: event.id, scope: 'appmesh-resource', trigger: expect.stringContaining('AWS::AppMesh::VirtualNode payments-api') });
    expect(audited?.findings).toBeGreaterThan(0);
    const open = await ledger().listOpenFindings({ provider: 'appmesh' });
    expect(open.find((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api')?.finding).toMatchObject({ resource: { kind: 'VirtualNode', mesh: 'prod-mesh' }, detail: { mode: 'PERMISSIVE' } });
  });

  it("a Config item of the deleted virtual node (ResourceDeleted) resolves the node's findings", async () => {
    const update = withNewId(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'), '32');
    expect(await handler()(sqsBatch(update), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    const id = (await ledger().listOpenFindings({ provider: 'appmesh' })).find((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api')!.id;
    const client = new AppMeshClient({ region: 'us-west-2', endpoint: appmesh.url });
    await client.send(new DeleteVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api' }));
    client.destroy();
    const deleted = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), '33');
    const item = deleted.detail.configurationItem;
    deleted.detail.configurationItemDiff = { changedProperties: { Configuration: { previousValue: item.configuration, updatedValue: null, changeType: 'DELETE' } }, changeType: 'DELETE' };
    item.configuration = null;
    item.configurationItemStatus = 'ResourceDeleted';
    expect(await handler()(sqsBatch(deleted), hubLambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await ledger().getFinding(id))?.status).toBe('resolved');
  });

  it('ignores a Config item of a resource type that is not App Mesh, logging why, instead of dead-lettering it', async () => {
    const event = withNewId(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'), '34');
    Object.assign(event.detail.configurationItem, { resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg-0a1b2c3d4e5f60718', resourceName: 'payments-api', ARN: 'arn:aws:ec2:us-west-2:111122223333:security-group/sg-0a1b2c3d4e5f60718' });
    appmesh.resetCalls();
    const lines = await hubLogLines('info', async () => expect(await handler()(sqsBatch(event), hubLambdaContext())).toEqual({ batchItemFailures: [] }));
    expect(lines.find((l) => l.message === 'event ignored')?.reason).toEqual(expect.stringContaining('AWS::EC2::SecurityGroup is not an App Mesh resource type'));
    expect(Object.values(appmesh.calls()).reduce((a, b) => a + (b ?? 0), 0)).toBe(0);
  });
});
