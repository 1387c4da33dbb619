import { sharedEvent } from '../../../test/support/shared-events';
import { scopeFromConfigItem } from './config-item';
import { EventError } from './event-error';
import { scopeFromCloudTrail } from '../../providers/appmesh/live/scope-from-cloudtrail';
import { classifyEvent } from './classify-event';
import { actorOf, isOwnChange } from './own-change';
import { parseEventBridge, parseEventBridgeBody } from './parse-eventbridge';

const REMEDIATOR = 'arn:aws:iam::111122223333:role/meshgov-remediator';

describe('parseEventBridge', () => {
  it('accepts the shared CloudTrail, Config, ACM, alarm and schedule events', () => {
    for (const f of ['cloudtrail-appmesh-update-virtual-node.json', 'config-item-change-appmesh-virtual-node.json', 'acm-certificate-approaching-expiration.json', 'cloudwatch-alarm-state-change-latency.json', 'scheduled-event.json']) {
      expect(parseEventBridge(sharedEvent(`aws/${f}`)).id).toEqual(expect.any(String));
    }
  });

  it('reads the EventBridge event inside an SQS record body', () => {
    const sqs = sharedEvent('aws/sqs-event-with-eventbridge-record.json');
    expect(parseEventBridgeBody(sqs.Records[0].body).detail.eventName).toBe('UpdateVirtualNode');
  });

  it.each([
    ['a missing detail-type', (e: any) => delete e['detail-type'], 'detail-type'],
    ['a time that is not a date', (e: any) => (e.time = 'yesterday'), 'time'],
    ['resources that are not a list', (e: any) => (e.resources = 'arn'), 'resources'],
  ])('names the field for %s', (_what, mutate, field) => {
    const e = sharedEvent('aws/scheduled-event.json');
    mutate(e);
    expect(() => parseEventBridge(e)).toThrow(EventError);
    try {
      parseEventBridge(e);
    } catch (err) {
      expect((err as EventError).field).toBe(field);
      expect((err as EventError).eventId).toBe('3c5e7a9b-1d3f-4b5a-8c7e-9f1b3d5a7c60');
    }
  });

  it('says what the field should have been', () => {
    const e = sharedEvent('aws/scheduled-event.json');
    e.time = 'yesterday';
    expect(() => parseEventBridge(e)).toThrow('time: not an EventBridge event: not a valid datetime');
    const f = sharedEvent('aws/scheduled-event.json');
    delete f['detail-type'];
    expect(() => parseEventBridge(f)).toThrow('detail-type: not an EventBridge event: expected string');
  });

  it('says when a body is not JSON', () => {
    expect(() => parseEventBridgeBody('{"version": "0",')).toThrow(/body: not JSON/);
  });
});

describe('isOwnChange', () => {
  it("recognises meshgov's remediator role, by ARN or by role name", () => {
    const own = sharedEvent('aws/cloudtrail-appmesh-update-by-meshgov-role.json').detail;
    expect(isOwnChange(own, [REMEDIATOR])).toBe(true);
    expect(isOwnChange(own, ['arn:aws:iam::111122223333:role/service-role/meshgov-remediator'])).toBe(true);
  });
  it("does not take another account's role of the same name for meshgov's (account and name must both match)", () => {
    const other = sharedEvent('aws/cloudtrail-appmesh-update-by-meshgov-role.json').detail;
    other.userIdentity.arn = 'arn:aws:sts::444455556666:assumed-role/meshgov-remediator/someone';
    other.userIdentity.accountId = '444455556666';
    other.userIdentity.sessionContext.sessionIssuer.arn = 'arn:aws:iam::444455556666:role/meshgov-remediator';
    expect(isOwnChange(other, [REMEDIATOR])).toBe(false);
    expect(isOwnChange(other, ['arn:aws:iam::111122223333:role/service-role/meshgov-remediator'])).toBe(false);
    // Without the session issuer (only the assumed-role ARN), the account still has to match.
    delete other.userIdentity.sessionContext;
    expect(isOwnChange(other, [REMEDIATOR])).toBe(false);
    other.userIdentity.arn = 'arn:aws:sts::111122223333:assumed-role/meshgov-remediator/someone';
    expect(isOwnChange(other, [REMEDIATOR])).toBe(true);
  });

  it('does not take a person or a CI user for meshgov', () => {
    expect(isOwnChange(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail, [REMEDIATOR])).toBe(false);
    expect(isOwnChange(sharedEvent('aws/cloudtrail-appmesh-delete-virtual-node.json').detail, [REMEDIATOR])).toBe(false);
  });
  it('names the actor', () => {
    expect(actorOf(sharedEvent('aws/cloudtrail-appmesh-delete-virtual-node.json').detail)).toBe('arn:aws:iam::111122223333:user/ci-deployer');
  });
});

describe('scopeFromConfigItem', () => {
  it('names the resource and its mesh owner, and carries no data: Config records no version, so the audit reads it live', () => {
    const scope = scopeFromConfigItem(parseEventBridge(sharedEvent('aws/config-item-change-appmesh-virtual-node.json')));
    expect(scope).toEqual({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'virtualNode', name: 'payments-api' });
  });

  it('handles a route (with its router) and a deletion', () => {
    const e = sharedEvent('aws/config-item-change-appmesh-virtual-node.json');
    const routeArn = 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualRouter/payments-router/route/canary';
    Object.assign(e.detail.configurationItem, { resourceType: 'AWS::AppMesh::Route', resourceId: routeArn, ARN: routeArn, resourceName: 'canary' });
    e.detail.configurationItem.configuration = { MeshName: 'prod-mesh', VirtualRouterName: 'payments-router', RouteName: 'canary', Spec: { HttpRoute: { Action: { WeightedTargets: [{ VirtualNode: 'payments-api-v2', Weight: 10 }] }, Match: { Prefix: '/' } } } };
    const route = scopeFromConfigItem(parseEventBridge(e)) as any;
    expect(route).toMatchObject({ resourceType: 'route', name: 'canary', parentName: 'payments-router' });
    expect(route.data).toBeUndefined();
    e.detail.configurationItem.configurationItemStatus = 'ResourceDeleted';
    expect(scopeFromConfigItem(parseEventBridge(e))).toMatchObject({ deleted: true, name: 'canary' });
  });

  it('refuses a non-App Mesh type and a missing configuration, naming the field', () => {
    const e = sharedEvent('aws/config-item-change-appmesh-virtual-node.json');
    e.detail.configurationItem.resourceType = 'AWS::EC2::SecurityGroup';
    expect(() => scopeFromConfigItem(parseEventBridge(e))).toThrow(/detail.configurationItem.resourceType: not an App Mesh type/);
    const f = sharedEvent('aws/config-item-change-appmesh-virtual-node.json');
    delete f.detail.configurationItem.configuration;
    expect(() => scopeFromConfigItem(parseEventBridge(f))).toThrow(/detail.configurationItem.configuration: missing/);
  });

});

describe('classifyEvent: shared meshes', () => {
  const options = { remediatorRoleArns: [REMEDIATOR], scopeFromCloudTrail, meshes: ['prod-mesh'] };
  /** alice's UpdateVirtualNode, sent to a same-named mesh of `owner` (App Mesh `meshOwner`). */
  const inMeshOf = (owner?: string) => {
    const event = parseEventBridge(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'));
    if (owner) {
      event.detail.requestParameters.meshOwner = owner;
      event.detail.responseElements.virtualNode.metadata.meshOwner = owner;
    }
    return event;
  };

  it("ignores an event for another account's mesh, naming the owner, whatever the mesh is called", () => {
    expect(classifyEvent(inMeshOf('444455556666'), { ...options, accountId: '111122223333' })).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('owned by account 444455556666, not by this account (111122223333)'),
    });
    // Without MESHGOV_ACCOUNT_ID, the account the event was recorded in is this one.
    expect(classifyEvent(inMeshOf('444455556666'), options)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('owned by account 444455556666') });
  });

  it("audits this account's own mesh, named with or without meshOwner", () => {
    expect(classifyEvent(inMeshOf(), { ...options, accountId: '111122223333' })).toMatchObject({ kind: 'audit', scope: { mesh: 'prod-mesh', meshOwner: '111122223333' } });
    expect(classifyEvent(inMeshOf('111122223333'), options)).toMatchObject({ kind: 'audit' });
  });
});

describe('classifyEvent: regions', () => {
  const options = { remediatorRoleArns: [REMEDIATOR], scopeFromCloudTrail, meshes: ['prod-mesh'], region: 'us-west-2' };

  it('audits a call made in its own region', () => {
    expect(classifyEvent(parseEventBridge(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json')), options)).toMatchObject({ kind: 'audit' });
  });

  it("ignores a CloudTrail call (detail.awsRegion) and a Config item (configurationItem.awsRegion) from another region, naming both", () => {
    const call = parseEventBridge(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'));
    call.detail.awsRegion = 'eu-west-1';
    expect(classifyEvent(call, options)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining("region eu-west-1, not in this deployment's region (us-west-2)") });
    const item = parseEventBridge(sharedEvent('aws/config-item-change-appmesh-virtual-node.json'));
    item.detail.configurationItem.awsRegion = 'ap-southeast-2';
    expect(classifyEvent(item, options)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('region ap-southeast-2') });
  });

  it('checks no region when the deployment names none', () => {
    const call = parseEventBridge(sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json'));
    call.detail.awsRegion = 'eu-west-1';
    expect(classifyEvent(call, { ...options, region: undefined })).toMatchObject({ kind: 'audit' });
  });
});
