import { createHash } from 'node:crypto';
import type { Remediation } from '../findings';
import type { FleetIndex } from '../model/fleet-index';
import type { ProviderFix, ServerEndpoint } from '../model/types';
import type { RuleSettings } from '../policy/types';
import type { RuleFinding } from '../rules/rule';
import { describeResource } from '../rules/rule';
import type { AcceptedSides } from './accepted-sides';
import type { UnmeshedCallers } from './unmeshed-callers';

/**
 * The plan stage: attaches the provider's fix to a finding, with the gate's verdict. `auto` is
 * given only when the rule allows it and every precondition holds across the audited fleet:
 * a server goes STRICT only when no known client sends it plaintext and every workload in
 * scope has a sidecar; a client is enforced only when its servers accept mTLS. `unmeshed` is the
 * audit's sidecar-less workloads, read once (with mesh-sidecar-missing's exclusions) for all findings.
 */
export function planRemediation(finding: RuleFinding, index: FleetIndex, settings: RuleSettings, unmeshed: UnmeshedCallers, accepted?: AcceptedSides): Remediation | null {
  const fix = fixFor(finding, index);
  if (!fix) return null;
  const base = { action: fix.action, change: fix.change };
  if (fix.manualOnly) return { ...base, mode: 'manual', reason: `this change needs a person: ${whyManual(fix)}` };
  if (settings.remediation === 'manual') return { ...base, mode: 'manual', reason: `rule ${finding.rule} allows only manual remediation` };
  // A plan made on a partial read says so whatever holds it: neither the approver nor the re-check may take it as complete.
  const unread = index.model.partial?.length ? `${PRECONDITIONS_UNKNOWN}${index.model.partial.join('; ')}` : undefined;
  const noting = (reason: string) => (unread ? `${reason} (and ${unread})` : reason);
  const blockers = [...fix.blockers, ...fleetBlockers(fix, index, unmeshed, accepted)];
  if (blockers.length > 0) {
    const distinct = [...new Set(blockers)];
    return { ...base, mode: 'approval', reason: noting(`${PRECONDITIONS_BROKEN}${listed(distinct)}`), blockers: blockerList(distinct) };
  }
  if (settings.remediation === 'approval') return { ...base, mode: 'approval', reason: noting(`rule ${finding.rule} requires approval for this change`) };
  if (unread) return { ...base, mode: 'approval', reason: unread };
  return { ...base, mode: 'auto', reason: preconditionsHeld(fix) };
}

/** How a reason held by preconditions starts; `blockers` lists them (recheck.ts reads both). */
export const PRECONDITIONS_BROKEN = 'preconditions do not hold: ';
/** How the reason of a plan made on a partial read starts: nothing says whether the preconditions hold. */
export const PRECONDITIONS_UNKNOWN = 'the preconditions across the fleet are unknown: ';

export function fixFor(finding: RuleFinding, index: FleetIndex): ProviderFix | undefined {
  const src = finding.fixSource;
  if (!src) return undefined;
  if (src.serverId) return index.serverById.get(src.serverId)?.fix;
  if (src.clientId) return index.clientById(src.clientId)?.fix;
  return undefined;
}

/** What only the whole fleet can tell: who calls the servers being tightened, what the clients' servers accept. */
export function fleetBlockers(fix: ProviderFix, index: FleetIndex, unmeshed: UnmeshedCallers, accepted?: AcceptedSides): string[] {
  const out: string[] = [];
  // Indexed loops: cold for…of allocates an iterator result per step, for thousands of fixes.
  const servers = fix.affectsServers;
  let takesPlaintext: ServerEndpoint | undefined;
  for (let i = 0; i < servers.length; i++) {
    const id = servers[i]!;
    const server = index.serverById.get(id);
    if (!server) continue;
    // Accepted as it is by a person: a client meshgov cannot see needs it so.
    const acceptedAsIs = accepted?.serverBlocker(id);
    if (acceptedAsIs !== undefined) out.push(acceptedAsIs);
    if (!server.inMesh) out.push(`${describeResource(server.resource)} has no sidecar`);
    // Only a server that takes plaintext today loses callers without sidecars by going STRICT.
    if (!takesPlaintext && (server.mode === 'PERMISSIVE' || server.mode === 'DISABLED') && unmeshed.of(server.provider).length > 0) takesPlaintext = server;
    const callers = index.clientsByServer.get(id);
    for (let j = 0; callers !== undefined && j < callers.length; j++) {
      const c = callers[j]!;
      if (c.sends === 'PLAINTEXT' || c.sends === 'TLS') {
        out.push(`${describeResource(c.resource)} sends ${c.sends === 'TLS' ? 'TLS without a client certificate' : 'plaintext'} to ${describeResource(server.resource)}`);
      }
    }
  }
  // One reason for the callers without a sidecar, naming the first server they could lose.
  const plaintextCallers = takesPlaintext && unmeshed.reasonFor(takesPlaintext.provider, describeResource(takesPlaintext.resource));
  if (plaintextCallers) out.push(plaintextCallers);
  const clients = fix.affectsClients ?? [];
  for (let i = 0; i < clients.length; i++) {
    const client = index.clientById(clients[i]!);
    if (!client) continue;
    const acceptedAsIs = accepted?.clientBlocker(client.id);
    if (acceptedAsIs !== undefined) out.push(acceptedAsIs);
    const reached = index.serversOf(client);
    // A ServiceEntry's VM or a Service whose pods were not read: nothing shows a proxy there that takes mTLS.
    if (reached.length === 0) out.push(`no server behind ${client.destination.hosts.join(', ')} is in this audit, so nothing shows it accepts mTLS`);
    for (let j = 0; j < reached.length; j++) {
      const s = reached[j]!;
      if (!s.inMesh) out.push(`${describeResource(s.resource)} has no sidecar to accept mTLS`);
      else if (s.mode === 'DISABLED') out.push(`${describeResource(s.resource)} accepts only plaintext`);
    }
  }
  return out;
}

function preconditionsHeld(fix: ProviderFix): string {
  if (fix.affectsServers.length > 0) {
    return `preconditions hold: every known client sends mTLS to the ${fix.affectsServers.length} affected server port(s), and all have sidecars`;
  }
  return 'preconditions hold: every destination of this client accepts mTLS';
}

/**
 * Why only a person can make the change, in words they can act on: the provider's reason (no
 * writer for that configuration) and what must happen first (a certificate issued, a CA chosen).
 */
function whyManual(fix: ProviderFix): string {
  const why = fix.manualReason !== undefined ? [fix.manualReason, ...fix.blockers] : fix.blockers;
  return why.length > 0 ? listed(why) : 'meshgov cannot apply it safely';
}

/** Blockers a plan lists one by one; past these, one entry stands for the rest. */
export const LISTED_BLOCKERS = 20;

/**
 * The blockers as the plan carries them: every one, up to LISTED_BLOCKERS; past that the first
 * ones and a last entry that counts the rest and fingerprints them. A server with hundreds of
 * plaintext callers would otherwise put them all on every finding its change fixes, in the report
 * and on the approval's ledger record (DynamoDB items hold 400 KB). The re-check compares entries,
 * so any change among the rest changes the last one and is refused, as a new blocker is.
 */
function blockerList(distinct: string[]): string[] {
  if (distinct.length <= LISTED_BLOCKERS) return distinct;
  const shown = distinct.slice(0, LISTED_BLOCKERS - 1);
  const rest = distinct.slice(LISTED_BLOCKERS - 1);
  const fingerprint = createHash('sha256').update([...rest].sort().join('\n')).digest('hex').slice(0, 16);
  return [...shown, `and ${rest.length} more (fingerprint ${fingerprint})`];
}

/** The first five distinct reasons, and how many other distinct ones there are. */
function listed(reasons: string[]): string {
  const distinct = reasons.length > 1 ? [...new Set(reasons)] : reasons;
  return `${distinct.slice(0, 5).join('; ')}${distinct.length > 5 ? `; and ${distinct.length - 5} more` : ''}`;
}
