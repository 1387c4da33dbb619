import { sharedEvent } from '../../../../test/support/shared-events';
import { CloudTrailEventError, readCloudTrailEvent, scopeFromCloudTrail } from './scope-from-cloudtrail';

const UPDATE = 'aws/cloudtrail-appmesh-update-virtual-node.json';
const UPDATE_NO_RESPONSE = 'aws/cloudtrail-appmesh-update-virtual-node-no-response.json';
const DELETE = 'aws/cloudtrail-appmesh-delete-virtual-node.json';
const BY_MESHGOV = 'aws/cloudtrail-appmesh-update-by-meshgov-role.json';

/** The UpdateVirtualNode sample turned into an UpdateVirtualGateway call on `ingress-gw`. */
function gatewayUpdate(): any {
  const event = sharedEvent(UPDATE);
  const d = event.detail;
  d.eventName = 'UpdateVirtualGateway';
  const { virtualNodeName: _node, ...params } = d.requestParameters;
  d.requestParameters = {
    ...params,
    virtualGatewayName: 'ingress-gw',
    spec: { listeners: [{ portMapping: { port: 8443, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: 'arn:aws:acm:us-west-2:111122223333:certificate/2b7d4f90-1c3e-4a58-9d62-7e0f1a3c5b84' } } } }] },
  };
  const node = d.responseElements.virtualNode;
  d.responseElements = {
    virtualGateway: {
      meshName: node.meshName,
      virtualGatewayName: 'ingress-gw',
      spec: d.requestParameters.spec,
      metadata: { ...node.metadata, arn: 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualGateway/ingress-gw', version: 7 },
      status: { status: 'ACTIVE' },
    },
  };
  return event;
}

describe('scopeFromCloudTrail', () => {
  it('turns UpdateVirtualNode with responseElements into a scope carrying the VirtualNodeData, dates as Dates', () => {
    const scope = scopeFromCloudTrail(sharedEvent(UPDATE));
    expect(scope).toMatchObject({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'virtualNode', name: 'payments-api' });
    expect(scope.deleted).toBeUndefined();
    const data = scope.data as any;
    expect(data.virtualNodeName).toBe('payments-api');
    expect(data.metadata.version).toBe(3);
    expect(data.metadata.uid).toBe('5d8e1c3a-7b2f-4e9a-9c61-2f0d4b8a7e15');
    // "Nov 20, 2026 3:00:49 PM" in the record is UTC.
    expect(data.metadata.lastUpdatedAt).toEqual(new Date('2026-11-20T15:00:49Z'));
    expect(data.metadata.createdAt).toEqual(new Date('2026-06-03T09:14:27Z'));
    expect(data.spec.listeners[0].tls.mode).toBe('PERMISSIVE');
  });

  it('leaves data out when CloudTrail did not record the response, so the reader describes the node', () => {
    const scope = scopeFromCloudTrail(sharedEvent(UPDATE_NO_RESPONSE));
    expect(scope).toEqual({ kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'virtualNode', name: 'payments-api' });
  });

  it('marks DeleteVirtualNode as deleted and keeps the deleted uid', () => {
    const scope = scopeFromCloudTrail(sharedEvent(DELETE));
    expect(scope).toMatchObject({ resourceType: 'virtualNode', name: 'orders-api-legacy', deleted: true });
    expect((scope.data as any).metadata.uid).toBe('3a9c1e5b-7d2f-4b8a-a0c6-9e1f3b5d7a24');
  });

  it('reads a gateway update with its own name field and response member', () => {
    const scope = scopeFromCloudTrail(gatewayUpdate());
    expect(scope).toMatchObject({ resourceType: 'virtualGateway', name: 'ingress-gw', mesh: 'prod-mesh' });
    expect((scope.data as any).metadata.version).toBe(7);
  });

  it('takes the mesh owner from requestParameters for a shared mesh', () => {
    const event = sharedEvent(UPDATE_NO_RESPONSE);
    event.detail.requestParameters.meshOwner = '444455556666';
    expect(scopeFromCloudTrail(event).meshOwner).toBe('444455556666');
  });

  it('names the router of a route and the gateway of a gateway route', () => {
    const event = sharedEvent(UPDATE_NO_RESPONSE);
    event.detail.eventName = 'CreateRoute';
    event.detail.requestParameters = { meshName: 'prod-mesh', virtualRouterName: 'payments-router', routeName: 'payments-canary', spec: { httpRoute: {} } };
    expect(scopeFromCloudTrail(event)).toMatchObject({ resourceType: 'route', name: 'payments-canary', parentName: 'payments-router' });
    event.detail.eventName = 'DeleteGatewayRoute';
    event.detail.requestParameters = { meshName: 'prod-mesh', virtualGatewayName: 'ingress-gw', gatewayRouteName: 'payments-public' };
    expect(scopeFromCloudTrail(event)).toMatchObject({ resourceType: 'gatewayRoute', name: 'payments-public', parentName: 'ingress-gw', deleted: true });
  });

  it('reads mesh events by meshName', () => {
    const event = sharedEvent(DELETE);
    event.detail.eventName = 'DeleteMesh';
    event.detail.requestParameters = { meshName: 'staging-mesh' };
    event.detail.responseElements = null;
    expect(scopeFromCloudTrail(event)).toMatchObject({ resourceType: 'mesh', mesh: 'staging-mesh', name: 'staging-mesh', deleted: true });
  });

  it('drops responseElements that describe another resource than the request names', () => {
    const event = sharedEvent(UPDATE);
    event.detail.responseElements.virtualNode.virtualNodeName = 'payments-api-v2';
    expect(scopeFromCloudTrail(event).data).toBeUndefined();
  });

  it("reports the caller and the clientToken, so a handler can recognise meshgov's own change", () => {
    const result = readCloudTrailEvent(sharedEvent(BY_MESHGOV));
    expect(result.kind).toBe('scope');
    if (result.kind !== 'scope') return;
    expect(result.principal.roleArn).toBe('arn:aws:iam::111122223333:role/meshgov-remediator');
    expect(result.clientToken).toBe('meshgov-rmd-7c1e9a44d2b0');
    expect(result.trigger).toMatchObject({ source: 'cloudtrail', actor: 'arn:aws:sts::111122223333:assumed-role/meshgov-remediator/meshgov-hub-remediator' });
  });

  it('builds the trigger from the envelope id and the record time', () => {
    const result = readCloudTrailEvent(sharedEvent(UPDATE));
    expect(result.kind === 'scope' && result.trigger).toEqual({
      source: 'cloudtrail',
      eventId: 'b3f1c2d4-8e7a-4b6c-9d05-1a2e3f4c5d6e',
      eventTime: '2026-11-20T15:00:49Z',
      actor: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com',
      summary: 'UpdateVirtualNode payments-api in mesh prod-mesh by alice@example.com',
    });
  });

  it('ignores a failed call and a call that changes no spec, as ignorable errors', () => {
    const failed = sharedEvent(UPDATE_NO_RESPONSE);
    failed.detail.errorCode = 'ForbiddenException';
    expect(readCloudTrailEvent(failed)).toEqual({ kind: 'ignored', reason: 'UpdateVirtualNode failed (ForbiddenException): nothing changed' });
    const tag = sharedEvent(UPDATE_NO_RESPONSE);
    tag.detail.eventName = 'TagResource';
    expect(() => scopeFromCloudTrail(tag)).toThrow(expect.objectContaining({ name: 'CloudTrailEventError', ignorable: true }));
  });

  it.each([
    ['not an object', () => 'UpdateVirtualNode', ''],
    ['another detail-type', () => ({ ...sharedEvent(UPDATE), 'detail-type': 'Config Configuration Item Change' }), 'detail-type'],
    ['another source', () => ({ ...sharedEvent(UPDATE), source: 'aws.acm' }), 'source'],
    [
      'no node name',
      () => {
        const e = sharedEvent(UPDATE_NO_RESPONSE);
        delete e.detail.requestParameters.virtualNodeName;
        return e;
      },
      'detail.requestParameters.virtualNodeName',
    ],
    [
      'a route without its router',
      () => {
        const e = sharedEvent(UPDATE_NO_RESPONSE);
        e.detail.eventName = 'UpdateRoute';
        e.detail.requestParameters = { meshName: 'prod-mesh', routeName: 'payments-canary' };
        return e;
      },
      'detail.requestParameters.virtualRouterName',
    ],
    [
      'no requestParameters',
      () => {
        const e = sharedEvent(UPDATE_NO_RESPONSE);
        e.detail.requestParameters = null;
        return e;
      },
      'detail.requestParameters',
    ],
  ])('rejects %s with the field at fault', (_what, make, field) => {
    const event = make();
    const result = readCloudTrailEvent(event);
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.error.field).toBe(field);
    let thrown: unknown;
    try {
      scopeFromCloudTrail(event);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CloudTrailEventError);
    expect(thrown).toMatchObject({ field, ignorable: false });
  });
});
