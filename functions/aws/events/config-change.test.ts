import { sharedEvent } from '../../../test/support/shared-events';
import { scopeFromCloudTrail } from '../../providers/appmesh/live/scope-from-cloudtrail';
import { classifyEvent } from './classify-event';
import { EventError } from './event-error';
import { parseEventBridge } from './parse-eventbridge';

/**
 * AWS Config "Config Configuration Item Change" events beyond the plain update: oversized
 * notifications (a summary instead of the item), deletions, and resource types meshgov does
 * not govern. Shapes: AWS Config Developer Guide, "Example Oversized Configuration Item Change
 * Notification", "Example Delivery Failed Notification" and ConfigurationItem.configurationItemStatus.
 */

const OPTIONS = { remediatorRoleArns: ['arn:aws:iam::111122223333:role/meshgov-remediator'], scopeFromCloudTrail, meshes: ['prod-mesh'], accountId: '111122223333', region: 'us-west-2' };
const ROUTE_ARN = 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualRouter/payments-router/route/canary';

/** The shared Config event as AWS Config sends it when the item is too large: a summary and where S3 holds the whole item. */
function oversized(messageType = 'OversizedConfigurationItemChangeNotification'): any {
  const e = sharedEvent('aws/config-item-change-appmesh-virtual-node.json');
  const item = e.detail.configurationItem;
  const summary: Record<string, unknown> = { changeType: 'UPDATE' };
  for (const k of ['configurationItemVersion', 'configurationItemCaptureTime', 'configurationStateId', 'awsAccountId', 'configurationItemStatus', 'resourceType', 'resourceId', 'resourceName', 'ARN', 'awsRegion', 'availabilityZone', 'configurationStateMd5Hash', 'resourceCreationTime']) summary[k] = item[k];
  const key = `AWSLogs/111122223333/Config/us-west-2/2026/11/20/OversizedChangeNotification/AWS::AppMesh::VirtualNode/${encodeURIComponent(item.resourceId)}/111122223333_Config_us-west-2_ChangeNotification_AWS::AppMesh::VirtualNode_20261120T150122Z_0.json.gz`;
  e.detail = {
    configurationItemSummary: summary,
    s3DeliverySummary: messageType.endsWith('DeliveryFailed')
      ? { s3BucketLocation: null, errorCode: 'NoSuchBucket', errorMessage: 'Failed to deliver notification to bucket: config-bucket-111122223333 for account 111122223333 in region us-west-2.' }
      : { s3BucketLocation: `config-bucket-111122223333/${key}`, errorCode: null, errorMessage: null },
    notificationCreationTime: e.detail.notificationCreationTime,
    messageType,
    recordVersion: '1.0',
  };
  return e;
}

/** The shared Config event for a deleted resource: no configuration, the old one in the diff. */
function deletedItem(status: 'ResourceDeleted' | 'ResourceDeletedNotRecorded'): any {
  const e = sharedEvent('aws/config-item-change-appmesh-virtual-node.json');
  const item = e.detail.configurationItem;
  e.detail.configurationItemDiff = status === 'ResourceDeleted' ? { changedProperties: { Configuration: { previousValue: item.configuration, updatedValue: null, changeType: 'DELETE' } }, changeType: 'DELETE' } : null;
  item.configuration = null;
  item.supplementaryConfiguration = {};
  item.configurationItemStatus = status;
  return e;
}

/** The same virtual node in a same-named mesh that account 444455556666 owns and shares. */
const OTHER_ACCOUNT_ARN = 'arn:aws:appmesh:us-west-2:444455556666:mesh/prod-mesh/virtualNode/payments-api';

function withArn(e: any, key: 'configurationItem' | 'configurationItemSummary', fields: Record<string, unknown> = {}): any {
  Object.assign(e.detail[key], { ARN: OTHER_ACCOUNT_ARN, resourceId: OTHER_ACCOUNT_ARN, ...fields });
  return e;
}

function classify(e: unknown, options: Partial<typeof OPTIONS> = {}) {
  return classifyEvent(parseEventBridge(e), { ...OPTIONS, ...options });
}

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(EventError);
    return (err as EventError).field;
  }
  return undefined;
}

describe('AWS Config oversized notifications', () => {
  it('audits the App Mesh resource the summary names, to be read live (no data from the event)', () => {
    const c = classify(oversized());
    expect(c).toMatchObject({ kind: 'audit', trigger: { source: 'aws-config', summary: expect.stringContaining('AWS::AppMesh::VirtualNode payments-api') } });
    expect((c as any).scope).toEqual({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'virtualNode', name: 'payments-api' });
  });

  it('audits the resource when AWS Config could not deliver the whole item to S3 either', () => {
    expect(classify(oversized('OversizedConfigurationItemChangeDeliveryFailed'))).toMatchObject({ kind: 'audit', scope: { resourceType: 'virtualNode', name: 'payments-api' } });
  });

  it("names a route's router from the ARN, and takes the ARN from resourceId when ARN is absent", () => {
    const e = oversized();
    Object.assign(e.detail.configurationItemSummary, { resourceType: 'AWS::AppMesh::Route', resourceId: ROUTE_ARN, resourceName: null, ARN: undefined });
    expect((classify(e) as any).scope).toEqual({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'route', name: 'canary', parentName: 'payments-router' });
  });

  it.each([
    ['changeType DELETE', { changeType: 'DELETE', configurationItemStatus: 'ResourceDeleted' }],
    ['status ResourceDeletedNotRecorded', { changeType: 'DELETE', configurationItemStatus: 'ResourceDeletedNotRecorded' }],
  ])('marks a deletion (%s) as a deleted-resource scope', (_what, fields) => {
    const e = oversized();
    Object.assign(e.detail.configurationItemSummary, fields);
    expect((classify(e) as any).scope).toEqual({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'virtualNode', name: 'payments-api', deleted: true });
  });

  it("ignores a summary from another region, naming it (the summary's awsRegion)", () => {
    const e = oversized();
    e.detail.configurationItemSummary.awsRegion = 'eu-west-1';
    expect(classify(e)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining("region eu-west-1, not in this deployment's region (us-west-2)") });
  });

  it('ignores a summary of a mesh the deployment does not govern', () => {
    expect(classify(oversized(), { meshes: ['staging-mesh'] })).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('mesh prod-mesh is not governed') });
  });

  it('refuses a summary it cannot read, naming the field', () => {
    const none = oversized();
    delete none.detail.configurationItemSummary;
    expect(fieldOf(() => classify(none))).toBe('detail.configurationItemSummary');
    const noType = oversized();
    delete noType.detail.configurationItemSummary.resourceType;
    expect(fieldOf(() => classify(noType))).toBe('detail.configurationItemSummary.resourceType');
    const noArn = oversized();
    Object.assign(noArn.detail.configurationItemSummary, { ARN: null, resourceId: 'payments-api' });
    expect(fieldOf(() => classify(noArn))).toBe('detail.configurationItemSummary.ARN');
    const foreignArn = oversized();
    foreignArn.detail.configurationItemSummary.ARN = 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualService/payments.svc';
    expect(() => classify(foreignArn)).toThrow(/detail.configurationItemSummary.ARN: .*not a virtualNode/);
  });
});

describe('AWS Config message types and resource types', () => {
  it('refuses a message type it does not know, naming detail.messageType', () => {
    const e = sharedEvent('aws/config-item-change-appmesh-virtual-node.json');
    e.detail.messageType = 'ConfigurationSnapshotDeliveryCompleted';
    expect(() => classify(e)).toThrow(/detail.messageType: .*ConfigurationSnapshotDeliveryCompleted/);
  });

  it('ignores an item, or a summary, of a resource type that is not App Mesh, with the type in the reason', () => {
    const item = sharedEvent('aws/config-item-change-appmesh-virtual-node.json');
    item.detail.configurationItem.resourceType = 'AWS::EC2::SecurityGroup';
    expect(classify(item)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('AWS::EC2::SecurityGroup is not an App Mesh resource type') });
    const summary = oversized();
    summary.detail.configurationItemSummary.resourceType = 'AWS::EC2::Instance';
    expect(classify(summary)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('AWS::EC2::Instance is not an App Mesh resource type') });
  });
});

describe('AWS Config deletions', () => {
  it('ResourceDeleted: a deleted-resource scope with no data, its mesh owner from the previous configuration', () => {
    expect((classify(deletedItem('ResourceDeleted')) as any).scope).toEqual({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'virtualNode', name: 'payments-api', deleted: true });
  });

  it('ResourceDeletedNotRecorded (no configuration, no diff): a deleted-resource scope named by the ARN, its owner the ARN\'s account', () => {
    expect((classify(deletedItem('ResourceDeletedNotRecorded')) as any).scope).toEqual({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'virtualNode', name: 'payments-api', deleted: true });
  });

  it("a deleted route keeps its router (from the ARN), so only that router's route takes its findings", () => {
    const e = deletedItem('ResourceDeletedNotRecorded');
    Object.assign(e.detail.configurationItem, { resourceType: 'AWS::AppMesh::Route', resourceId: ROUTE_ARN, ARN: ROUTE_ARN, resourceName: 'canary' });
    expect((classify(e) as any).scope).toMatchObject({ resourceType: 'route', name: 'canary', parentName: 'payments-router', deleted: true });
  });

  it("a deletion in another account's shared mesh (MeshOwner in the diff's previous configuration) is ignored", () => {
    const e = deletedItem('ResourceDeleted');
    e.detail.configurationItemDiff.changedProperties.Configuration.previousValue.MeshOwner = '444455556666';
    expect(classify(e)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('owned by account 444455556666') });
  });

  it.each([
    ['ResourceDeletedNotRecorded item (no configuration, no diff)', () => withArn(deletedItem('ResourceDeletedNotRecorded'), 'configurationItem')],
    ['oversized summary with changeType DELETE', () => withArn(oversized(), 'configurationItemSummary', { changeType: 'DELETE', configurationItemStatus: 'ResourceDeleted' })],
    ['oversized summary of an update', () => withArn(oversized(), 'configurationItemSummary')],
  ])("a change in another account's shared mesh, named only by the ARN's account, is ignored: %s", (_what, build) => {
    expect(classify(build())).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('owned by account 444455556666, not by this account (111122223333)') });
  });

  it("the configuration's MeshOwner, when there is one, is the owner rather than the ARN's account", () => {
    const e = sharedEvent('aws/config-item-change-appmesh-virtual-node.json');
    e.detail.configurationItem.ARN = OTHER_ACCOUNT_ARN;
    expect((classify(e) as any).scope).toMatchObject({ meshOwner: '111122223333' });
  });

  it('changeType DELETE alone marks the deletion', () => {
    const e = deletedItem('ResourceDeleted');
    e.detail.configurationItem.configurationItemStatus = 'OK';
    expect((classify(e) as any).scope).toMatchObject({ deleted: true, name: 'payments-api' });
  });

  it('an item whose configuration AWS Config did not record (ResourceNotRecorded) is read live', () => {
    const e = deletedItem('ResourceDeletedNotRecorded');
    e.detail.configurationItem.configurationItemStatus = 'ResourceNotRecorded';
    expect((classify(e) as any).scope).toEqual({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'virtualNode', name: 'payments-api' });
  });

  it('refuses an item whose ARN names another kind of resource, rather than resolve the wrong findings', () => {
    const e = deletedItem('ResourceDeleted');
    e.detail.configurationItem.resourceType = 'AWS::AppMesh::VirtualRouter';
    expect(() => classify(e)).toThrow(/detail.configurationItem.ARN: .*virtualNode\/payments-api is not a virtualRouter/);
  });

  it('a deleted mesh (ARN `mesh/<name>`) is a deleted mesh scope', () => {
    const e = oversized();
    Object.assign(e.detail.configurationItemSummary, { resourceType: 'AWS::AppMesh::Mesh', ARN: 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh', resourceName: 'prod-mesh', changeType: 'DELETE', configurationItemStatus: 'ResourceDeleted' });
    expect((classify(e) as any).scope).toEqual({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'mesh', name: 'prod-mesh', deleted: true });
  });

  it('still refuses a recorded (OK) item with no configuration', () => {
    const e = sharedEvent('aws/config-item-change-appmesh-virtual-node.json');
    e.detail.configurationItem.configuration = null;
    expect(fieldOf(() => classify(e))).toBe('detail.configurationItem.configuration');
  });
});
