/**
 * `appmesh.client-policy.enforce`: a client policy that enforces TLS with a client certificate
 * and validates the destination's certificate. For a virtual node the change writes the
 * backend's own `clientPolicy` (narrower than changing `backendDefaults`, which every other
 * backend inherits); a virtual gateway has only `backendDefaults`.
 */
import type { ProviderFix, ServerEndpoint } from '../../core/model/types';
import { describeResource } from '../../core/rules/rule';
import { editFix, inSourceSpelling, type SpecEdit } from './changes';
import { resourceOf } from './ids';
import { clientCertificateOf, type EffectiveClientPolicy } from './client-policy';
import type { ResolvedDestination } from './resolve';
import type { DestinationTrusts } from './destination-trust';
import { pinDestinationSvid } from './discovery-pins';
import { CLIENT_CERTIFICATE_FILL, clientCertificatePlaceholder, SERVER_CA_FILL, serverCaPlaceholder } from './placeholders';
import { describeTrust, sameTrust, type MeshTrustPool } from './trust-pool';
import type {
  AppMeshBackend,
  AppMeshListener,
  AppMeshVirtualGateway,
  AppMeshVirtualNode,
  ClientPolicyTls,
  TlsCertificate,
  ValidationContext,
  ValidationTrust,
} from './types';

export const ENFORCE_ACTION = 'appmesh.client-policy.enforce';

export interface ClientFixInput {
  owner: AppMeshVirtualNode | AppMeshVirtualGateway;
  /** The backend concerned (virtual nodes). */
  backend?: AppMeshBackend;
  effective: EffectiveClientPolicy;
  destination: ResolvedDestination;
  /** The destination port concerned, when known. */
  port?: number;
  /** The servers the destination reaches on that port. */
  servers: ServerEndpoint[];
  /** The listener of each server, in the order of `servers`. */
  serverListeners: AppMeshListener[];
  pool: MeshTrustPool;
  /** What the model knows of the CA behind each destination listener. */
  trusts: DestinationTrusts;
  /**
   * Why handshakes with a client sending `tls` toward `listener` are known to fail: the audit's
   * own check (clients.ts), so that a fix never writes what the next audit reports as a conflict.
   */
  plannedRefusal: (tls: ClientPolicyTls, listener: AppMeshListener) => string | undefined;
  affectsClients: string[];
}

/** The client's own listener certificate, when it is one a client policy can present (file or sds). */
/**
 * A certificate of the workload itself: its listener's (file or SDS), or the client certificate
 * it already presents through backendDefaults or another backend's policy. Never another
 * workload's.
 */
function ownCertificate(owner: AppMeshVirtualNode | AppMeshVirtualGateway): TlsCertificate | undefined {
  const candidates = [
    ...owner.listeners.map((l) => l.tls?.certificate),
    owner.backendDefaults?.tls?.certificate,
    ...(owner.kind === 'VirtualNode' ? owner.backends.map((b) => b.clientPolicy?.tls?.certificate) : []),
  ];
  for (const cert of candidates) {
    if (cert?.file?.certificateChain && cert.file.privateKey) return { file: { certificateChain: cert.file.certificateChain, privateKey: cert.file.privateKey } };
    if (cert?.sds?.secretName) return { sds: { secretName: cert.sds.secretName } };
  }
  return undefined;
}

function hasTrust(validation: ValidationContext | undefined): boolean {
  const trust = validation?.trust;
  return Boolean(trust && (trust.acm?.certificateAuthorityArns?.length || trust.file?.certificateChain || trust.sds?.secretName));
}

/** The trust proposed for the destination, and when it is not known to be right, why. */
interface TrustChoice {
  trust?: ValidationTrust;
  /** Set when the trust is a guess: a blocker a person resolves by confirming or replacing it. */
  guessed?: string;
}

/**
 * The trust that validates the destination's certificate. It is known only when every listener
 * reached has a known trust (destination-trust.ts) and they agree. Otherwise meshgov proposes
 * one (a listener's known trust, or the trust other client policies of the mesh use for
 * certificates of the same source), but that is a guess: a CA of another partner or environment
 * would make every call fail, so a person must confirm it.
 */
function trustForDestination(input: ClientFixInput): TrustChoice {
  const { pool, destination } = input;
  const cannotTell = `the CA that signs the certificate of virtual service ${destination.serviceName} is not known`;
  const knownTrusts: ValidationTrust[] = [];
  let unknown = input.serverListeners.length === 0;
  for (const listener of input.serverListeners) {
    // A listener without a certificate serves no TLS: there is no CA to know (DISABLED is a blocker of its own).
    if (!listener.tls?.certificate) continue;
    const trust = input.trusts.knownTrustOf(listener, pool);
    if (!trust) unknown = true;
    else if (!knownTrusts.some((t) => sameTrust(t, trust))) knownTrusts.push(trust);
  }
  if (knownTrusts.length === 1 && !unknown) return { trust: knownTrusts[0] };
  if (knownTrusts.length > 1) {
    const listed = knownTrusts.map(describeTrust).join(', ');
    return {
      trust: knownTrusts[0],
      guessed: `the listeners behind virtual service ${destination.serviceName} are signed by different CAs (${listed}): meshgov took ${describeTrust(knownTrusts[0])}; confirm one trust validates them all`,
    };
  }
  if (knownTrusts.length === 1) {
    return {
      trust: knownTrusts[0],
      guessed: `${cannotTell} for every listener it reaches: meshgov took ${describeTrust(knownTrusts[0])} from the others; confirm it validates them all`,
    };
  }

  for (const listener of input.serverListeners) {
    const cert = listener.tls?.certificate;
    const kind = cert?.acm ? 'acm' : cert?.file ? 'file' : cert?.sds ? 'sds' : undefined;
    if (!kind) continue;
    const fromClients = pool.clientTrusts.mostUsed(kind);
    // A listener can only validate with file or sds trusts: none is an ACM Private CA.
    const trust = fromClients ?? (kind === 'acm' ? undefined : pool.listenerTrusts.mostUsed(kind));
    if (!trust) continue;
    const source = fromClients ? 'other client policies' : 'the validation of other listeners';
    return { trust, guessed: `${cannotTell}: meshgov guessed ${describeTrust(trust)} from ${source} of mesh ${input.owner.mesh}; confirm it` };
  }
  if (input.serverListeners.length > 0) return {};
  const trust = pool.clientTrusts.mostUsed();
  return trust ? { trust, guessed: `${cannotTell}: meshgov guessed ${describeTrust(trust)} from other client policies of mesh ${input.owner.mesh}; confirm it` } : {};
}

/**
 * The listeners the planned `tls` is known to fail toward: a trust (written or kept) that does
 * not validate the listener's certificate, SAN pins that miss it, or a STRICT listener that
 * refuses the client certificate. Applied, each would be an mtls-conflict.
 */
function plannedRefusals(tls: ClientPolicyTls, input: ClientFixInput): string[] {
  const out: string[] = [];
  // `servers` and `serverListeners` are in the same order (clients.ts).
  for (let i = 0; i < input.serverListeners.length; i++) {
    const why = input.plannedRefusal(tls, input.serverListeners[i]);
    if (why) out.push(`with the client policy this change writes, toward ${input.servers[i].id}: ${why}`);
  }
  return out;
}

/**
 * `tls.ports` widened to the ports the client's traffic goes to: the listener ports of the
 * virtual nodes reached, which is what the restriction is compared with (clients.ts,
 * `upstreamPortOf`); the port the client calls only when no listener is known.
 */
function portsWithUpstream(ports: number[], listeners: AppMeshListener[], calledPort: number | undefined): number[] {
  const out = [...ports];
  for (const listener of listeners) {
    if (listener.port !== undefined && !out.includes(listener.port)) out.push(listener.port);
  }
  if (listeners.length === 0 && calledPort !== undefined && !out.includes(calledPort)) out.push(calledPort);
  return out.length === ports.length ? out : out.sort((a, b) => a - b);
}

/** `tls` with `certificate` set, in the order App Mesh documents the fields. */
function withCertificate(tls: ClientPolicyTls, certificate: TlsCertificate): ClientPolicyTls {
  const { enforce, ports, validation } = tls;
  const out: ClientPolicyTls = { enforce };
  if (ports) out.ports = ports;
  out.certificate = certificate;
  if (validation) out.validation = validation;
  return out;
}

export function clientEnforceFix(input: ClientFixInput): ProviderFix {
  const { owner, effective, destination, port } = input;
  const blockers: string[] = [];
  let manualOnly = false;
  const current = effective.tls;

  if (!destination.resolved) {
    blockers.push(`${destination.unresolvedReason ?? `virtual service ${destination.serviceName} did not resolve`}: cannot check that the destination accepts TLS`);
  } else if (input.servers.length === 0) {
    blockers.push(`virtual service ${destination.serviceName} reaches no listener: cannot check that the destination accepts TLS`);
  }
  for (const server of input.servers) {
    if (server.mode === 'DISABLED') {
      blockers.push(`the listener of ${describeResource(server.resource)} has TLS DISABLED: enforcing TLS toward it makes calls fail; enable TLS on the listener first`);
    }
  }

  const next: ClientPolicyTls = { enforce: true };
  if (Array.isArray(current?.ports) && current.ports.length > 0) next.ports = portsWithUpstream(current.ports, input.serverListeners, port);
  // Only the client's own certificate will do: SPIRE issues each workload its own identity, and
  // another workload's file or SDS secret either does not exist in this pod or impersonates it.
  const certificate = clientCertificateOf(current) ?? ownCertificate(owner);
  if (certificate) next.certificate = certificate;
  else {
    blockers.push(`no client certificate source known for ${describeResource(resourceOf(owner))}: issue one (file or sds) and ${CLIENT_CERTIFICATE_FILL}, before enforcing mTLS`);
    manualOnly = true;
  }
  let trustKnown = true;
  if (hasTrust(current?.validation)) next.validation = current?.validation;
  else {
    const { trust, guessed } = trustForDestination(input);
    if (guessed) blockers.push(guessed);
    if (trust) next.validation = { ...current?.validation, trust };
    else {
      blockers.push(`no trust known for the certificate of virtual service ${destination.serviceName}: choose the CA that signs its server certificate and ${SERVER_CA_FILL}`);
      manualOnly = true;
      trustKnown = false;
    }
  }

  // An SVID matches no service discovery name: without SANs the calls would fail (discovery-pins.ts).
  if (next.validation) next.validation = pinDestinationSvid(next.validation, input.serverListeners, destination.serviceName, blockers);
  // Checked on what is known: a placeholder validates nothing yet.
  blockers.push(...plannedRefusals(next, input));
  // App Mesh requires `validation.trust`, and mTLS needs a client certificate: a manual change carries placeholders for them.
  if (!trustKnown) next.validation = pinDestinationSvid({ ...current?.validation, trust: serverCaPlaceholder(destination.serviceName) }, input.serverListeners, destination.serviceName, blockers);
  const written: ClientPolicyTls = certificate ? next : withCertificate(next, clientCertificatePlaceholder(`${owner.kind} ${owner.name}`, Boolean(next.validation?.trust?.sds)));

  const policy = inSourceSpelling(owner, { tls: written });
  // A backend a BackendGroup adds has no entry in spec.backends: backendDefaults is what applies to it.
  const edit: SpecEdit =
    owner.kind === 'VirtualNode' && input.backend && !input.backend.group
      ? { part: 'backend', index: input.backend.index, value: policy }
      : { part: 'backendDefaults', value: policy };

  const fix: Omit<ProviderFix, 'change'> = { action: ENFORCE_ACTION, affectsServers: [], affectsClients: input.affectsClients, blockers };
  if (manualOnly) fix.manualOnly = true;
  // The owner's other fixes join this one's change later (changes.ts, joinObjectFixes).
  return editFix(owner, edit, fix);
}
