/**
 * Which filter chains of a listener some connection can get, and whether a plaintext or a TLS
 * client is the one that gets there, following FilterChainManagerImpl::findFilterChain
 * (source/common/listener_manager/filter_chain_manager_impl.cc). At each level (destination
 * port, destination IP, server name, transport protocol, application protocols, direct source
 * IP, source type, source IP, source port) the most specific entry wins, and a connection that
 * finds nothing below it does not go back up: it gets `default_filter_chain`, or is closed.
 *
 * SNI, transport and ALPN are decided exactly for each probe (listener-inspection.ts); ports and
 * addresses are not known, so every entry of those levels counts as reachable. The answer may
 * thus say too much is reachable, never too little.
 */
import type { ChainMatchKeys, SourceType } from './filter-chain-match';
import { probesFor, type Inspection, type Probe } from './listener-inspection';

export interface Reach {
  byPlaintext: boolean;
  byTls: boolean;
}

export interface ListenerReach {
  chains: Reach[];
  defaultChain: Reach;
}

/** The index of a chain, or DEFAULT for default_filter_chain (or closing the connection). */
const DEFAULT = -1;

interface Indexed {
  index: number;
  keys: ChainMatchKeys;
}

export function listenerReach(chains: ChainMatchKeys[], inspection: Inspection): ListenerReach {
  const reach: ListenerReach = { chains: chains.map(() => ({ byPlaintext: false, byTls: false })), defaultChain: { byPlaintext: false, byTls: false } };
  const indexed = chains.map((keys, index) => ({ index, keys }));
  for (const probe of probesFor(inspection, chains)) {
    for (const outcome of byDestinationPort(indexed, probe, inspection.fixedPorts)) {
      const r = outcome === DEFAULT ? reach.defaultChain : reach.chains[outcome]!;
      if (probe.wire === 'plaintext') r.byPlaintext = true;
      else r.byTls = true;
    }
  }
  return reach;
}

/** A specific port's subtree never falls back to the catch-all port, only to the default chain. */
function byDestinationPort(chains: Indexed[], probe: Probe, fixedPorts: number[] | undefined): Set<number> {
  const out = new Set<number>();
  const named = [...new Set(chains.map((c) => c.keys.destinationPort).filter((p) => p !== 0))];
  const ports: Array<number | undefined> = fixedPorts ?? [...named, undefined];
  for (const port of ports) {
    const exact = port !== undefined ? chains.filter((c) => c.keys.destinationPort === port) : [];
    const group = exact.length > 0 ? exact : chains.filter((c) => c.keys.destinationPort === 0);
    if (group.length === 0) out.add(DEFAULT);
    else addAll(out, byCidr(group, (k) => k.destinationIps, (g) => byServerName(g, probe)));
  }
  return out;
}

function byServerName(chains: Indexed[], probe: Probe): Set<number> {
  let group = chains.filter((c) => c.keys.serverNames.includes(probe.serverName));
  // Wildcards from the most specific suffix: `.b.example.com`, then `.example.com`, then `.com`.
  for (let pos = probe.serverName.indexOf('.', 1); group.length === 0 && pos !== -1 && pos < probe.serverName.length - 1; pos = probe.serverName.indexOf('.', pos + 1)) {
    group = chains.filter((c) => c.keys.serverNames.includes(`*${probe.serverName.slice(pos)}`));
  }
  if (group.length === 0) group = chains.filter((c) => c.keys.serverNames.length === 0);
  return group.length === 0 ? new Set([DEFAULT]) : byTransport(group, probe);
}

function byTransport(chains: Indexed[], probe: Probe): Set<number> {
  const exact = chains.filter((c) => c.keys.transportProtocol === probe.transportProtocol);
  const group = exact.length > 0 ? exact : chains.filter((c) => c.keys.transportProtocol === '');
  return group.length === 0 ? new Set([DEFAULT]) : byApplicationProtocols(group, probe);
}

/** The client's protocols in its order; the first one some chain names decides. */
function byApplicationProtocols(chains: Indexed[], probe: Probe): Set<number> {
  for (const alpn of probe.applicationProtocols) {
    const group = chains.filter((c) => c.keys.applicationProtocols.includes(alpn));
    if (group.length > 0) return bySource(group);
  }
  const group = chains.filter((c) => c.keys.applicationProtocols.length === 0);
  return group.length === 0 ? new Set([DEFAULT]) : bySource(group);
}

function bySource(chains: Indexed[]): Set<number> {
  return byCidr(chains, (k) => k.directSourceIps, (g) => bySourceType(g));
}

/** findFilterChainForSourceTypes: a local (or external) connection uses its own entry when there is one, else ANY. */
function bySourceType(chains: Indexed[]): Set<number> {
  const out = new Set<number>();
  const of = (t: SourceType) => chains.filter((c) => c.keys.sourceType === t);
  for (const own of [of('SAME_IP_OR_LOOPBACK'), of('EXTERNAL')]) {
    const group = own.length > 0 ? own : of('ANY');
    if (group.length === 0) out.add(DEFAULT);
    else addAll(out, byCidr(group, (k) => k.sourceIps, bySourcePort));
  }
  return out;
}

/** findFilterChainForSourceIpAndPort: the exact source port, else the entry without ports. */
function bySourcePort(chains: Indexed[]): Set<number> {
  const out = new Set<number>();
  for (const c of chains) out.add(c.index);
  if (!chains.some((c) => c.keys.sourcePorts.length === 0)) out.add(DEFAULT);
  return out;
}

/**
 * An address level (an LC trie in Envoy): each range's entry may be the longest match of some
 * address, and an address no range covers goes to the entry without ranges, or falls off.
 */
function byCidr(chains: Indexed[], ranges: (k: ChainMatchKeys) => string[], next: (group: Indexed[]) => Set<number>): Set<number> {
  const out = new Set<number>();
  for (const range of new Set(chains.flatMap((c) => ranges(c.keys)))) addAll(out, next(chains.filter((c) => ranges(c.keys).includes(range))));
  const catchAll = chains.filter((c) => ranges(c.keys).length === 0);
  if (catchAll.length === 0) out.add(DEFAULT);
  else addAll(out, next(catchAll));
  return out;
}

function addAll(into: Set<number>, from: Set<number>): void {
  for (const x of from) into.add(x);
}
