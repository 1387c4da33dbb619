import type { Suppression } from './suppressions';

/**
 * The cloud-neutral model every rule reads. Providers (Istio, App Mesh, Envoy, x509, …) turn
 * their own configuration into these shapes, computing each mesh's effective state exactly
 * once; rules never look at raw configuration.
 */

export type Provider = 'istio' | 'appmesh' | 'envoy' | 'x509' | 'acm' | 'cloudwatch' | 'prometheus';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Where a piece of configuration came from: the path as given and the 1-based line of the document. */
export interface SourceRef {
  file: string;
  line: number;
}

/** The narrowest thing at fault, with its coordinates (CONTRACT.md, "resource"). */
export interface ResourceRef {
  kind: string;
  name: string;
  namespace?: string;
  mesh?: string;
  port?: number;
  file?: string;
  line?: number;
}

/**
 * `payments/` before a name, or nothing: the namespace, else the mesh. A Namespace's own
 * coordinates repeat its name (`legacy-batch/legacy-batch`), which reads as a typo, so it has none.
 */
export function scopePrefix(r: { kind: string; name: string; namespace?: string; mesh?: string }): string {
  const scope = r.namespace ?? r.mesh;
  if (!scope || (r.kind === 'Namespace' && scope === r.name)) return '';
  return `${scope}/`;
}

/** The configuration object that causes an effective setting, e.g. the PeerAuthentication that wins. */
export interface CauseRef {
  kind: string;
  name: string;
  namespace?: string;
  mesh?: string;
  /** Which level of the precedence chain produced the setting. */
  scope?: 'mesh' | 'namespace' | 'workload' | 'port' | 'default' | 'listener' | 'backend' | 'backendDefaults' | 'cluster';
  /** The part of the object that sets it, when not the object as a whole (`annotation traffic.sidecar.istio.io/excludeInboundPorts`). */
  field?: string;
  /**
   * Where in the cause's document the deciding setting is written (`spec.portLevelMtls.8080.mode`,
   * `spec.listeners[0].tls.mode`). The audit moves a finding's line there (rules/locate-findings.ts),
   * so that it points at the line a pull request changes, not only at the document's first line.
   */
  path?: string;
  source?: SourceRef;
}

/**
 * What a server side accepts.
 * STRICT: only TLS with a verified client certificate. PERMISSIVE: mTLS and plaintext.
 * DISABLED: plaintext only. TLS_NO_CLIENT_AUTH: TLS, but any or no client certificate.
 */
export type ServerMode = 'STRICT' | 'PERMISSIVE' | 'DISABLED' | 'TLS_NO_CLIENT_AUTH';

/** What a client side sends. AUTO is Istio auto mTLS: mTLS to sidecars, plaintext otherwise. */
export type ClientSends = 'MTLS' | 'TLS' | 'PLAINTEXT' | 'AUTO';

/**
 * A provider-specific fix, computed by the provider that understands the resource. The core
 * decides the mode (auto / approval / manual) from the rules and the fleet-wide preconditions.
 */
export interface ProviderFix {
  /** Stable verb, e.g. `istio.peerauthentication.set-strict`, `appmesh.listener.set-strict`. */
  action: string;
  /** The exact patch or new spec that would be applied. */
  change: Record<string, unknown>;
  /** Server ids whose mode the change would move to STRICT (empty for client-side fixes). */
  affectsServers: string[];
  /** Client ids whose sending mode the change would alter (empty for server-side fixes). */
  affectsClients?: string[];
  /**
   * Preconditions the provider already knows are false, in words a person can act on
   * (e.g. "workload orders/legacy-batch has no sidecar"). Any entry forces approval.
   */
  blockers: string[];
  /** True when a person must make the change by hand (e.g. a certificate must be issued). */
  manualOnly?: boolean;
  /** Why a person must make it even when no blocker is left (no meshgov writer for that configuration). */
  manualReason?: string;
}

/** One server side: an Istio workload port, an App Mesh listener, an Envoy listener. */
export interface ServerEndpoint {
  /** Stable key, unique in the model, e.g. `istio:payments/Deployment/payments-api:8080`. */
  id: string;
  provider: Provider;
  resource: ResourceRef;
  mode: ServerMode;
  /** False when no mesh proxy fronts it (no sidecar): then mesh-sidecar-missing applies instead. */
  inMesh: boolean;
  cause: CauseRef;
  /**
   * Tells apart the findings of two servers with the same resource, such as listeners of one
   * name in two Envoy bootstraps; it joins the finding id only when set.
   */
  findingKey?: string;
  /**
   * Hosts this server answers for (FQDNs such as `payments-api.payments.svc.cluster.local`),
   * used to match clients and to compare the same logical service across meshes.
   */
  hosts: string[];
  /**
   * The ports clients address to reach this server, when they differ from `resource.port`
   * (Kubernetes Service ports that send to this container port).
   */
  servicePorts?: number[];
  /** Workload labels, for ownership routing. */
  labels?: Record<string, string>;
  /**
   * Set where Istio auto mTLS sends this server something it refuses: plaintext to a STRICT
   * workload whose Service Istio takes for plaintext-only, because it infers the Service's mode
   * from the namespace-wide or mesh-wide PeerAuthentication (`BestEffortInferServiceMTLSMode`);
   * or mTLS to a port of a pod with a sidecar that the sidecar does not capture.
   */
  autoMtls?: { sends: 'PLAINTEXT' | 'MTLS'; reason: string };
  /** One sentence on why the server has its mode, where the provider knows more than the cause (Envoy: the deciding chain and rule). */
  modeReason?: string;
  fix?: ProviderFix;
}

/** One client side decision: a DestinationRule toward a host, an App Mesh backend, an Envoy cluster. */
export interface ClientPolicy {
  id: string;
  provider: Provider;
  /** The client-side configuration object (DestinationRule, virtual node/gateway, Envoy cluster). */
  resource: ResourceRef;
  sends: ClientSends;
  /** Why it sends that: `DISABLE`, `SIMPLE`, `missing client policy`, `enforce: false`, … */
  reason: string;
  cause: CauseRef;
  destination: {
    hosts: string[];
    port?: number;
    /** Servers the provider resolved itself; the core also matches by host. */
    serverIds?: string[];
  };
  /** True when the destination is inside a mesh; undefined lets the core decide by host match. */
  inMeshDestination?: boolean;
  /**
   * True when the client presents the mesh's own workload identity (Istio ISTIO_MUTUAL): only a
   * mesh proxy takes it, so it fails toward a server without one. A client with certificates of
   * its own (MUTUAL, SIMPLE, App Mesh, Envoy) may be talking to an application that serves TLS itself.
   */
  meshIdentity?: boolean;
  /**
   * Tells apart the findings of two clients with the same resource and destination, such as a
   * DestinationRule's top level and one of its subsets; it joins the finding id only when set.
   */
  findingKey?: string;
  /**
   * Servers (by id) whose TLS handshakes with this client are known to fail, whatever the modes
   * say, with why: either side's subject alternative name pins miss the other's certificate, or
   * either side's validation trust refuses it (App Mesh). Each is an `mtls-conflict`.
   */
  refusesCertificateOf?: Record<string, string>;
  /** The labels of the client-side object (the DestinationRule, the virtual node), for ownership routing. */
  labels?: Record<string, string>;
  fix?: ProviderFix;
}

export type CertificateProvider = 'x509' | 'acm';

export interface CertificateRecord {
  id: string;
  provider: CertificateProvider;
  subjectCN: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  /** SHA-256 fingerprint, the certificate's stable identity. */
  fingerprint256: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  /** 0 for the leaf (first PEM block), 1 for the next, … */
  chainIndex: number;
  /** Where it came from: a file, a Secret key, a ConfigMap key, a cert-manager Certificate, an ACM ARN. */
  origin: {
    kind: string;
    name: string;
    namespace?: string;
    key?: string;
    /** Other keys of the same object that hold this certificate too (`cert-chain.pem` beside `ca-cert.pem`): replacing one leaves the others. */
    alsoKeys?: string[];
    /** Copies of it made by something else, not places to fix (istiod's `istio-ca-root-cert` in every namespace): `namespace/name`. */
    copies?: string[];
    arn?: string;
    source: SourceRef;
    /** The labels of the object holding it (the Secret, the ConfigMap), for ownership routing. */
    labels?: Record<string, string>;
    /**
     * A trust-manager Bundle whose target holds it while no source of the Bundle that was read
     * does, and which adds trust-manager's default CA package (`useDefaultCAs`): where it comes from.
     */
    defaultCaPackageOf?: string;
  };
  /** Who uses it, when known, e.g. an App Mesh listener. */
  usedBy?: ResourceRef[];
  /** For records without a parsed PEM (cert-manager status, ACM), what the date came from. */
  dateSource?: string;
  /** What the certificate's manager says about renewing it, when it says anything. */
  renewal?: CertificateRenewal;
}

export interface CertificateRenewal {
  /** Who renews it: `cert-manager`, `ACM`. */
  by: string;
  /** When it means to renew. */
  at?: Date;
  /** Why renewal is not happening, as the manager says it (failed issuance attempts, a failed renewal). */
  blocked?: string;
  /**
   * The manager replaces it on its own at `at`, before it expires: istio-agent's 24-hour workload
   * certificate, or a Ready cert-manager Certificate whose `renewalTime` is set by its
   * `renewBefore` (istio-csr's istiod certificate lives an hour). An expiry inside the warning
   * windows is by design until `at` has passed.
   */
  rotatesBeforeExpiry?: boolean;
  /** The manager is issuing its replacement right now (cert-manager's Issuing condition True). */
  issuing?: boolean;
}

/** A namespace or workload that no sidecar fronts. */
export interface MeshMembership {
  id: string;
  provider: Provider;
  resource: ResourceRef;
  inMesh: boolean;
  reason: string;
  labels?: Record<string, string>;
}

/** An input or rule file that could not be read, parsed or validated. */
export interface ConfigProblem {
  file: string;
  line: number;
  /** Dotted path of the offending field, when known. */
  field?: string;
  message: string;
  /** The file as finding ids name it (Inventory.fileIdentity); the path as given when unset. */
  fileIdentity?: string;
  kind?: string;
  name?: string;
  /** The provider whose input it is, when known. */
  provider?: Provider;
  /** Coordinates of the object at fault (CONTRACT.md: Istio findings set namespace, App Mesh ones mesh). */
  namespace?: string;
  mesh?: string;
  /** The listener port, when the problem is in one (CONTRACT.md: `port` where one is concerned). */
  port?: number;
  /** The input itself could not be read (a file or directory), or named directly holds no text (a binary file): nothing of it was audited. */
  unread?: true;
  /**
   * What the finding id hashes in place of the message, when the message names a place that
   * moves on its own (the line of an object in another file), so the id stays while the problem does.
   */
  identity?: string;
}

/** A latency SLO indicator, filled by the metrics providers (issue: SLOs). */
export interface SloIndicator {
  id: string;
  provider: Provider;
  resource: ResourceRef;
  objective: number;
  thresholdMs: number;
  windows: Array<{ long: string; short: string; burnLong: number; burnShort: number; factor: number; severity: Severity; kind: 'page' | 'ticket' }>;
  budgetRemaining?: number;
  method?: string;
  /**
   * Set when the reader found no request at all in any window it measured: the SLO's service,
   * namespace, mesh or metric names match no traffic, so it can never burn (slo-no-data).
   */
  noData?: { slo: string; window: string; selection?: string };
}

/** The line where `field` of the object at `file:line` is written, when the source can tell. */
export type FieldLocator = (file: string, line: number, field: string) => number | undefined;

/** Everything the rules see. */
export interface FleetModel {
  servers: ServerEndpoint[];
  clients: ClientPolicy[];
  certificates: CertificateRecord[];
  membership: MeshMembership[];
  problems: ConfigProblem[];
  slos: SloIndicator[];
  /** How many configuration resources were read (for the report summary). */
  resourceCount: number;
  /** Built from a partial inventory (see Inventory.partial): what was not read, so fleet-wide preconditions are unknown. */
  partial?: string[];
  /** `suppress.meshgov.io/<rule>` annotations of the inventory's objects (model/suppressions.ts). */
  suppressions?: Suppression[];
  /** The inventory's field locator (files only): findings move to the line of the field that causes them. */
  fieldLine?: FieldLocator;
  /**
   * Joins fixes that must travel as one change (every edit of an App Mesh object), once the
   * findings reported are known: `reported` holds the fixes of the findings kept after rule
   * switches, exclusions and suppressions, so an edit nobody is told about rides on no change.
   */
  fixJoiners?: Array<(reported: ReadonlySet<ProviderFix>) => void>;
}

export function emptyModel(): FleetModel {
  return { servers: [], clients: [], certificates: [], membership: [], problems: [], slos: [], resourceCount: 0 };
}

/** Merges models from several providers into one. */
export function mergeModels(parts: FleetModel[]): FleetModel {
  const out = emptyModel();
  for (const p of parts) {
    out.servers.push(...p.servers);
    out.clients.push(...p.clients);
    out.certificates.push(...p.certificates);
    out.membership.push(...p.membership);
    out.problems.push(...p.problems);
    out.slos.push(...p.slos);
    out.resourceCount += p.resourceCount;
    if (p.fixJoiners) (out.fixJoiners ??= []).push(...p.fixJoiners);
  }
  return out;
}
