/**
 * The cluster state behind the emulator and the meaning of each verb on it: get, list,
 * create, update, patch (merge, JSON, strategic for built-ins, server-side apply), delete and
 * deletecollection. The HTTP layer routes to `handle`; tests reach the same state directly
 * through `seed`, `get`, `list` and `bumpResourceVersion`.
 */
import { randomUUID } from 'node:crypto';
import { jsonEqual } from './json-equality';
import { applyJsonPatch, JsonPatchError } from './json-patch';
import { listObjects, selectObjects } from './list-objects';
import { recordUpdate, type FieldOwner } from './managed-fields';
import { applyMergePatch, isJsonObject } from './merge-patch';
import { ObjectStore } from './object-store';
import { formatTime, presentList, presentObject } from './presentation';
import { parseApplyBody, parseJsonBody, parseObjectBody, patchTypeOf } from './request-body';
import type { ResourceRoute } from './request-router';
import {
  groupVersionOf,
  parseApiVersion,
  RESOURCE_TYPES,
  resolveResourceName,
  resourceForObject,
  storageApiVersion,
  type ResourceType,
} from './resource-catalog';
import { serverSideApply } from './server-side-apply';
import {
  badRequest,
  conflict,
  deleteSuccess,
  invalid,
  invalidFor,
  notFound,
  notSupported,
  patchRejected,
  preconditionFailed,
} from './status-errors';
import type { Json, JsonObject, KubernetesObject } from './types';
import { validateObject } from './validation';
import { commitCreate, commitUpdate, namespaceExists, type WriteContext } from './write-pipeline';

export interface ResourceRequest {
  route: ResourceRoute;
  query: URLSearchParams;
  body: string;
  contentType: string;
  userAgent: string;
}

export interface ResourceResponse {
  status: number;
  body: unknown;
}

export interface ClusterOptions {
  now: () => Date;
  initialResourceVersion: number;
  /** Namespaces that exist after start and after every reset. */
  namespaces: string[];
  /** Manager recorded in managedFields of seeded objects that carry none; null records none. */
  seedManager: string | null;
}

// fieldmanager.prefixFromUserAgent: without ?fieldManager, a write is attributed to its User-Agent's product.
function managerFromUserAgent(userAgent: string): string {
  return userAgent.split('/')[0] || 'unknown';
}

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function generatedName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i += 1) suffix += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
  return prefix + suffix;
}

function asObject(value: Json, what: string): KubernetesObject {
  if (!isJsonObject(value)) throw badRequest(`${what}: expected a JSON object`);
  const object = value as unknown as KubernetesObject;
  if (!isJsonObject(object.metadata as unknown as Json)) object.metadata = {};
  return object;
}

export class KubernetesCluster {
  readonly store: ObjectStore;
  private readonly options: ClusterOptions;

  constructor(options: ClusterOptions) {
    this.options = options;
    this.store = new ObjectStore(options.initialResourceVersion);
    this.reset();
  }

  reset(): void {
    this.store.clear();
    for (const namespace of this.options.namespaces) this.ensureNamespace(namespace);
  }

  private now(): string {
    return formatTime(this.options.now());
  }

  handle(request: ResourceRequest): ResourceResponse {
    const { route } = request;
    if (!route.resource.verbs.includes(route.verb)) throw notSupported(route.resource, route.verb);
    switch (route.verb) {
      case 'get':
        return { status: 200, body: this.getOne(route) };
      case 'list':
        return { status: 200, body: this.listMany(route, request.query) };
      case 'watch':
        throw notSupported(route.resource, 'watch (not emulated)');
      case 'create':
        return this.create(request);
      case 'update':
        return this.update(request);
      case 'patch':
        return this.patch(request);
      case 'delete':
        return this.deleteOne(request);
      case 'deletecollection':
        return this.deleteCollection(request);
    }
  }

  private existing(route: ResourceRoute): KubernetesObject {
    const found = this.store.get(route.resource, route.namespace, route.name!);
    if (found === undefined) throw notFound(route.resource, route.name!);
    return found;
  }

  private writeContext(request: ResourceRequest, operation: FieldOwner['operation'], manager?: string): WriteContext {
    const { route, query } = request;
    const owner: FieldOwner = { manager: manager ?? query.get('fieldManager') ?? managerFromUserAgent(request.userAgent), operation };
    if (route.subresource !== undefined) owner.subresource = route.subresource;
    const context: WriteContext = {
      store: this.store,
      resource: route.resource,
      version: route.version,
      owner,
      now: this.now(),
      dryRun: query.get('dryRun') === 'All',
    };
    if (route.subresource !== undefined) context.subresource = route.subresource;
    return context;
  }

  private getOne(route: ResourceRoute): KubernetesObject {
    return presentObject(route.resource, route.version, this.existing(route));
  }

  private listMany(route: ResourceRoute, query: URLSearchParams): Record<string, unknown> {
    const listQuery: Parameters<typeof listObjects>[2] = {};
    if (route.namespace !== undefined) listQuery.namespace = route.namespace;
    for (const [param, field] of [['labelSelector', 'labelSelector'], ['fieldSelector', 'fieldSelector'], ['limit', 'limit'], ['continue', 'continueToken']] as const) {
      const value = query.get(param);
      if (value !== null) listQuery[field] = value;
    }
    const page = listObjects(this.store, route.resource, listQuery);
    return presentList(route.resource, route.version, page.items, page.metadata);
  }

  /** Checks what a body says about itself against the URL it was sent to. */
  private checkIdentity(route: ResourceRoute, object: KubernetesObject): void {
    const { resource } = route;
    if (object.kind !== undefined && object.kind !== resource.kind) {
      throw badRequest(`the kind in the request body (${String(object.kind)}) does not match the kind of the resource (${resource.kind})`);
    }
    if (object.apiVersion !== undefined && parseApiVersion(String(object.apiVersion)).group !== resource.group) {
      throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${groupVersionOf(resource.group, route.version)})`);
    }
    const namespace = object.metadata.namespace;
    if (resource.namespaced && namespace !== undefined && namespace !== '' && namespace !== route.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (route.name !== undefined && object.metadata.name !== undefined && object.metadata.name !== route.name) {
      throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${route.name})`);
    }
  }

  private create(request: ResourceRequest): ResourceResponse {
    const { route } = request;
    const object = asObject(parseObjectBody(request.body, "couldn't get version/kind; json parse error"), 'create');
    this.checkIdentity(route, object);
    const metadata = object.metadata;
    if (route.resource.namespaced) metadata.namespace = route.namespace!;
    else delete metadata.namespace;
    if (!metadata.name && metadata.generateName) metadata.name = generatedName(metadata.generateName);
    if (!metadata.name) {
      throw invalid(route.resource, '', [{ field: 'metadata.name', type: 'FieldValueRequired', detail: 'Required value: name or generateName is required' }]);
    }
    const created = commitCreate(this.writeContext(request, 'Update'), object);
    return { status: 201, body: presentObject(route.resource, route.version, created) };
  }

  private update(request: ResourceRequest): ResourceResponse {
    const { route } = request;
    const existing = this.existing(route);
    const object = asObject(parseObjectBody(request.body, "couldn't get version/kind; json parse error"), 'update');
    this.checkIdentity(route, object);
    // Custom resources refuse unconditional updates (AllowUnconditionalUpdate is false for CRDs).
    if (route.resource.isCustomResource && !object.metadata.resourceVersion) {
      throw invalid(route.resource, route.name!, [{ field: 'metadata.resourceVersion', type: 'FieldValueInvalid', detail: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    const updated = commitUpdate(this.writeContext(request, 'Update'), existing, object);
    return { status: 200, body: presentObject(route.resource, route.version, updated) };
  }

  private patch(request: ResourceRequest): ResourceResponse {
    const { route, query } = request;
    const patchType = patchTypeOf(request.contentType, route.resource);
    if (query.has('force') && patchType !== 'apply') {
      throw invalidFor('PatchOptions.meta.k8s.io', 'meta.k8s.io', 'PatchOptions', '', [{ field: 'force', type: 'FieldValueForbidden', detail: 'Forbidden: may not be specified for non-apply patch' }]);
    }
    if (patchType === 'apply') return this.apply(request);

    const existing = this.existing(route);
    const live = presentObject(route.resource, route.version, existing) as unknown as Json;
    let patched: Json;
    if (patchType === 'json') {
      try {
        patched = applyJsonPatch(live, parseJsonBody(request.body, 'error decoding patch'));
      } catch (error) {
        if (error instanceof JsonPatchError) throw patchRejected(error.message);
        throw error;
      }
    } else {
      // Strategic merge patch reaches here for built-in kinds only; it is served as a JSON merge
      // patch, which differs for keyed lists (containers, ports): those are replaced, not merged.
      const patch = parseJsonBody(request.body, 'error decoding patch');
      if (!isJsonObject(patch)) throw badRequest('error decoding patch: a merge patch must be a JSON object');
      patched = applyMergePatch(live, patch);
    }
    const candidate = asObject(patched, 'patch');
    const updated = commitUpdate(this.writeContext(request, 'Update'), existing, candidate);
    return { status: 200, body: presentObject(route.resource, route.version, updated) };
  }

  private apply(request: ResourceRequest): ResourceResponse {
    const { route, query } = request;
    const manager = query.get('fieldManager');
    if (!manager) {
      throw invalidFor('PatchOptions.meta.k8s.io', 'meta.k8s.io', 'PatchOptions', '', [{ field: 'fieldManager', type: 'FieldValueRequired', detail: 'Required value: is required for apply patch' }]);
    }
    const applied = parseApplyBody(request.body);
    const appliedObject = asObject(applied, 'apply');
    const groupVersion = groupVersionOf(route.resource.group, route.version);
    if (appliedObject.apiVersion !== groupVersion || appliedObject.kind !== route.resource.kind) {
      throw badRequest(`the apply configuration must have apiVersion "${groupVersion}" and kind "${route.resource.kind}", got "${String(appliedObject.apiVersion)}" "${String(appliedObject.kind)}"`);
    }
    this.checkIdentity(route, appliedObject);
    const context = { ...this.writeContext(request, 'Apply', manager), managedFieldsDone: true };
    const scope = route.subresource === 'status' ? 'status' : route.resource.hasStatusSubresource ? 'main' : 'all';
    const existing = this.store.get(route.resource, route.namespace, route.name!);
    const requestedVersion = appliedObject.metadata.resourceVersion;

    if (existing === undefined) {
      if (route.subresource !== undefined || requestedVersion) throw notFound(route.resource, route.name!);
      const stub: JsonObject = { apiVersion: groupVersion, kind: route.resource.kind, metadata: route.resource.namespaced ? { name: route.name!, namespace: route.namespace! } : { name: route.name! } };
      const candidate = serverSideApply({ live: stub, applied, owner: context.owner, apiVersion: groupVersion, time: context.now, force: query.get('force') === 'true', scope });
      const created = commitCreate(context, candidate as unknown as KubernetesObject);
      return { status: 201, body: presentObject(route.resource, route.version, created) };
    }
    if (requestedVersion && requestedVersion !== existing.metadata.resourceVersion) throw conflict(route.resource, route.name!);
    const live = presentObject(route.resource, route.version, existing) as unknown as JsonObject;
    const candidate = serverSideApply({ live, applied, owner: context.owner, apiVersion: groupVersion, time: context.now, force: query.get('force') === 'true', scope });
    const updated = candidate === live ? existing : commitUpdate(context, existing, candidate as unknown as KubernetesObject);
    return { status: 200, body: presentObject(route.resource, route.version, updated) };
  }

  /** Deletes one object: immediately, or by marking it when finalizers still hold it. */
  private remove(resource: ResourceType, existing: KubernetesObject, dryRun: boolean): { object: KubernetesObject; gone: boolean } {
    const object = structuredClone(existing);
    const name = object.metadata.name!;
    if ((object.metadata.finalizers ?? []).length > 0) {
      if (object.metadata.deletionTimestamp === undefined && !dryRun) {
        object.metadata.deletionTimestamp = this.now();
        object.metadata.deletionGracePeriodSeconds = 0;
        object.metadata.resourceVersion = this.store.nextResourceVersion();
        this.store.put(resource, object);
      }
      return { object, gone: false };
    }
    if (!dryRun) {
      this.store.remove(resource, object.metadata.namespace, name);
      object.metadata.resourceVersion = this.store.nextResourceVersion();
      if (resource.kind === 'Namespace') this.store.removeNamespaceContents(name, RESOURCE_TYPES);
    }
    if (resource.kind === 'Namespace') {
      object.metadata.deletionTimestamp = this.now();
      object['status'] = { phase: 'Terminating' };
    }
    return { object, gone: true };
  }

  private deleteOne(request: ResourceRequest): ResourceResponse {
    const { route, query } = request;
    const existing = this.existing(route);
    const options = request.body.trim() === '' ? {} : parseObjectBody(request.body, "couldn't decode DeleteOptions");
    const preconditions = isJsonObject(options['preconditions']) ? options['preconditions'] : {};
    for (const [field, label] of [['resourceVersion', 'ResourceVersion'], ['uid', 'UID']] as const) {
      const wanted = preconditions[field];
      const actual = existing.metadata[field];
      if (typeof wanted === 'string' && wanted !== actual) throw preconditionFailed(route.resource, route.name!, label, wanted, String(actual));
    }
    const dryRun = query.get('dryRun') === 'All' || (Array.isArray(options['dryRun']) && options['dryRun'].includes('All'));
    const { object, gone } = this.remove(route.resource, existing, dryRun);
    const body = !gone || route.resource.returnsDeletedObject ? presentObject(route.resource, route.version, object) : deleteSuccess(route.resource, route.name!, object.metadata.uid);
    return { status: 200, body };
  }

  private deleteCollection(request: ResourceRequest): ResourceResponse {
    const { route, query } = request;
    const selection: Parameters<typeof selectObjects>[2] = {};
    if (route.namespace !== undefined) selection.namespace = route.namespace;
    const labelSelector = query.get('labelSelector');
    const fieldSelector = query.get('fieldSelector');
    if (labelSelector !== null) selection.labelSelector = labelSelector;
    if (fieldSelector !== null) selection.fieldSelector = fieldSelector;
    const dryRun = query.get('dryRun') === 'All';
    const deleted = selectObjects(this.store, route.resource, selection).map(({ object }) => this.remove(route.resource, object, dryRun).object);
    return { status: 200, body: presentList(route.resource, route.version, deleted, { resourceVersion: String(this.store.currentRevision()) }) };
  }

  // ---- direct access for tests ----

  private ensureNamespace(name: string): void {
    const namespaces = resolveResourceName('namespaces');
    if (namespaceExists(this.store, name)) return;
    this.seedOne(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  private seedOne(resource: ResourceType, source: KubernetesObject): KubernetesObject {
    const object = structuredClone(source);
    object.metadata = object.metadata ?? {};
    const meta = object.metadata;
    if (!meta.name) throw new Error(`kubernetes emulator: cannot seed a ${resource.kind} without metadata.name`);
    if (resource.namespaced) {
      meta.namespace = meta.namespace ?? 'default';
      this.ensureNamespace(meta.namespace);
    } else {
      delete meta.namespace;
    }
    meta.uid = meta.uid ?? randomUUID();
    meta.creationTimestamp = meta.creationTimestamp ?? this.now();
    if (resource.tracksGeneration) meta.generation = meta.generation ?? 1;
    if (resource.systemLabels !== undefined) meta.labels = { ...(meta.labels ?? {}), ...resource.systemLabels(meta.name) };
    if (resource.kind === 'Namespace') {
      object['spec'] = object['spec'] ?? { finalizers: ['kubernetes'] };
      object['status'] = object['status'] ?? { phase: 'Active' };
    }
    const errors = validateObject(resource, object);
    if (errors.length > 0) {
      throw new Error(`kubernetes emulator: cannot seed ${resource.kind} ${meta.namespace ?? ''}/${meta.name}: ${errors.map((e) => `${e.field}: ${e.detail}`).join('; ')}`);
    }
    if (meta.managedFields === undefined && this.options.seedManager !== null) {
      const scope = resource.hasStatusSubresource ? 'main' : 'all';
      const entries = recordUpdate([], undefined, object as unknown as Json, { manager: this.options.seedManager, operation: 'Update' }, storageApiVersion(resource), meta.creationTimestamp, scope);
      if (entries.length > 0) meta.managedFields = entries;
    }
    meta.resourceVersion = this.store.nextResourceVersion();
    this.store.put(resource, object);
    return this.store.get(resource, meta.namespace, meta.name)!;
  }

  /** Places real objects in their stores (replacing same-named ones), creating missing namespaces. */
  seed(objects: KubernetesObject[]): KubernetesObject[] {
    return objects.map((object) => {
      const resource = resourceForObject(String(object.apiVersion), String(object.kind));
      if (resource === undefined) throw new Error(`kubernetes emulator: cannot seed ${String(object.apiVersion)} ${String(object.kind)}: not a served kind`);
      return this.seedOne(resource, object);
    });
  }

  get(kind: string, namespace: string | undefined, name: string): KubernetesObject | undefined {
    const resource = resolveResourceName(kind);
    return this.store.get(resource, resource.namespaced ? namespace : undefined, name);
  }

  list(kind: string, namespace?: string): KubernetesObject[] {
    return this.store.entries(resolveResourceName(kind), namespace).map(({ object }) => object);
  }

  /**
   * Simulates another writer between a client's read and its write: the object gets a new
   * resourceVersion (and, with `mutate`, new content attributed to manager `kubectl-edit`).
   */
  bumpResourceVersion(kind: string, namespace: string | undefined, name: string, mutate?: (object: KubernetesObject) => void): string {
    const resource = resolveResourceName(kind);
    const existing = this.store.get(resource, resource.namespaced ? namespace : undefined, name);
    if (existing === undefined) throw new Error(`kubernetes emulator: no ${resource.kind} ${namespace ?? ''}/${name} to bump`);
    const next = structuredClone(existing);
    if (mutate !== undefined) {
      mutate(next);
      const scope = resource.hasStatusSubresource ? 'main' : 'all';
      const entries = recordUpdate(existing.metadata.managedFields ?? [], existing as unknown as Json, next as unknown as Json, { manager: 'kubectl-edit', operation: 'Update' }, storageApiVersion(resource), this.now(), scope);
      if (entries.length > 0) next.metadata.managedFields = entries;
      const { metadata: _a, status: _b, ...specBefore } = existing;
      const { metadata: _c, status: _d, ...specAfter } = next;
      if (resource.tracksGeneration && !jsonEqual(specBefore, specAfter)) next.metadata.generation = (existing.metadata.generation ?? 0) + 1;
    }
    next.metadata.resourceVersion = this.store.nextResourceVersion();
    this.store.put(resource, next);
    return next.metadata.resourceVersion;
  }
}
