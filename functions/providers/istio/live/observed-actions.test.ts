import { isObservedIstioAction, observedIstioAction, parseObservedIstioAction } from './observed-actions';

test.each([
  ['DestinationRule', 'update', 'istio.destinationrule.update'],
  ['PeerAuthentication', 'patch', 'istio.peerauthentication.patch'],
  ['ServiceEntry', 'create', 'istio.serviceentry.create'],
  ['PeerAuthentication', 'delete', 'istio.peerauthentication.delete'],
] as const)('%s %s is recorded as %s, and reads back', (kind, verb, action) => {
  expect(observedIstioAction(kind, verb)).toBe(action);
  expect(parseObservedIstioAction(action)).toEqual({ kind, verb });
});

test.each(['istio.peerauthentication.set-strict', 'istio.destinationrule.set-istio-mutual', 'istio.peerauthentication.create-strict', 'istio.destinationrule.update.undo', 'appmesh.route.update', 'istio.sidecar.update'])(
  "%s is not an observed change (meshgov's own fixes, an Undo, other providers and kinds)",
  (action) => {
    expect(isObservedIstioAction(action)).toBe(false);
  },
);

test('a kind meshgov does not observe has no action name', () => {
  expect(() => observedIstioAction('VirtualService', 'update')).toThrow(/VirtualService/);
});
