/**
 * `appmesh.listener.set-strict`: a listener to `tls.mode: STRICT` with a `validation.trust`, so
 * that it accepts only TLS with a client certificate it verified.
 */
import type { ProviderFix, ResourceRef } from '../../core/model/types';
import { describeResource } from '../../core/rules/rule';
import { chosenTrustBlockers, refusedCallerBlocker, trustValidates, type CallerCertificate } from './caller-trust';
import { editFix, inSourceSpelling } from './changes';
import type { CertificateFiles } from './destination-trust';
import type { SanPins } from './san-pins';
import { clientCaFill, clientCaPlaceholder, listenerCertificateFill, listenerCertificatePlaceholder } from './placeholders';
import { listenerTrustOf } from './server-mode';
import type { MeshTrustPool } from './trust-pool';
import type { AppMeshListener, AppMeshVirtualGateway, AppMeshVirtualNode, ListenerTls, TlsCertificate, ValidationTrust } from './types';

export const SET_STRICT_ACTION = 'appmesh.listener.set-strict';

export const NO_TRUST_SOURCE = 'no trust source known for the mesh: choose the CA that signs client certificates';

/**
 * The trust a listener should validate client certificates with: one the mesh already uses.
 * A listener trust can only be `file` or `sds` (API `ListenerTlsValidationContextTrust`), so an
 * ACM Private CA that client policies trust cannot be reused here. When there is none, the
 * blocker ends with `fill`: what to write in place of the change's placeholder.
 */
export function chooseListenerTrust(pool: MeshTrustPool, blockers: string[], fill: string): ValidationTrust | undefined {
  const trust = pool.listenerTrusts.mostUsed() ?? pool.clientTrusts.mostUsed('not-acm');
  if (trust) return trust;
  const acm = pool.clientTrusts.mostUsed('acm');
  if (acm) {
    blockers.push(
      `the mesh trusts ACM Private CA ${(acm.acm?.certificateAuthorityArns ?? []).join(', ')} for servers, but a listener can only validate client certificates with a file or sds trust: choose the CA that signs client certificates, and ${fill}`,
    );
    return undefined;
  }
  blockers.push(`${NO_TRUST_SOURCE}, and ${fill}`);
  return undefined;
}

function listenerCertificateOf(tls: ListenerTls | undefined): TlsCertificate | undefined {
  const cert = tls?.certificate;
  if (typeof cert?.acm?.certificateArn === 'string' && cert.acm.certificateArn) return cert;
  if (typeof cert?.file?.certificateChain === 'string' && cert.file.certificateChain) return cert;
  if (typeof cert?.sds?.secretName === 'string' && cert.sds.secretName) return cert;
  return undefined;
}

/** Callers whose client certificate the listener's own trust is shown to refuse; a trust the listener chose is not second-guessed when nothing tells. */
function ownTrustRefusals(trust: ValidationTrust, server: string, callers: readonly CallerCertificate[], files: CertificateFiles): string[] {
  const out: string[] = [];
  for (const { caller, certificate } of callers) {
    if (trustValidates(trust, certificate, files) !== 'refuses') continue;
    out.push(refusedCallerBlocker(caller, certificate, trust, server));
  }
  return out;
}

/**
 * Callers whose client certificate the listener's `validation.subjectAlternativeNames` are shown
 * to miss (san-pins.ts). The pins are kept in the change, and STRICT enforces them on every caller.
 */
function pinRefusals(tls: ListenerTls | undefined, server: string, callers: readonly CallerCertificate[], sanPins: SanPins): string[] {
  const out: string[] = [];
  for (const { caller, certificate } of callers) {
    const miss = sanPins.listenerPinMiss(tls, certificate);
    if (!miss) continue;
    out.push(`the listener's subjectAlternativeNames [${miss.pins.join(', ')}] do not match the client certificate of ${describeResource(caller)} (${miss.missed}): STRICT on ${server} would refuse it`);
  }
  return out;
}

export function listenerStrictFix(
  owner: AppMeshVirtualNode | AppMeshVirtualGateway,
  listener: AppMeshListener,
  /** The listener's server: its id goes in `affectsServers`, its resource in words into the blockers. */
  endpoint: { id: string; resource: ResourceRef },
  pool: MeshTrustPool,
  callers: readonly CallerCertificate[],
  files: CertificateFiles,
  sanPins: SanPins,
  /** Known callers whose mTLS does not, or may not, reach the listener (caller-reach.ts). */
  unreachedCallers: readonly string[],
): ProviderFix {
  const server = describeResource(endpoint.resource);
  const blockers: string[] = [];
  let manualOnly = false;
  const current = listener.tls;

  const own = listenerTrustOf(current);
  // SDS elsewhere means SPIRE: the missing pieces are SDS secrets too.
  const sdsCertificate = Boolean(current?.certificate?.sds);
  const trust = own ?? chooseListenerTrust(pool, blockers, clientCaFill(sdsCertificate));
  const sds = trust ? Boolean(trust.sds) : sdsCertificate;
  const certificate = listenerCertificateOf(current);
  if (!certificate) {
    // App Mesh requires `ListenerTls.certificate`, and meshgov cannot pick one: the change carries a placeholder.
    blockers.unshift(`the listener of ${server} has no TLS certificate: issue one and ${listenerCertificateFill(sds)}, before requiring mTLS (App Mesh rejects a listener tls without a certificate)`);
    manualOnly = true;
  }
  // Without a trust STRICT is one-way TLS: the change carries a placeholder CA (the blocker says what to fill in).
  if (!trust) manualOnly = true;
  // A trust taken from the rest of the mesh must still validate the callers' certificates.
  else if (!own) blockers.push(...chosenTrustBlockers(trust, server, callers, files));
  // The listener's own trust is not enforced yet (PERMISSIVE); STRICT would refuse a caller it is shown not to validate.
  else if (current?.mode !== 'STRICT') blockers.push(...ownTrustRefusals(trust, server, callers, files));
  // PERMISSIVE does not enforce the pins on every caller (server-mode.ts); STRICT does.
  if (current?.mode !== 'STRICT') blockers.push(...pinRefusals(current, server, callers, sanPins));
  // "Every known caller sends mTLS" holds only for mTLS that gets through.
  blockers.push(...unreachedCallers);
  if (owner.kind === 'VirtualGateway') {
    // App Mesh: a virtual gateway is the mesh's entry point, so its clients are outside the mesh.
    blockers.push(`${server} is a virtual gateway, the entry to the mesh: its clients are outside it and must all present certificates first, or requiring mTLS cuts off ingress`);
  }

  const next: ListenerTls = { certificate: certificate ?? listenerCertificatePlaceholder(`${owner.kind} ${owner.name}`, sds), mode: 'STRICT' };
  next.validation = { ...current?.validation, trust: trust ?? clientCaPlaceholder(sdsCertificate) };

  const fix: Omit<ProviderFix, 'change'> = { action: SET_STRICT_ACTION, affectsServers: [endpoint.id], blockers };
  if (manualOnly) fix.manualOnly = true;
  // The owner's other fixes join this one's change later (changes.ts, joinObjectFixes).
  return editFix(owner, { part: 'listener', index: listener.index, value: inSourceSpelling(owner, next) }, fix);
}
