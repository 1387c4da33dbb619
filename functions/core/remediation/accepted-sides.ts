import type { Finding } from '../findings';
import type { Exclusion } from '../policy/schema';
import { describeResource, type RuleFinding } from '../rules/rule';

/**
 * The servers and clients a person accepted as they are: an `mtls-not-strict` or
 * `mtls-client-not-enforced` finding excluded in rules/ ("a metrics port left plaintext on
 * purpose") or accepted by a `suppress.meshgov.io` annotation. Such an acceptance says a
 * client meshgov cannot see still needs that side as it is, so a change that would tighten it
 * (a namespace-wide PeerAuthentication set to STRICT for another workload's sake, a
 * DestinationRule that also carries the accepted client) is never made on its own: each such
 * side is a blocker of the plan (plan.ts fleetBlockers), named with the acceptance's reason.
 */
export class AcceptedSides {
  private readonly servers = new Map<string, string>();
  private readonly clients = new Map<string, string>();

  /** A finding of `rule` excluded by `exclusion` in rules/. */
  addExcluded(finding: RuleFinding, exclusion: Exclusion): void {
    this.add(finding, `${describeResource(finding.resource)} is excluded from ${finding.rule} in rules/${exclusion.reason ? ` (${exclusion.reason})` : ''}`);
  }

  /** A finding accepted by a `suppress.meshgov.io/<rule>` annotation, with its reason. */
  addSuppressed(finding: RuleFinding, suppression: { annotation: string; reason: string }): void {
    this.add(finding, `${describeResource(finding.resource)} is accepted by its ${suppression.annotation} annotation (${suppression.reason})`);
  }

  /** Why the change may not make this server STRICT on its own; undefined when nobody accepted it as it is. */
  serverBlocker(serverId: string): string | undefined {
    const accepted = this.servers.get(serverId);
    return accepted === undefined ? undefined : `${accepted}, and this change would make it STRICT`;
  }

  /** Why the change may not make this client send mTLS on its own; undefined when nobody accepted it as it is. */
  clientBlocker(clientId: string): string | undefined {
    const accepted = this.clients.get(clientId);
    return accepted === undefined ? undefined : `${accepted}, and this change would make it send mTLS`;
  }

  private add(finding: RuleFinding, why: string): void {
    const source = finding.fixSource;
    if (finding.rule === 'mtls-not-strict' && source?.serverId !== undefined && !this.servers.has(source.serverId)) this.servers.set(source.serverId, why);
    if (finding.rule === 'mtls-client-not-enforced' && source?.clientId !== undefined && !this.clients.has(source.clientId)) this.clients.set(source.clientId, why);
  }
}

/** The rules whose acceptance means "leave this side as it is". */
export const ACCEPTING_RULES: ReadonlySet<Finding['rule']> = new Set(['mtls-not-strict', 'mtls-client-not-enforced']);
