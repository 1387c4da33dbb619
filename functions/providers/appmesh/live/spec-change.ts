/**
 * The whole-spec change an App Mesh fix carries (functions/providers/appmesh/changes.ts
 * `specChange`), read back from a Remediation and checked field by field.
 */
export type WritableType = 'virtualNode' | 'virtualGateway';

export interface WriteTarget {
  type: WritableType;
  kind: 'VirtualNode' | 'VirtualGateway';
  meshName: string;
  /** Omitted: the caller's own mesh. */
  meshOwner?: string;
  name: string;
}

export interface SpecChange {
  target: WriteTarget;
  expectedVersion?: number;
  /**
   * The `metadata.uid` the audit read. Absent in changes planned before it was carried, and from
   * describe JSON without one: the version check alone applies then.
   */
  expectedUid?: string;
  resourceOwner?: string;
  spec: Record<string, any>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

const OPERATIONS: Record<string, { type: WritableType; kind: WriteTarget['kind']; nameField: string }> = {
  'update-virtual-node': { type: 'virtualNode', kind: 'VirtualNode', nameField: 'virtualNodeName' },
  'update-virtual-gateway': { type: 'virtualGateway', kind: 'VirtualGateway', nameField: 'virtualGatewayName' },
};

export function isSpecChange(change: Record<string, unknown>): boolean {
  return typeof change.operation === 'string' && change.operation in OPERATIONS;
}

export function parseSpecChange(change: Record<string, unknown>): Parsed<SpecChange> {
  const op = typeof change.operation === 'string' ? OPERATIONS[change.operation] : undefined;
  if (!op) return { ok: false, field: 'change.operation', message: `expected update-virtual-node or update-virtual-gateway, got ${JSON.stringify(change.operation)}` };
  const meshName = change.meshName;
  if (typeof meshName !== 'string' || meshName === '') return { ok: false, field: 'change.meshName', message: 'missing' };
  const name = change[op.nameField];
  if (typeof name !== 'string' || name === '') return { ok: false, field: `change.${op.nameField}`, message: 'missing' };
  if (change.meshOwner !== undefined && typeof change.meshOwner !== 'string') return { ok: false, field: 'change.meshOwner', message: 'not a string' };
  if (change.resourceOwner !== undefined && typeof change.resourceOwner !== 'string') return { ok: false, field: 'change.resourceOwner', message: 'not a string' };
  if (change.expectedVersion !== undefined && typeof change.expectedVersion !== 'number') return { ok: false, field: 'change.expectedVersion', message: 'not a number' };
  if (change.expectedUid !== undefined && (typeof change.expectedUid !== 'string' || change.expectedUid === '')) return { ok: false, field: 'change.expectedUid', message: 'not a non-empty string' };
  const spec = change.spec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return { ok: false, field: 'change.spec', message: 'not an object: an update must carry the whole spec' };
  const target: WriteTarget = { type: op.type, kind: op.kind, meshName, name };
  if (change.meshOwner) target.meshOwner = change.meshOwner as string;
  const value: SpecChange = { target, spec: spec as Record<string, any> };
  if (typeof change.expectedVersion === 'number') value.expectedVersion = change.expectedVersion;
  if (typeof change.expectedUid === 'string') value.expectedUid = change.expectedUid;
  if (change.resourceOwner) value.resourceOwner = change.resourceOwner as string;
  return { ok: true, value };
}

/** The target a change record carries (as appMeshExecutor wrote it), for an undo. */
export function parseRecordedTarget(target: Record<string, unknown>): Parsed<WriteTarget & { version?: number; uid?: string }> {
  const kind = target.kind;
  if (kind !== 'VirtualNode' && kind !== 'VirtualGateway') return { ok: false, field: 'target.kind', message: `expected VirtualNode or VirtualGateway, got ${JSON.stringify(kind)}` };
  if (typeof target.mesh !== 'string' || target.mesh === '') return { ok: false, field: 'target.mesh', message: 'missing' };
  if (typeof target.name !== 'string' || target.name === '') return { ok: false, field: 'target.name', message: 'missing' };
  const value: WriteTarget & { version?: number; uid?: string } = {
    type: kind === 'VirtualNode' ? 'virtualNode' : 'virtualGateway',
    kind,
    meshName: target.mesh,
    name: target.name,
  };
  if (typeof target.meshOwner === 'string' && target.meshOwner) value.meshOwner = target.meshOwner;
  if (typeof target.version === 'number') value.version = target.version;
  if (typeof target.uid === 'string' && target.uid) value.uid = target.uid;
  return { ok: true, value };
}
