import { parseSpecChange } from './spec-change';

const UID = '5d8e1c3a-7b2f-4e9a-9c61-2f0d4b8a7e15';

function change(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    operation: 'update-virtual-node',
    meshName: 'prod-mesh',
    meshOwner: '111122223333',
    virtualNodeName: 'payments-api',
    expectedVersion: 1,
    resourceOwner: '111122223333',
    spec: { listeners: [] },
    ...extra,
  };
}

describe('parseSpecChange: expectedUid', () => {
  test('is read with the version: the write aborts on another incarnation of the resource', () => {
    expect(parseSpecChange(change({ expectedUid: UID }))).toEqual({
      ok: true,
      value: {
        target: { type: 'virtualNode', kind: 'VirtualNode', meshName: 'prod-mesh', meshOwner: '111122223333', name: 'payments-api' },
        expectedVersion: 1,
        expectedUid: UID,
        resourceOwner: '111122223333',
        spec: { listeners: [] },
      },
    });
  });

  test('is optional: a change planned before it was carried (or from describe JSON without a uid) still parses', () => {
    const parsed = parseSpecChange(change());
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.value).not.toHaveProperty('expectedUid');
    expect(parsed.ok && parsed.value.expectedVersion).toBe(1);
  });

  test.each([[42], [''], [null], [{ uid: UID }]])('anything but a non-empty string (%j) is a field error naming it', (expectedUid) => {
    expect(parseSpecChange(change({ expectedUid }))).toEqual({ ok: false, field: 'change.expectedUid', message: 'not a non-empty string' });
  });

  test('on a virtual gateway too', () => {
    const { virtualNodeName: _, ...rest } = change({ operation: 'update-virtual-gateway', virtualGatewayName: 'ingress-gw', expectedUid: UID });
    const parsed = parseSpecChange(rest);
    expect(parsed).toMatchObject({ ok: true, value: { target: { kind: 'VirtualGateway', name: 'ingress-gw' }, expectedUid: UID } });
  });
});
