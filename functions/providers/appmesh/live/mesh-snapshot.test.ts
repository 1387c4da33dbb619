import { MeshSnapshot, MeshSnapshotCache } from './mesh-snapshot';

const ARN = 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh';

function node(name: string, version: number, extra: { uid?: string; createdAt?: Date; mode?: string } = {}) {
  return {
    meshName: 'prod-mesh',
    virtualNodeName: name,
    spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: extra.mode ?? 'STRICT' } }] },
    metadata: {
      arn: `${ARN}/virtualNode/${name}`,
      version,
      uid: extra.uid ?? `uid-${name}`,
      createdAt: extra.createdAt ?? new Date('2026-06-03T09:14:27Z'),
      meshOwner: '111122223333',
      resourceOwner: '111122223333',
    },
    status: { status: 'ACTIVE' },
  };
}

describe('MeshSnapshot.apply: the newer copy wins, whatever order events arrive in', () => {
  it('adds, updates to a higher version, and refuses an older or equal one', () => {
    const s = new MeshSnapshot('prod-mesh', '111122223333', 0);
    expect(s.apply('virtualNode', node('payments-api', 3, { mode: 'PERMISSIVE' }))).toBe('added');
    expect(s.apply('virtualNode', node('payments-api', 2, { mode: 'DISABLED' }))).toBe('stale');
    expect(s.apply('virtualNode', node('payments-api', 3, { mode: 'DISABLED' }))).toBe('unchanged');
    expect(s.get('virtualNode', 'payments-api')!.spec.listeners[0].tls.mode).toBe('PERMISSIVE');
    expect(s.apply('virtualNode', node('payments-api', 4))).toBe('updated');
    expect(s.get('virtualNode', 'payments-api')!.metadata.version).toBe(4);
  });

  it('keeps a versioned copy against a late copy without a version (an AWS Config item), unless that one was updated later', () => {
    const s = new MeshSnapshot('prod-mesh', '111122223333', 0);
    // bob's revert to STRICT, version 4, as the scheduled audit described it.
    const held = node('payments-api', 4);
    s.put('virtualNode', { ...held, metadata: { ...held.metadata, lastUpdatedAt: new Date('2026-11-20T15:03:10Z') } });
    // alice's PERMISSIVE as AWS Config recorded it: no version, no lastUpdatedAt.
    const late = node('payments-api', 0, { mode: 'PERMISSIVE' });
    const { version: _none, ...unversioned } = late.metadata;
    expect(s.apply('virtualNode', { ...late, metadata: unversioned })).toBe('stale');
    // Updated before the held copy: older; after it: newer.
    expect(s.apply('virtualNode', { ...late, metadata: { ...unversioned, lastUpdatedAt: new Date('2026-11-20T15:00:49Z') } })).toBe('stale');
    expect(s.get('virtualNode', 'payments-api')!.spec.listeners[0].tls.mode).toBe('STRICT');
    expect(s.apply('virtualNode', { ...late, metadata: { ...unversioned, lastUpdatedAt: new Date('2026-11-20T15:10:00Z') } })).toBe('updated');
    expect(s.get('virtualNode', 'payments-api')!.spec.listeners[0].tls.mode).toBe('PERMISSIVE');
  });

  it('takes a re-created resource (new uid, later createdAt) even at a lower version, and not the reverse', () => {
    const s = new MeshSnapshot('prod-mesh', '111122223333', 0);
    s.put('virtualNode', node('orders-api', 6, { uid: 'old', createdAt: new Date('2025-02-11T10:37:52Z') }));
    expect(s.apply('virtualNode', node('orders-api', 1, { uid: 'new', createdAt: new Date('2026-11-20T16:30:00Z') }))).toBe('updated');
    expect(s.apply('virtualNode', node('orders-api', 7, { uid: 'old', createdAt: new Date('2025-02-11T10:37:52Z') }))).toBe('stale');
    expect(s.get('virtualNode', 'orders-api')!.metadata.uid).toBe('new');
  });

  it('removes only the deleted incarnation, and a router with its routes', () => {
    const s = new MeshSnapshot('prod-mesh', '111122223333', 0);
    s.put('virtualNode', node('orders-api', 1, { uid: 'new' }));
    expect(s.remove('virtualNode', 'orders-api', undefined, 'old')).toBe(false);
    expect(s.get('virtualNode', 'orders-api')).toBeDefined();
    expect(s.remove('virtualNode', 'orders-api', undefined, 'new')).toBe(true);

    s.put('virtualRouter', { meshName: 'prod-mesh', virtualRouterName: 'payments-router', spec: {}, metadata: { version: 1 } });
    s.put('route', { meshName: 'prod-mesh', virtualRouterName: 'payments-router', routeName: 'canary', spec: {}, metadata: { version: 1 } });
    s.put('route', { meshName: 'prod-mesh', virtualRouterName: 'orders-router', routeName: 'canary', spec: {}, metadata: { version: 1 } });
    s.remove('virtualRouter', 'payments-router');
    expect(s.names('route')).toEqual(['canary']);
    expect(s.get('route', 'canary', 'orders-router')).toBeDefined();
  });

  it('lists the inventory in a fixed order (mesh, nodes, gateways, services, routers, routes, gateway routes; by name), located at each ARN', () => {
    const s = new MeshSnapshot('prod-mesh', '111122223333', 0);
    s.put('virtualService', { meshName: 'prod-mesh', virtualServiceName: 'a.svc', spec: {}, metadata: { arn: `${ARN}/virtualService/a.svc` } });
    s.put('virtualNode', node('b-node', 1));
    s.put('virtualNode', node('a-node', 1));
    s.put('mesh', { meshName: 'prod-mesh', spec: {}, metadata: { arn: ARN } });
    s.put('route', { meshName: 'prod-mesh', virtualRouterName: 'r', routeName: 'x', spec: {}, metadata: {} });
    const inventory = s.inventory();
    expect(inventory.map((l) => `${l.doc.type}:${l.source.file}`)).toEqual([
      `mesh:${ARN}`,
      `virtualNode:${ARN}/virtualNode/a-node`,
      `virtualNode:${ARN}/virtualNode/b-node`,
      `virtualService:${ARN}/virtualService/a.svc`,
      // No ARN in the data: a stable stand-in with the same layout.
      'route:appmesh:111122223333:mesh/prod-mesh/virtualRouter/r/route/x',
    ]);
    expect(inventory.every((l) => l.source.line === 1)).toBe(true);
  });
});

describe('MeshSnapshotCache', () => {
  it('finds a mesh by name when the owner is not given: the caller account first, else the only one', () => {
    const cache = new MeshSnapshotCache();
    cache.set(new MeshSnapshot('prod-mesh', '444455556666', 0));
    expect(cache.find('prod-mesh')?.meshOwner).toBe('444455556666');
    cache.set(new MeshSnapshot('prod-mesh', '111122223333', 0));
    expect(cache.find('prod-mesh')).toBeUndefined();
    expect(cache.find('prod-mesh', undefined, '111122223333')?.meshOwner).toBe('111122223333');
    expect(cache.find('prod-mesh', '444455556666')?.meshOwner).toBe('444455556666');
  });

  it("records a written resource into its mesh's snapshot, and ignores meshes it does not hold", () => {
    const cache = new MeshSnapshotCache();
    const s = new MeshSnapshot('prod-mesh', '111122223333', 0);
    s.put('virtualNode', node('payments-api', 3, { mode: 'PERMISSIVE' }));
    cache.set(s);
    expect(cache.record('virtualNode', node('payments-api', 4))).toBe('updated');
    expect(s.get('virtualNode', 'payments-api')!.spec.listeners[0].tls.mode).toBe('STRICT');
    expect(cache.record('virtualNode', { ...node('x', 1), meshName: 'staging-mesh' })).toBeUndefined();
  });
});
