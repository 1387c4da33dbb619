import type { CertificateRecord, ConfigProblem, FieldLocator, Provider, SourceRef } from './types';

/**
 * The raw inputs, after parsing and detection by content, before any provider has read them.
 * Loaders (files, live APIs) fill it; providers turn it into the model.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  resourceVersion?: string;
  uid?: string;
  [key: string]: unknown;
}

/** Any Kubernetes object: Istio and App Mesh CRDs, core and apps objects, cert-manager. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
  [key: string]: unknown;
}

/** The App Mesh resource types as the API names them in Describe* responses. */
export type AppMeshApiType =
  | 'mesh'
  | 'virtualNode'
  | 'virtualGateway'
  | 'virtualService'
  | 'virtualRouter'
  | 'route'
  | 'gatewayRoute';

/**
 * The field that names each type's resource (API Reference `VirtualNodeData.virtualNodeName`,
 * …). It is also the wrapper key of `aws appmesh describe-*` output (`{"virtualNode": {…}}`).
 */
export const APPMESH_NAME_FIELDS: Readonly<Record<AppMeshApiType, string>> = {
  mesh: 'meshName',
  virtualNode: 'virtualNodeName',
  virtualGateway: 'virtualGatewayName',
  virtualService: 'virtualServiceName',
  virtualRouter: 'virtualRouterName',
  route: 'routeName',
  gatewayRoute: 'gatewayRouteName',
};

/** The kind names findings and CRDs use (`DescribeRoute` → `Route`), by API type. */
export const APPMESH_KIND_OF_TYPE = {
  mesh: 'Mesh',
  virtualNode: 'VirtualNode',
  virtualGateway: 'VirtualGateway',
  virtualService: 'VirtualService',
  virtualRouter: 'VirtualRouter',
  route: 'Route',
  gatewayRoute: 'GatewayRoute',
} as const satisfies Readonly<Record<AppMeshApiType, string>>;

/** The member of each List*Output that holds the `*Ref`s (`ListVirtualNodesOutput.virtualNodes`), by API type. */
export const APPMESH_LIST_MEMBER = {
  mesh: 'meshes',
  virtualNode: 'virtualNodes',
  virtualGateway: 'virtualGateways',
  virtualService: 'virtualServices',
  virtualRouter: 'virtualRouters',
  route: 'routes',
  gatewayRoute: 'gatewayRoutes',
} as const satisfies Readonly<Record<AppMeshApiType, string>>;

/** One App Mesh resource as the API returns it (camelCase `*Data` shape: meshName, spec, metadata, status). */
export interface AppMeshApiObject {
  type: AppMeshApiType;
  data: any;
}

export interface Located<T> {
  doc: T;
  source: SourceRef;
}

/** An Envoy bootstrap (`static_resources`), with where its listeners and clusters are written. */
export interface EnvoyInput extends Located<any> {
  /**
   * The line of each `listeners` and `clusters` entry of a bootstrap, in order, when the file's
   * layout gives them; for a config dump, of each entry of its lists, by the list's path
   * (`configs[3].dynamic_listeners`).
   */
  entryLines?: { listeners?: number[]; clusters?: number[]; lists?: Record<string, number[]> };
}

export interface PemInput {
  /** The whole text of a file holding one or more PEM blocks. */
  text: string;
}

/** A later document that defines an object an earlier one defined the same way: audited once. */
export interface RepeatedObject {
  source: SourceRef;
  first: SourceRef;
  /** `PeerAuthentication checkout/default`. */
  what: string;
  /** The first field where the copies differ in what meshgov does not read (`spec.strategy`), if any. */
  otherDifference?: string;
}

export interface Inventory {
  kubernetes: Located<KubeObject>[];
  appmeshApi: Located<AppMeshApiObject>[];
  envoy: EnvoyInput[];
  pem: Located<PemInput>[];
  /** Certificates already read from a certificate service (ACM, ACM-PCA), with no document behind them. */
  certificates: CertificateRecord[];
  /** Documents that parsed but matched no known input kind; `note` says what one is and what to give instead, when the reader knows. */
  unknown: Array<Located<unknown> & { note?: string }>;
  /** Documents set aside as copies of an object an earlier document defines the same way (files/repeated-objects.ts). */
  repeated?: RepeatedObject[];
  problems: ConfigProblem[];
  /** Files that were read (path as given). */
  files: string[];
  /**
   * Set when the source read only part of what the findings depend on (a scoped read with no
   * cached picture of the rest): fleet-wide preconditions are then unknown, so nothing is auto.
   * Each entry says what was left unread, as a person reads it in the plan's reason
   * ("only the changed resource was read").
   */
  partial?: string[];
  /**
   * Meshes a full read was refused (an IAM policy that names some meshes only): their findings
   * were not looked at, so a run must not resolve them.
   */
  unreadMeshes?: string[];
  /**
   * Providers a full read could not read all of (a 403 on cert-manager Certificates, a CA Secret
   * or trust-manager Bundles leaves `x509` here): their findings were not all looked at, so a run
   * must not resolve them. The refusal itself is a problem in `problems`.
   */
  unreadProviders?: Provider[];
  /**
   * The line where `field` of the object at `file:line` is written, when the source can tell
   * (the file source reads the text again). Problems name their field; with this, their line is
   * the field's own rather than the object's.
   */
  fieldLine?: FieldLocator;
  /**
   * A file's name as finding ids use it, the same however the path was written and wherever the
   * audit runs (the file source gives its path inside the git work tree). Without it, ids use
   * the path as given.
   */
  fileIdentity?: (file: string) => string;
}

export function emptyInventory(): Inventory {
  return { kubernetes: [], appmeshApi: [], envoy: [], pem: [], certificates: [], unknown: [], problems: [], files: [] };
}

export function mergeInventories(parts: Inventory[]): Inventory {
  const out = emptyInventory();
  for (const p of parts) {
    out.kubernetes.push(...p.kubernetes);
    out.appmeshApi.push(...p.appmeshApi);
    out.envoy.push(...p.envoy);
    out.pem.push(...p.pem);
    out.certificates.push(...(p.certificates ?? []));
    out.unknown.push(...p.unknown);
    if (p.repeated?.length) (out.repeated ??= []).push(...p.repeated);
    out.problems.push(...p.problems);
    out.files.push(...p.files);
    if (p.partial?.length) out.partial = [...new Set([...(out.partial ?? []), ...p.partial])];
    if (p.unreadMeshes?.length) out.unreadMeshes = [...(out.unreadMeshes ?? []), ...p.unreadMeshes];
    if (p.unreadProviders?.length) out.unreadProviders = [...new Set([...(out.unreadProviders ?? []), ...p.unreadProviders])];
    // Each locator reads any file by its path, so one of them serves the merged inventory.
    if (p.fieldLine) out.fieldLine ??= p.fieldLine;
    if (p.fileIdentity) out.fileIdentity ??= p.fileIdentity;
  }
  return out;
}

/** `security.istio.io/v1beta1` → `security.istio.io`; `v1` → `` (the core group). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
