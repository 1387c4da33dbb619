/**
 * meta/v1 Status objects, worded as k8s.io/apimachinery/pkg/api/errors builds them
 * (NewNotFound, NewConflict, NewInvalid, NewTooManyRequests, …), so a client that matches on
 * `reason`, `code` or `details` behaves against the emulator as it does against a cluster.
 */
import { qualifiedKind, qualifiedResource, type ResourceType } from './resource-catalog';
import type { JsonObject } from './types';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubernetesStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: JsonObject;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  /** Omitted on Success, as the API server's omitempty drops a zero code. */
  code?: number;
}

/** A Status to send back, with the HTTP headers that go with it (Retry-After). */
export class StatusError extends Error {
  readonly status: KubernetesStatus;
  readonly headers: Record<string, string>;

  constructor(status: KubernetesStatus, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? `HTTP ${status.code ?? 500}`);
    this.status = status;
    this.headers = headers;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): KubernetesStatus {
  const status: KubernetesStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) status.details = details;
  return status;
}

function resourceDetails(resource: ResourceType, name: string | undefined): StatusDetails {
  const details: StatusDetails = {};
  if (name !== undefined && name !== '') details.name = name;
  if (resource.group !== '') details.group = resource.group;
  details.kind = resource.plural;
  return details;
}

export function notFound(resource: ResourceType, name: string): StatusError {
  return new StatusError(failure(404, 'NotFound', `${qualifiedResource(resource)} "${name}" not found`, resourceDetails(resource, name)));
}

/** The NamespaceLifecycle admission answer for a write into a namespace that does not exist. */
export function namespaceNotFound(namespace: string): StatusError {
  return new StatusError(failure(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' }));
}

/** What the API server says for a path it does not serve. */
export function pathNotFound(): StatusError {
  return new StatusError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
}

export function alreadyExists(resource: ResourceType, name: string): StatusError {
  return new StatusError(failure(409, 'AlreadyExists', `${qualifiedResource(resource)} "${name}" already exists`, resourceDetails(resource, name)));
}

/** The optimistic-concurrency failure (registry/generic Store: storage.NewConflict wording). */
export function conflict(resource: ResourceType, name: string): StatusError {
  const why = 'the object has been modified; please apply your changes to the latest version and try again';
  return new StatusError(
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": ${why}`, resourceDetails(resource, name)),
  );
}

/** A failed DeleteOptions precondition (uid or resourceVersion). */
export function preconditionFailed(resource: ResourceType, name: string, what: string, requested: string, actual: string): StatusError {
  const why = `Precondition failed: ${what} in precondition: ${requested}, ${what} in object meta: ${actual}`;
  return new StatusError(failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": ${why}`, resourceDetails(resource, name)));
}

/** Server-side apply ownership conflicts (NewApplyConflict): one cause per conflicting field. */
export function applyConflict(conflicts: { manager: string; apiVersion: string; field: string }[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field }));
  const count = conflicts.length === 1 ? '1 conflict' : `${conflicts.length} conflicts`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const key = `"${c.manager}" using ${c.apiVersion}`;
    byManager.set(key, [...(byManager.get(key) ?? []), c.field]);
  }
  const parts = [...byManager.entries()].map(([who, fields]) =>
    fields.length === 1 ? `conflict with ${who}: ${fields[0]}` : `conflicts with ${who}:\n${fields.map((f) => `- ${f}`).join('\n')}`,
  );
  return new StatusError(failure(409, 'Conflict', `Apply failed with ${count}: ${parts.join('\n')}`, { causes }));
}

export interface FieldError {
  field: string;
  /** metav1.CauseType, e.g. FieldValueRequired, FieldValueInvalid, FieldValueNotSupported. */
  type: string;
  /** The error body without the field, e.g. `Required value: name or generateName is required`. */
  detail: string;
}

/** 422 Invalid with one cause per field error (NewInvalid). */
export function invalid(resource: ResourceType, name: string, errors: FieldError[]): StatusError {
  return invalidFor(qualifiedKind(resource), resource.group, resource.kind, name, errors);
}

export function invalidFor(qualified: string, group: string, kind: string, name: string, errors: FieldError[]): StatusError {
  const rendered = errors.map((e) => `${e.field}: ${e.detail}`);
  const aggregate = rendered.length === 1 ? rendered[0]! : `[${rendered.join(', ')}]`;
  const details: StatusDetails = { name, group, kind, causes: errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field })) };
  if (group === '') delete details.group;
  return new StatusError(failure(422, 'Invalid', `${qualified} "${name}" is invalid: ${aggregate}`, details));
}

/** A JSON patch that does not apply (patch.go answers 422 for it). */
export function patchRejected(reason: string): StatusError {
  return new StatusError(
    failure(422, 'Invalid', `the server rejected our request due to an error in our request`, { causes: [{ reason: 'FieldValueInvalid', message: reason, field: 'patch' }] }),
  );
}

/** A verb the resource does not support, or an emulator limit (watch). */
export function notSupported(resource: ResourceType, action: string): StatusError {
  return new StatusError(
    failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${qualifiedResource(resource)}"`, { group: resource.group, kind: resource.plural }),
  );
}

export function badRequest(message: string): StatusError {
  return new StatusError(failure(400, 'BadRequest', message));
}

export function unsupportedMediaType(contentType: string, accepted: string[]): StatusError {
  return new StatusError(
    failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, {
      causes: [{ message: contentType }],
    }),
  );
}

export function methodNotAllowed(): StatusError {
  return new StatusError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
}

export function unauthorized(): StatusError {
  return new StatusError(failure(401, 'Unauthorized', 'Unauthorized'));
}

/** The 410 a list continuation gets once its snapshot is compacted away (storage.ErrExpiredContinue wording). */
export function continueExpired(): StatusError {
  return new StatusError(
    failure(
      410,
      'Expired',
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    ),
  );
}

export interface FaultContext {
  resource?: ResourceType;
  name?: string;
  verb: string;
  namespace?: string;
  user: string;
}

/**
 * An injected failure with the body the real API server (or its front end) would send for that code.
 * 429 is API Priority and Fairness throttling, which sends Retry-After; 5xx are apiserver-side errors.
 */
export function injectedFailure(code: number, context: FaultContext, retryAfterSeconds: number): StatusError {
  const resource = context.resource;
  const details: StatusDetails = resource === undefined ? {} : resourceDetails(resource, context.name);
  switch (code) {
    case 429:
      return new StatusError(failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds }), {
        'retry-after': String(retryAfterSeconds),
      });
    case 403: {
      const target = resource === undefined ? 'resource' : `resource "${resource.plural}" in API group "${resource.group}"`;
      const scope = context.namespace === undefined ? 'at the cluster scope' : `in the namespace "${context.namespace}"`;
      const subject = resource === undefined ? 'forbidden' : `${qualifiedResource(resource)}${context.name ? ` "${context.name}"` : ''} is forbidden`;
      return new StatusError(failure(403, 'Forbidden', `${subject}: User "${context.user}" cannot ${context.verb} ${target} ${scope}`, details));
    }
    case 404:
      return resource !== undefined && context.name !== undefined ? notFound(resource, context.name) : pathNotFound();
    case 409:
      return resource !== undefined && context.name !== undefined ? conflict(resource, context.name) : new StatusError(failure(409, 'Conflict', 'conflict', details));
    case 500:
      return new StatusError(
        failure(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out', { causes: [{ message: 'etcdserver: request timed out' }] }),
      );
    case 503:
      return new StatusError(failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', details), {
        'retry-after': String(retryAfterSeconds),
      });
    case 504:
      return new StatusError(
        failure(504, 'Timeout', 'Timeout: request did not complete within the allotted timeout', { retryAfterSeconds }),
      );
    default:
      return new StatusError(failure(code, 'InternalError', `the server responded with the status code ${code} but did not return more information`, details));
  }
}

/** The Status a DELETE answers with when the registry does not return the deleted object. */
export function deleteSuccess(resource: ResourceType, name: string, uid: string | undefined): KubernetesStatus {
  const details = resourceDetails(resource, name);
  if (uid !== undefined) details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
