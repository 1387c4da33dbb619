/**
 * The Undo of a change is the change's action with one suffix (`appmesh.listener.set-strict.undo`).
 * The ledger, the Slack messages and every executor read and write that spelling, so it lives here
 * once.
 */
const UNDO_SUFFIX = '.undo';

/** The action that undoes `action`: `istio.peerauthentication.set-strict` → `….set-strict.undo`. */
export function undoActionOf(action: string): string {
  return `${action}${UNDO_SUFFIX}`;
}

export function isUndoAction(action: string): boolean {
  return action.endsWith(UNDO_SUFFIX);
}

/** The action an Undo reverses, or undefined when `action` is not an Undo. */
export function undoneActionOf(action: string): string | undefined {
  return isUndoAction(action) ? action.slice(0, -UNDO_SUFFIX.length) : undefined;
}
