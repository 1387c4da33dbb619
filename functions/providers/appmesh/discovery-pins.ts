/**
 * A client validation without `subjectAlternativeNames` still checks a name. App Mesh API
 * Reference, `TlsValidationContext.subjectAlternativeNames`: "If you don't specify SANs on the
 * originating mesh endpoint, the SAN on the certificate provided by the terminating endpoint must
 * match the mesh endpoint service discovery configuration" (User Guide, "Certificate
 * requirements": the DNS hostname, or `serviceName.namespaceName` for Cloud Map). The destination
 * node's service discovery names are then the client's pins:
 * - a file certificate whose PEM was read: checked as explicit pins are (san-pins.ts); a miss is
 *   a refusal, an mtls-conflict;
 * - an SVID (SDS, named by its SPIFFE ID): "Since SPIRE vended certificates have a SPIFFE ID as a
 *   name, you must set the SAN since the name doesn't match the service discovery name". Its DNS
 *   names (SPIRE `dns_names`) are in no spec, so, as for a DNS pin toward an SVID (san-pins.ts),
 *   nothing is proven: the calls are only doubted, which keeps the fixes relying on them from
 *   being auto (caller-reach.ts), and a client fix pins the SPIFFE ID (`pinDestinationSvid`);
 * - anything else (ACM, a file not read, a node without service discovery): unknown.
 */
import { svidOf, type SanPins } from './san-pins';
import type { ListenerOwner, ServedListener } from './servers';
import type { AppMeshListener, ClientPolicyTls, ValidationContext } from './types';

/** True when the client validates the server certificate (`validation` set) without pinning SANs. */
export function pinsNoSans(tls: Pick<ClientPolicyTls, 'validation'> | undefined): boolean {
  const validation = tls?.validation;
  return validation !== undefined && validation !== null && (validation.subjectAlternativeNames === undefined || validation.subjectAlternativeNames === null);
}

/** `[a, b]` named as App Mesh's check of them: `the service discovery name [a]`. */
export function describeDiscoveryNames(names: readonly string[]): string {
  if (names.length === 0) return 'its service discovery name';
  return `the service discovery name${names.length > 1 ? 's' : ''} [${names.join(', ')}]`;
}

export class DiscoveryPins {
  /** Built on first use: only clients without SAN pins toward a file certificate ask. */
  private owners: Map<AppMeshListener, ListenerOwner> | undefined;
  private readonly misses = new Map<AppMeshListener, string | null>();

  constructor(
    private readonly served: readonly ServedListener[],
    private readonly sanPins: SanPins,
  ) {}

  /** The service discovery names of the virtual node serving `listener` (none for a gateway). */
  namesOf(listener: AppMeshListener): readonly string[] {
    if (!this.owners) {
      this.owners = new Map();
      for (let i = 0; i < this.served.length; i++) this.owners.set(this.served[i].listener, this.served[i].owner);
    }
    const owner = this.owners.get(listener);
    return owner?.kind === 'VirtualNode' ? owner.hostnames : [];
  }

  /**
   * Why a client that pins no SANs fails toward `listener`: its certificate is known (a PEM read)
   * and carries none of the node's service discovery names. Undefined when it does, or nothing tells.
   */
  missReason(listener: AppMeshListener): string | undefined {
    // Only a file certificate can be known to miss (an SVID's DNS names are not): skip the rest cheaply.
    const chain = listener.tls?.certificate?.file?.certificateChain;
    if (typeof chain !== 'string' || chain === '') return undefined;
    let why = this.misses.get(listener);
    if (why === undefined) {
      const names = this.namesOf(listener);
      const missed = names.length > 0 ? this.sanPins.missReason([...names], listener) : undefined;
      why = missed
        ? `the client pins no subjectAlternativeNames, so App Mesh checks the server certificate against ${describeDiscoveryNames(names)}, and ${missed}, so its TLS handshakes fail`
        : null;
      this.misses.set(listener, why);
    }
    return why ?? undefined;
  }
}

/**
 * The validation a client enforce fix writes, when it pins no SANs toward listeners serving
 * SVIDs: with the SPIFFE ID pinned when the destination serves exactly one SVID and nothing else.
 * Otherwise which names to accept is a person's choice, and a blocker says so.
 */
export function pinDestinationSvid(validation: ValidationContext, listeners: readonly AppMeshListener[], serviceName: string, blockers: string[]): ValidationContext {
  if (!pinsNoSans({ validation })) return validation;
  const svids: string[] = [];
  let others = false;
  for (const listener of listeners) {
    const certificate = listener.tls?.certificate;
    // No certificate, no TLS served: nothing to name (a DISABLED listener is a blocker of its own).
    if (!certificate) continue;
    const svid = svidOf(certificate);
    if (svid === undefined) others = true;
    else if (!svids.includes(svid)) svids.push(svid);
  }
  if (svids.length === 0) return validation;
  if (svids.length === 1 && !others) return { ...validation, subjectAlternativeNames: { match: { exact: [svids[0]] } } };
  blockers.push(
    `the listeners behind virtual service ${serviceName} serve ${svids.length === 1 ? 'the SVID' : 'the SVIDs'} ${svids.join(', ')}${others ? ' and certificates of other kinds' : ''}: without subjectAlternativeNames App Mesh checks each against its service discovery name, which a SPIFFE ID does not match; choose the names to pin in validation.subjectAlternativeNames`,
  );
  return validation;
}
