/**
 * Known callers of a listener that send it mTLS which is known not to get through, or not known
 * to: their handshakes are refused whatever the modes say (an mtls-conflict, clients.ts
 * `refusalOf`), or they pin no SANs toward an SVID (discovery-pins.ts). Recorded while the clients
 * are built, for the listener's STRICT fix (listener-fix.ts), whose precondition is that every
 * known caller reaches the listener with mTLS: while such a caller is known, it is never auto.
 * Callers sending plaintext or TLS without a certificate block that fix already (core
 * `fleetBlockers`), so only those sending mTLS are recorded.
 */
import type { ResourceRef } from '../../core/model/types';
import { describeResource } from '../../core/rules/rule';
import { describeDiscoveryNames } from './discovery-pins';

interface Unreached {
  caller: ResourceRef;
  /** Why its handshakes fail; unset for an SVID it does not pin. */
  refused?: string;
  svid?: string;
  names?: readonly string[];
}

export class CallerReach {
  private readonly byServer = new Map<string, Unreached[]>();

  /** `caller` sends `serverId` mTLS whose handshakes fail, because `why`. */
  refused(serverId: string, caller: ResourceRef, why: string): void {
    const list = this.listOf(serverId);
    if (!list.some((u) => u.caller === caller && u.refused === why)) list.push({ caller, refused: why });
  }

  /** `caller` sends mTLS, pinning no SANs, to a listener serving the SVID `svid` on a node named `names`. */
  unpinnedSvid(serverId: string, caller: ResourceRef, svid: string, names: readonly string[]): void {
    const list = this.listOf(serverId);
    if (!list.some((u) => u.caller === caller && u.svid === svid)) list.push({ caller, svid, names });
  }

  /** The blockers of a STRICT fix of `serverId`, one per caller and reason. */
  blockersOf(serverId: string): string[] {
    const list = this.byServer.get(serverId);
    if (!list) return [];
    return list.map((u) =>
      u.refused !== undefined
        ? `${describeResource(u.caller)} sends mTLS to ${serverId}, but its calls fail (${u.refused}): fix that before requiring mTLS`
        : `${describeResource(u.caller)} pins no subjectAlternativeNames toward ${serverId}, so App Mesh checks the listener certificate, the SVID ${u.svid}, against ${describeDiscoveryNames(u.names ?? [])}, which a SPIFFE ID does not match (the SVID's DNS names are not known): pin ${u.svid} in its client policy's validation.subjectAlternativeNames`,
    );
  }

  private listOf(serverId: string): Unreached[] {
    let list = this.byServer.get(serverId);
    if (!list) this.byServer.set(serverId, (list = []));
    return list;
  }
}
