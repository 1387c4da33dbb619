import { isUndoAction, undoActionOf, undoneActionOf } from './undo-action';

test('an Undo is the action with the .undo suffix, and names the action it reverses', () => {
  const undo = undoActionOf('appmesh.listener.set-strict');
  expect(undo).toBe('appmesh.listener.set-strict.undo');
  expect(isUndoAction(undo)).toBe(true);
  expect(undoneActionOf(undo)).toBe('appmesh.listener.set-strict');
});

test.each(['istio.destinationrule.update', 'appmesh.route.update', 'istio.undo-policy.apply', 'appmesh.listener.set-strict.undone'])(
  '%s is not an Undo',
  (action) => {
    expect(isUndoAction(action)).toBe(false);
    expect(undoneActionOf(action)).toBeUndefined();
  },
);

test('the Undo of an Undo is an Undo of that Undo, not the original action', () => {
  expect(undoneActionOf(undoActionOf('istio.route.update.undo'))).toBe('istio.route.update.undo');
});
