/**
 * The exact change a fix would apply to one App Mesh object.
 *
 * API objects: `UpdateVirtualNode` / `UpdateVirtualGateway` replace the whole spec (API
 * Reference: the request carries `spec`, not a patch), so the change carries the whole new
 * spec, with `expectedVersion` = `metadata.version` for the writer's concurrency check, and
 * `expectedUid` = `metadata.uid` when the audit read one: App Mesh restarts the versions of a
 * resource deleted and re-created under the same name at 1, so the version alone cannot tell
 * the audited resource from a new one that reached the same version before the fix runs.
 * CRDs: a JSON merge patch (RFC 7386) of the spec; arrays are replaced whole, which is why a
 * listener change carries the whole `listeners` array.
 *
 * Both replace more than the part a fix sets, so two changes of one object built from the spec
 * as read would each put back what the other set. Every fix of an object therefore carries the
 * same change, with every edit meshgov proposes for that object (joinObjectFixes), as the Istio
 * provider does for the lists of a DestinationRule (clientFixes.ts).
 */
import { isRecord as isPlainObject } from '../../core/is-record';
import type { ClientPolicy, ProviderFix, ServerEndpoint } from '../../core/model/types';
import { sameJson as sameUnordered } from '../../core/approvals/same-json';
import { sameJson } from './same-json';
import { tlsToCrdSpelling } from './spelling';
import type { AppMeshObjectBase } from './types';

/*
 * New specs copy only the path they change and share the rest with the spec as read: a fleet
 * of 10k nodes gets 10k fixes, and deep copies of every spec would dominate the build. Nothing
 * downstream mutates a change; it is serialised or sent.
 */

/** `spec` with `listeners[index].tls` replaced. */
export function withListenerTls(spec: Record<string, any>, index: number, tls: unknown): Record<string, any> {
  const listeners = Array.isArray(spec.listeners) ? [...spec.listeners] : [];
  listeners[index] = { ...(listeners[index] ?? {}), tls };
  return { ...spec, listeners };
}

/** `spec` with `backends[index].virtualService.clientPolicy` replaced. */
export function withBackendClientPolicy(spec: Record<string, any>, index: number, clientPolicy: unknown): Record<string, any> {
  const backends = Array.isArray(spec.backends) ? [...spec.backends] : [];
  const backend = backends[index] ?? {};
  backends[index] = { ...backend, virtualService: { ...(backend.virtualService ?? {}), clientPolicy } };
  return { ...spec, backends };
}

/** `spec` with `backendDefaults.clientPolicy` replaced. */
export function withBackendDefaultsClientPolicy(spec: Record<string, any>, clientPolicy: unknown): Record<string, any> {
  return { ...spec, backendDefaults: { ...(spec.backendDefaults ?? {}), clientPolicy } };
}

/** Values in the source's own spelling (the CRDs spell `certificateARN`). */
export function inSourceSpelling<T>(owner: AppMeshObjectBase, value: T): T {
  return owner.origin === 'crd' ? tlsToCrdSpelling(value) : value;
}

/** RFC 7386: the merge patch that turns `before` into `after` (removed keys become null). */
export function mergePatchBetween(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const removed = Object.keys(before);
  for (let i = 0; i < removed.length; i++) {
    const key = removed[i];
    if (!(key in after) || after[key] === undefined) patch[key] = null;
  }
  const kept = Object.keys(after);
  for (let i = 0; i < kept.length; i++) {
    const key = kept[i];
    const value = after[key];
    if (value === undefined) continue;
    const old = before[key];
    if (sameJson(old, value)) continue;
    patch[key] = isPlainObject(old) && isPlainObject(value) ? mergePatchBetween(old, value) : value;
  }
  return patch;
}

/** The change that replaces `owner`'s spec with `newSpec` (written in the source's spelling). */
export function specChange(owner: AppMeshObjectBase, newSpec: Record<string, unknown>): Record<string, unknown> {
  if (owner.origin === 'crd' && owner.crd) {
    // Separate literals rather than nested ones: a nested literal is copied by a slow runtime walk.
    const target = { apiVersion: owner.crd.apiVersion, kind: owner.crd.kind, namespace: owner.crd.namespace, name: owner.crd.name };
    const patch = { spec: mergePatchBetween(owner.rawSpec, newSpec) };
    const change: Record<string, unknown> = { operation: 'merge-patch', target, patch };
    if (owner.crd.resourceVersion) change.expectedResourceVersion = owner.crd.resourceVersion;
    return change;
  }
  const isNode = owner.kind === 'VirtualNode';
  const change: Record<string, unknown> = {
    operation: isNode ? 'update-virtual-node' : 'update-virtual-gateway',
    meshName: owner.awsMesh,
  };
  if (owner.api?.meshOwner) change.meshOwner = owner.api.meshOwner;
  change[isNode ? 'virtualNodeName' : 'virtualGatewayName'] = owner.awsName;
  change.expectedVersion = owner.api?.version;
  if (owner.api?.uid) change.expectedUid = owner.api.uid;
  if (owner.api?.resourceOwner) change.resourceOwner = owner.api.resourceOwner;
  change.spec = newSpec;
  return change;
}

/** The one part of an owner's spec a fix sets: a listener's `tls`, a backend's `clientPolicy`, or `backendDefaults.clientPolicy`. */
export type SpecEdit =
  | { part: 'listener'; index: number; value: unknown }
  | { part: 'backend'; index: number; value: unknown }
  | { part: 'backendDefaults'; value: unknown };

function withEdit(spec: Record<string, any>, edit: SpecEdit): Record<string, any> {
  switch (edit.part) {
    case 'listener':
      return withListenerTls(spec, edit.index, edit.value);
    case 'backend':
      return withBackendClientPolicy(spec, edit.index, edit.value);
    case 'backendDefaults':
      return withBackendDefaultsClientPolicy(spec, edit.value);
  }
}

/** The path an edit writes, in the source's spelling (the CRD and the API name these alike). */
function pathOf(edit: SpecEdit): string {
  if (edit.part === 'listener') return `listeners[${edit.index}].tls`;
  if (edit.part === 'backend') return `backends[${edit.index}].virtualService.clientPolicy`;
  return 'backendDefaults.clientPolicy';
}

/** The owner and edit of each fix built by `editFix`, for joinObjectFixes. */
const editsOfFixes = new WeakMap<ProviderFix, { owner: AppMeshObjectBase; edit: SpecEdit }>();

/**
 * A fix whose change makes `edit` to `owner`'s spec, alone. joinObjectFixes later gives every
 * fix of the same owner the change that makes all their edits.
 */
export function editFix(owner: AppMeshObjectBase, edit: SpecEdit, fix: Omit<ProviderFix, 'change'>): ProviderFix {
  const { action, ...rest } = fix;
  const out: ProviderFix = { action, change: specChange(owner, withEdit(owner.rawSpec, edit)), ...rest };
  editsOfFixes.set(out, { owner, edit });
  return out;
}

/**
 * Joins the fixes of each App Mesh object, once the engine knows which findings are reported
 * (`reported`: their fixes; without it, every fix of the model): they all get
 * one change carrying every edit (a merge patch replaces `listeners` and `backends` whole, and
 * UpdateVirtualNode the whole spec, so one change per fix would put back what the others set),
 * and the same preconditions, so that the plan stage gives each the most cautious verdict among
 * them: the blockers of all (each fix's own first, since a plan's reason lists the first few),
 * manual if any is, and every server and client the change affects. Applying any one of the
 * plans, or all of them in any order, then ends in the same spec. Each fix keeps its action.
 *
 * Two fixes that need different values for the same part (two destinations of a virtual
 * gateway, which has only `backendDefaults`) cannot both have theirs: the change writes the first,
 * and a blocker asks a person to confirm it serves the others.
 */
export function joinObjectFixes(model: { servers: readonly ServerEndpoint[]; clients: readonly ClientPolicy[] }, reported?: ReadonlySet<ProviderFix>): void {
  const byOwner = new Map<AppMeshObjectBase, ProviderFix[]>();
  const seen = new Set<ProviderFix>();
  const add = (fix: ProviderFix | undefined): void => {
    const edited = fix && editsOfFixes.get(fix);
    // A fix whose finding is not reported (its rule off, the object excluded or suppressed) brings no edit.
    if (!edited || seen.has(fix) || (reported && !reported.has(fix))) return;
    seen.add(fix);
    const fixes = byOwner.get(edited.owner);
    if (fixes) fixes.push(fix);
    else byOwner.set(edited.owner, [fix]);
  };
  // Clients first: their fixes are built first (model.ts), and the first edit of a part is the one written.
  for (let i = 0; i < model.clients.length; i++) add(model.clients[i].fix);
  for (let i = 0; i < model.servers.length; i++) add(model.servers[i].fix);
  for (const [owner, fixes] of byOwner) if (fixes.length > 1) joinFixes(owner, fixes);
}

function partKey(edit: SpecEdit): string {
  return edit.part === 'backendDefaults' ? edit.part : `${edit.part}:${edit.index}`;
}

function joinFixes(owner: AppMeshObjectBase, fixes: ProviderFix[]): void {
  // An edit that leaves its part as read (its fix could not improve it, e.g. no client
  // certificate to add) changes nothing: it is not written, and its preconditions hold back no
  // other fix. Its fix still carries the joined change: a change of its own would put back the
  // spec as read.
  const changing = fixes.filter((fix) => {
    const edit = editsOfFixes.get(fix)!.edit;
    return !sameUnordered(partOf(owner.rawSpec, edit), edit.value);
  });
  if (changing.length === 0) return;
  // What meshgov may write (auto or approval) is joined apart from what only a person can make
  // (a client certificate to issue): a manual edit must not hold a writable one back. A person's
  // change carries the writable edits too, so applying it puts none of them back; the writable
  // change leaves the manual part as read, and a CRD patch names only the lists it sets.
  const writable = changing.filter((fix) => !fix.manualOnly);
  const manual = changing.filter((fix) => fix.manualOnly);
  const writableFixes = fixes.filter((fix) => !fix.manualOnly);
  // Values that disagree are found across both: a manual fix's part is as much served by what the writable change writes.
  const clashes = disagreements(owner, changing);
  if (writable.length > 0) joinGroup(owner, writableFixes, writable, clashes);
  if (manual.length > 0) joinGroup(owner, fixes.filter((fix) => fix.manualOnly), [...writable, ...manual], clashes);
}

/** A blocker for each part two of `changing` need different values of (a virtual gateway's one `backendDefaults`). */
function disagreements(owner: AppMeshObjectBase, changing: readonly ProviderFix[]): string[] {
  const firsts = new Map<string, SpecEdit>();
  const out: string[] = [];
  for (const fix of changing) {
    const edit = editsOfFixes.get(fix)!.edit;
    const key = partKey(edit);
    const first = firsts.get(key);
    if (!first) firsts.set(key, edit);
    else if (!sameUnordered(first.value, edit.value)) {
      addNew(out, [
        `the fixes of ${owner.kind} ${owner.name} need different values of ${pathOf(edit)}, which serves them all: this change writes the first; confirm it suits every destination, or change it`,
      ]);
    }
  }
  return out;
}

/** Gives every fix of `fixes` the change making the edits of `changing`, and their preconditions. */
function joinGroup(owner: AppMeshObjectBase, fixes: ProviderFix[], changing: ProviderFix[], clashes: readonly string[]): void {
  if (fixes.length === 0) return;

  const edits = new Map<string, SpecEdit>();
  for (const fix of changing) {
    const edit = editsOfFixes.get(fix)!.edit;
    if (!edits.has(partKey(edit))) edits.set(partKey(edit), edit);
  }
  let spec = owner.rawSpec;
  for (const edit of edits.values()) spec = withEdit(spec, edit);
  const change = specChange(owner, spec);

  // What the fixes that change something bring to every fix of the owner.
  const shared: Omit<ProviderFix, 'action' | 'change'> & { affectsClients: string[] } = { affectsServers: [], affectsClients: [], blockers: [] };
  for (const fix of changing) {
    addNew(shared.blockers, fix.blockers);
    addNew(shared.affectsServers, fix.affectsServers);
    if (fix.affectsClients) addNew(shared.affectsClients, fix.affectsClients);
    if (fix.manualOnly) shared.manualOnly = true;
    shared.manualReason ??= fix.manualReason;
  }
  addNew(shared.blockers, clashes);

  for (const fix of fixes) {
    fix.change = change;
    // Its own blockers first: a plan's reason lists only the first few.
    fix.blockers = joined(fix.blockers, shared.blockers);
    fix.affectsServers = joined(fix.affectsServers, shared.affectsServers);
    if (fix.affectsClients || shared.affectsClients.length > 0) fix.affectsClients = joined(fix.affectsClients ?? [], shared.affectsClients);
    if (shared.manualOnly) fix.manualOnly = true;
    if (fix.manualReason === undefined && shared.manualReason !== undefined) fix.manualReason = shared.manualReason;
  }
}

/** The value of the part `edit` sets, in `spec`. */
function partOf(spec: Record<string, any>, edit: SpecEdit): unknown {
  if (edit.part === 'listener') return Array.isArray(spec.listeners) ? spec.listeners[edit.index]?.tls : undefined;
  if (edit.part === 'backend') return Array.isArray(spec.backends) ? spec.backends[edit.index]?.virtualService?.clientPolicy : undefined;
  return spec.backendDefaults?.clientPolicy;
}

/** `own`, then what `more` adds: the same array when it adds nothing. */
function joined(own: string[], more: readonly string[]): string[] {
  let out: string[] | undefined;
  let have: Set<string> | undefined;
  for (const item of more) {
    have ??= new Set(own);
    if (have.has(item)) continue;
    have.add(item);
    (out ??= [...own]).push(item);
  }
  return out ?? own;
}

/** Adds what `to` lacks of `from`, keeping order. */
function addNew(to: string[], from: readonly string[]): void {
  if (from.length === 0) return;
  const have = new Set(to);
  for (const item of from) {
    if (have.has(item)) continue;
    have.add(item);
    to.push(item);
  }
}
