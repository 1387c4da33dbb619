/**
 * `appmesh.client-policy.enforce`: a client policy that enforces TLS with a client certificate
 * and validates the destination's certificate. For a virtual node the change writes the
 * backend's own `clientPolicy` (narrower than changing `backendDefaults`, which every other
 * backend inherits); a virtual gateway has only `backendDefaults`.
 */
import type { ProviderFix, ServerEndpoint } from '../../core/model/types';
import { inSourceSpelling, specChange, withBackendClientPolicy, withBackendDefaultsClientPolicy } from './changes';
import { clientCertificateOf, type EffectiveClientPolicy } from './client-policy';
import type { ResolvedDestination } from './resolve';
import type { MeshTrustPool } from './trust-pool';
import type {
  AppMeshBackend,
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
  /** The certificate source of each reached listener, in the order of `servers`. */
  serverCertificates: Array<TlsCertificate | undefined>;
  pool: MeshTrustPool;
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

/** A trust the mesh already uses for certificates of the same source as the destination's. */
function trustForDestination(input: ClientFixInput): ValidationTrust | undefined {
  const { pool } = input;
  for (const cert of input.serverCertificates) {
    if (!cert) continue;
    const kind = cert.acm ? 'acm' : cert.file ? 'file' : cert.sds ? 'sds' : undefined;
    if (!kind) continue;
    const trust = pool.clientTrusts.mostUsed(kind) ?? (kind === 'acm' ? undefined : pool.listenerTrusts.mostUsed(kind));
    if (trust) return trust;
  }
  return input.serverCertificates.length === 0 ? pool.clientTrusts.mostUsed() : undefined;
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
      blockers.push(`destination listener ${server.id} has TLS DISABLED: enforcing TLS toward it makes calls fail; enable TLS on the listener first`);
    }
  }

  const next: ClientPolicyTls = { enforce: true };
  if (Array.isArray(current?.ports) && current.ports.length > 0) {
    next.ports = port !== undefined && !current.ports.includes(port) ? [...current.ports, port].sort((a, b) => a - b) : [...current.ports];
  }
  // Only the client's own certificate will do: SPIRE issues each workload its own identity, and
  // another workload's file or SDS secret either does not exist in this pod or impersonates it.
  const certificate = clientCertificateOf(current) ?? ownCertificate(owner);
  if (certificate) next.certificate = certificate;
  else {
    blockers.push(`no client certificate source known for ${owner.kind} ${owner.name}: issue one (file or sds) before enforcing mTLS`);
    manualOnly = true;
  }
  if (hasTrust(current?.validation)) next.validation = current?.validation;
  else {
    const trust = trustForDestination(input);
    if (trust) next.validation = { ...current?.validation, trust };
    else {
      blockers.push(`no trust known for the certificate of virtual service ${destination.serviceName}: choose the CA that signs its server certificate`);
      manualOnly = true;
    }
  }

  const policy = inSourceSpelling(owner, { tls: next });
  const newSpec =
    owner.kind === 'VirtualNode' && input.backend
      ? withBackendClientPolicy(owner.rawSpec, input.backend.index, policy)
      : withBackendDefaultsClientPolicy(owner.rawSpec, policy);

  const fix: ProviderFix = {
    action: ENFORCE_ACTION,
    change: specChange(owner, newSpec),
    affectsServers: [],
    affectsClients: input.affectsClients,
    blockers,
  };
  if (manualOnly) fix.manualOnly = true;
  return fix;
}
