/**
 * Callers with a sidecar that may still send some servers plaintext: their pod template lets
 * calls out uncaptured (outboundCapture.ts), or their Sidecar resource does not import the
 * server's host while unknown hosts pass through (sidecarScope.ts). Nothing in the configuration
 * says whom they call, so, like a workload without a sidecar, each may call any server it can
 * reach that way, and STRICT refuses it there. Each STRICT fix gets their reasons as blockers:
 * the change waits for a person who knows whom they call.
 */
import type { ProviderFix } from '../../core/model/types';
import type { ServerRecord } from './servers';

export interface PlaintextCaller {
  /** Who, for the count of those not named (`front/Deployment/ui`, `Sidecar front/default`). */
  name: string;
  /** Why it may send `record` plaintext that STRICT refuses; undefined when it cannot reach it so. */
  reasonToward(record: ServerRecord): string | undefined;
}

/** Callers named one by one in a fix's reasons; the others are counted. */
const NAMED = 3;

/**
 * Adds to each STRICT fix a reason per caller that may send plaintext to one of the servers it
 * tightens, naming the first such server. Only a server that takes plaintext today loses such a
 * caller by going STRICT.
 */
export function addPlaintextCallerBlockers(records: readonly ServerRecord[], callers: readonly PlaintextCaller[]): void {
  if (callers.length === 0) return;
  const byId = new Map<string, ServerRecord>();
  for (const r of records) byId.set(r.endpoint.id, r);
  const done = new Set<ProviderFix>();
  for (const record of records) {
    const fix = record.endpoint.fix;
    if (!fix || done.has(fix) || fix.affectsServers.length === 0) continue;
    done.add(fix);
    const tightened = takingPlaintext(fix, byId);
    if (tightened.length === 0) continue;
    const reasons: string[] = [];
    const unnamed: string[] = [];
    for (const caller of callers) {
      const reason = firstReason(caller, tightened);
      if (reason === undefined) continue;
      if (reasons.length < NAMED) reasons.push(reason);
      else unnamed.push(caller.name);
    }
    if (unnamed.length > 0) reasons.push(`and ${unnamed.length} more ${unnamed.length === 1 ? 'caller' : 'callers'} whose sidecar may let plaintext calls out (${unnamed.slice(0, NAMED).join(', ')}${unnamed.length > NAMED ? ', …' : ''})`);
    fix.blockers.push(...reasons);
  }
}

/** The servers the fix moves to STRICT that take plaintext today, in the fix's order. */
function takingPlaintext(fix: ProviderFix, byId: ReadonlyMap<string, ServerRecord>): ServerRecord[] {
  const out: ServerRecord[] = [];
  for (const id of fix.affectsServers) {
    const record = byId.get(id);
    if (record && (record.endpoint.mode === 'PERMISSIVE' || record.endpoint.mode === 'DISABLED')) out.push(record);
  }
  return out;
}

function firstReason(caller: PlaintextCaller, servers: readonly ServerRecord[]): string | undefined {
  for (const server of servers) {
    const reason = caller.reasonToward(server);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** The ports clients dial to reach the server: its Services' (and ServiceEntries') ports, else its own; undefined when none is known. */
export function dialedPorts(record: ServerRecord): readonly number[] | undefined {
  const servicePorts = record.endpoint.servicePorts;
  if (servicePorts && servicePorts.length > 0) return servicePorts;
  return record.port === undefined ? undefined : [record.port];
}

/** `port 8080 of shop/Deployment/api`, as the other server blockers name a server. */
export function serverName(record: ServerRecord): string {
  return record.port === undefined ? record.workload.key : `port ${record.port} of ${record.workload.key}`;
}
