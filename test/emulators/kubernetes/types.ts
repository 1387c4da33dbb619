/**
 * Shapes shared by the Kubernetes API emulator. They mirror the wire JSON of the real API
 * server (k8s.io/apimachinery meta/v1), kept loose because the emulator stores any object.
 */

/** A JSON value as it travels on the wire. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object (the body of every Kubernetes resource). */
export type JsonObject = { [key: string]: Json };

/** One entry of `metadata.managedFields` (meta/v1 ManagedFieldsEntry). */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

/** The part of meta/v1 ObjectMeta the emulator reads and writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** Any Kubernetes object: apiVersion, kind, metadata, and whatever else its kind carries. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** The HTTP verbs of the Kubernetes authorization vocabulary (apiserver RequestInfo.Verb). */
export type KubernetesVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** What the router understood of one request; also what the call log records. */
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  /** `list`, `patch`, … for resource requests; `discovery` for /api, /apis, /version. */
  verb: KubernetesVerb | 'discovery';
  /** The resource plural (`peerauthentications`), with `/status` for the status subresource. */
  resource: string;
  group: string;
  version: string;
  namespace?: string;
  name?: string;
  contentType?: string;
  fieldManager?: string;
  /** HTTP status the emulator answered with. */
  status: number;
}
