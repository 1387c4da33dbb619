/**
 * A listener's `FilterChainMatch` (listener_components.proto) read into the keys Envoy indexes
 * filter chains by, in the order FilterChainManagerImpl::addFilterChainForDestinationPorts builds
 * its tree. An empty list or zero value is the level's catch-all.
 */
import { field, listField, messageField, portValue, stringField } from './proto-fields';

export type SourceType = 'ANY' | 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL';

export interface ChainMatchKeys {
  /** `destination_port`; 0 when unset (any port). */
  destinationPort: number;
  /** `prefix_ranges` as written (CIDR strings). */
  destinationIps: string[];
  /** `server_names`, lowercased; a `*.` wildcard is kept as written. */
  serverNames: string[];
  /** `transport_protocol`; '' when unset. */
  transportProtocol: string;
  applicationProtocols: string[];
  directSourceIps: string[];
  sourceType: SourceType;
  sourceIps: string[];
  /** `source_ports`; empty is any port. */
  sourcePorts: number[];
}

export function chainMatchKeys(chain: unknown): ChainMatchKeys {
  const match = messageField(chain, 'filter_chain_match');
  const strings = (name: string) => listField(match, name).filter((v): v is string => typeof v === 'string');
  return {
    destinationPort: portValue(wrapped(field(match, 'destination_port'))) ?? 0,
    destinationIps: cidrs(listField(match, 'prefix_ranges')),
    serverNames: strings('server_names').map((n) => n.toLowerCase()),
    transportProtocol: stringField(match, 'transport_protocol') ?? '',
    applicationProtocols: strings('application_protocols'),
    directSourceIps: cidrs(listField(match, 'direct_source_prefix_ranges')),
    sourceType: sourceTypeOf(field(match, 'source_type')),
    sourceIps: cidrs(listField(match, 'source_prefix_ranges')),
    sourcePorts: listField(match, 'source_ports').map(portValue).filter((p): p is number => p !== undefined),
  };
}

/** `destination_port` is a UInt32Value: bare in proto JSON, or spelled `{value: 443}`. */
function wrapped(v: unknown): unknown {
  return typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown }).value : v;
}

/** config.core.v3.CidrRange `{address_prefix, prefix_len}` as `10.0.0.0/8`. */
function cidrs(ranges: unknown[]): string[] {
  return ranges.map((r) => `${stringField(r, 'address_prefix') ?? ''}/${String(wrapped(field(r, 'prefix_len')) ?? '')}`);
}

/** FilterChainMatch.ConnectionSourceType, by name or proto-JSON number. */
function sourceTypeOf(v: unknown): SourceType {
  if (v === 'SAME_IP_OR_LOOPBACK' || v === 1) return 'SAME_IP_OR_LOOPBACK';
  if (v === 'EXTERNAL' || v === 2) return 'EXTERNAL';
  return 'ANY';
}
