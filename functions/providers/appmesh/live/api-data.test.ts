import { asApiData, toDate } from './api-data';

describe('toDate', () => {
  it.each([
    ['Nov 20, 2026 3:00:49 PM', '2026-11-20T15:00:49.000Z'],
    ['Jun 3, 2026 9:14:27 AM', '2026-06-03T09:14:27.000Z'],
    ['2026-11-20T15:00:49Z', '2026-11-20T15:00:49.000Z'],
    [1795186849, '2026-11-20T15:00:49.000Z'],
  ])('reads %p', (value, iso) => {
    expect(toDate(value)?.toISOString()).toBe(iso);
  });

  it('gives undefined for what is no time', () => {
    expect(toDate('yesterday-ish')).toBeUndefined();
    expect(toDate(undefined)).toBeUndefined();
  });
});

describe('asApiData', () => {
  const route = {
    meshName: 'prod-mesh',
    virtualRouterName: 'payments-router',
    routeName: 'canary',
    spec: { httpRoute: { action: { weightedTargets: [{ virtualNode: 'payments-api', weight: 100 }] }, match: { prefix: '/' } } },
    metadata: { version: 2, createdAt: 'Jun 3, 2026 9:14:27 AM', lastUpdatedAt: 'not a date' },
  };

  it('accepts the resource it expects and converts its timestamps', () => {
    const data = asApiData('route', route, { meshName: 'prod-mesh', name: 'canary', parentName: 'payments-router' })!;
    expect(data.metadata.createdAt).toEqual(new Date('2026-06-03T09:14:27Z'));
    expect('lastUpdatedAt' in data.metadata).toBe(false);
    expect(route.metadata.createdAt).toBe('Jun 3, 2026 9:14:27 AM'); // the event is not changed
  });

  it.each([
    ['another mesh', { meshName: 'staging-mesh', name: 'canary', parentName: 'payments-router' }],
    ['another name', { meshName: 'prod-mesh', name: 'stable', parentName: 'payments-router' }],
    ['another router', { meshName: 'prod-mesh', name: 'canary', parentName: 'orders-router' }],
  ])('refuses data naming %s', (_what, expected) => {
    expect(asApiData('route', route, expected)).toBeUndefined();
  });

  it('refuses data without a spec', () => {
    expect(asApiData('virtualNode', { meshName: 'prod-mesh', virtualNodeName: 'payments-api' }, { meshName: 'prod-mesh', name: 'payments-api' })).toBeUndefined();
  });
});
