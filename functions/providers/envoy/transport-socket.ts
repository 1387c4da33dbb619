import { isProtoObject, messageField, readField, stringField, typeUrlOf, type ProtoObject } from './proto-fields';
import {
  DOWNSTREAM_TLS_CONTEXT,
  fullNameOf,
  HTTP_11_PROXY,
  INTERNAL_UPSTREAM,
  PROXY_PROTOCOL_UPSTREAM,
  QUIC_DOWNSTREAM,
  QUIC_UPSTREAM,
  RAW_BUFFER,
  STARTTLS_DOWNSTREAM,
  STARTTLS_UPSTREAM,
  TAP,
  TCP_STATS,
  TYPED_STRUCT_TYPES,
  UPSTREAM_TLS_CONTEXT,
} from './type-urls';

/** What a `config.core.v3.TransportSocket` does to the bytes on the wire. */
export type TransportSocketKind =
  /** No transport socket, or raw_buffer: plaintext. */
  | { kind: 'plaintext'; why: string }
  /**
   * TLS, with the Downstream/UpstreamTlsContext and its dotted path in the document. `direct` is
   * true when the context is the socket's own `typed_config` (a fix may replace the socket);
   * false when it sits inside a wrapper, a QUIC socket or a TypedStruct (a fix must patch it in
   * place). `quic` marks a QUIC transport (TLS 1.3 inside QUIC).
   */
  | { kind: 'tls'; tlsContext: ProtoObject; path: string; direct: boolean; quic: boolean; startTls?: true }
  /** Something we cannot read, or Envoy refuses: the field at fault and why. */
  | { kind: 'invalid'; field: string; message: string };

export type Direction = 'downstream' | 'upstream';

const name = fullNameOf;

/**
 * The message each direction's factories accept, by full name. The TLS and raw_buffer factories
 * exist on both sides; PROXY protocol, internal_upstream and http_11_proxy register only an
 * upstream factory, so Envoy finds no downstream factory for them and rejects the listener.
 */
const TLS_CONTEXT: Record<Direction, string> = { downstream: name(DOWNSTREAM_TLS_CONTEXT), upstream: name(UPSTREAM_TLS_CONTEXT) };
const QUIC: Record<Direction, string> = { downstream: name(QUIC_DOWNSTREAM), upstream: name(QUIC_UPSTREAM) };
const STARTTLS: Record<Direction, string> = { downstream: name(STARTTLS_DOWNSTREAM), upstream: name(STARTTLS_UPSTREAM) };
const WRAPPERS: Record<Direction, ReadonlySet<string>> = {
  downstream: new Set([name(TAP), name(TCP_STATS)]),
  upstream: new Set([name(TAP), name(TCP_STATS), name(PROXY_PROTOCOL_UPSTREAM), name(INTERNAL_UPSTREAM), name(HTTP_11_PROXY)]),
};

/**
 * Registered extension names, used only when `typed_config` is absent or empty (registry_utils.h
 * getAndCheckFactory: by type URL first, then by `name`). The TLS factories still register the
 * legacy name `tls` (LEGACY_REGISTER_FACTORY in tls/config.cc), raw_buffer its `raw_buffer`.
 */
const BY_NAME: Record<Direction, Record<string, string>> = {
  downstream: {
    'envoy.transport_sockets.tls': TLS_CONTEXT.downstream,
    tls: TLS_CONTEXT.downstream,
    'envoy.transport_sockets.raw_buffer': name(RAW_BUFFER),
    raw_buffer: name(RAW_BUFFER),
    'envoy.transport_sockets.quic': QUIC.downstream,
    'envoy.transport_sockets.tap': name(TAP),
    'envoy.transport_sockets.tcp_stats': name(TCP_STATS),
    'envoy.transport_sockets.starttls': STARTTLS.downstream,
  },
  upstream: {
    'envoy.transport_sockets.tls': TLS_CONTEXT.upstream,
    tls: TLS_CONTEXT.upstream,
    'envoy.transport_sockets.raw_buffer': name(RAW_BUFFER),
    raw_buffer: name(RAW_BUFFER),
    'envoy.transport_sockets.quic': QUIC.upstream,
    'envoy.transport_sockets.tap': name(TAP),
    'envoy.transport_sockets.tcp_stats': name(TCP_STATS),
    'envoy.transport_sockets.upstream_proxy_protocol': name(PROXY_PROTOCOL_UPSTREAM),
    'envoy.transport_sockets.internal_upstream': name(INTERNAL_UPSTREAM),
    'envoy.transport_sockets.http_11_proxy': name(HTTP_11_PROXY),
    'envoy.transport_sockets.starttls': STARTTLS.upstream,
  },
};

/** Wrappers nest; real configurations use two or three levels. A deeper chain is not worth following. */
const MAX_DEPTH = 8;

/** The socket's message: its full type name, its fields, where they are, and whether it came inside a TypedStruct. */
interface SocketConfig {
  type: string;
  config: ProtoObject;
  path: string;
  viaStruct: boolean;
}

/**
 * Classifies a transport socket, looking through the wrappers that only observe or prefix the
 * stream (tap, tcp_stats, PROXY protocol, internal upstream, HTTP/1.1 CONNECT), recursively, and
 * the QUIC sockets that embed a TLS context.
 */
export function classifyTransportSocket(socket: unknown, path: string, direction: Direction, depth = 0): TransportSocketKind {
  if (socket === undefined) return { kind: 'plaintext', why: 'no transport socket' };
  if (!isProtoObject(socket)) return { kind: 'invalid', field: path, message: 'transport_socket must be an object' };
  if (depth > MAX_DEPTH) return { kind: 'invalid', field: path, message: `transport sockets nested more than ${MAX_DEPTH} deep` };

  const resolved = socketConfig(socket, path, direction);
  if ('kind' in resolved) return resolved;
  const { type, config, path: configPath, viaStruct } = resolved;

  if (type === TLS_CONTEXT[direction]) return { kind: 'tls', tlsContext: config, path: configPath, direct: !viaStruct, quic: false };
  if (type === name(RAW_BUFFER)) return { kind: 'plaintext', why: 'raw_buffer transport socket' };
  if (WRAPPERS[direction].has(type)) return classifyWrapped(config, configPath, direction, depth, type);
  if (type === QUIC[direction]) return quicTls(config, configPath, direction);
  if (type === STARTTLS[direction]) return startTls(config, configPath);
  if (type === TLS_CONTEXT.downstream || type === TLS_CONTEXT.upstream || WRAPPERS.upstream.has(type) || type === STARTTLS.downstream || type === STARTTLS.upstream) {
    return { kind: 'invalid', field: `${configPath}.@type`, message: `${type.split('.').pop()} cannot be used on the ${direction} side: Envoy registers no ${direction} factory for it` };
  }
  return { kind: 'invalid', field: `${configPath}.@type`, message: `unknown transport socket type ${resolved.typeUrl}${/\.v2\./.test(type) ? ' (the v2 API is no longer served)' : ''}` };
}

/**
 * The socket's message as Envoy's registry finds it: by `typed_config`'s type URL (one TypedStruct
 * level unwrapped to its `type_url` and `value`), or by `name` when `typed_config` is absent or
 * empty, in which case the factory's empty config applies.
 */
function socketConfig(socket: ProtoObject, path: string, direction: Direction): (SocketConfig & { typeUrl: string }) | Extract<TransportSocketKind, { kind: 'invalid' }> {
  const typed = readField(socket, 'typed_config');
  const socketName = stringField(socket, 'name');
  if (typed === undefined || (isProtoObject(typed.value) && Object.keys(typed.value).length === 0)) {
    const byName = socketName !== undefined ? BY_NAME[direction][socketName] : undefined;
    if (byName !== undefined) return { type: byName, typeUrl: byName, config: {}, path: `${path}.typed_config`, viaStruct: false };
    return { kind: 'invalid', field: `${path}.typed_config`, message: `transport socket ${socketName ?? '(unnamed)'} has no typed_config, so its type is unknown` };
  }
  const typedPath = `${path}.${typed.key}`;
  const typeUrl = typeUrlOf(typed.value);
  if (typeUrl === undefined) return { kind: 'invalid', field: `${typedPath}.@type`, message: 'typed_config has no @type, so Envoy cannot tell which extension it configures' };
  const config = typed.value as ProtoObject;
  if (!TYPED_STRUCT_TYPES.has(fullNameOf(typeUrl))) return { type: fullNameOf(typeUrl), typeUrl, config, path: typedPath, viaStruct: false };

  const innerUrl = stringField(config, 'type_url');
  if (innerUrl === undefined) return { kind: 'invalid', field: `${typedPath}.type_url`, message: `${fullNameOf(typeUrl)} without type_url, so Envoy cannot tell which extension it configures` };
  const value = readField(config, 'value');
  return { type: fullNameOf(innerUrl), typeUrl: innerUrl, config: isProtoObject(value?.value) ? value.value : {}, path: `${typedPath}.${value?.key ?? 'value'}`, viaStruct: true };
}

/** A wrapper speaks its inner socket on the wire; the inner socket is required (PGV `required: true`). */
function classifyWrapped(config: ProtoObject, path: string, direction: Direction, depth: number, type: string): TransportSocketKind {
  const inner = readField(config, 'transport_socket');
  if (inner === undefined) {
    return { kind: 'invalid', field: `${path}.transport_socket`, message: `${type.split('.').slice(-3, -2)[0] ?? type} wraps a transport socket, but transport_socket is missing (Envoy requires it)` };
  }
  const kind = classifyTransportSocket(inner.value, `${path}.${inner.key}`, direction, depth + 1);
  return kind.kind === 'tls' ? { ...kind, direct: false } : kind;
}

/** QUIC sockets carry their TLS context in a required member (quic_transport.proto). */
function quicTls(config: ProtoObject, path: string, direction: Direction): TransportSocketKind {
  const member = direction === 'downstream' ? 'downstream_tls_context' : 'upstream_tls_context';
  const inner = readField(config, member);
  const tls = messageField(config, member);
  if (!tls) return { kind: 'invalid', field: `${path}.${member}`, message: `QUIC transport socket without ${member}` };
  return { kind: 'tls', tlsContext: tls, path: `${path}.${inner?.key ?? member}`, direct: false, quic: true };
}

/**
 * StartTLS (starttls.proto): the connection speaks `cleartext_socket_config` (raw_buffer) until a
 * protocol filter asks for TLS, then `tls_socket_config`, a TLS context message rather than a
 * socket. A factory built without it has no TLS to switch to.
 */
function startTls(config: ProtoObject, path: string): TransportSocketKind {
  const inner = readField(config, 'tls_socket_config');
  const tls = messageField(config, 'tls_socket_config');
  if (!tls) return { kind: 'invalid', field: `${path}.tls_socket_config`, message: 'StartTLS transport socket without tls_socket_config: there is no TLS to switch to' };
  return { kind: 'tls', tlsContext: tls, path: `${path}.${inner?.key ?? 'tls_socket_config'}`, direct: false, quic: false, startTls: true };
}

/** A filter's or socket's `typed_config` must name its message (the proto `Any` needs @type). */
export function typedConfigProblem(holder: unknown, path: string): { field: string; message: string } | undefined {
  const typed = readField(holder, 'typed_config');
  if (typed === undefined) return undefined;
  if (typeUrlOf(typed.value) !== undefined) return undefined;
  const holderName = stringField(holder, 'name');
  return { field: `${path}.${typed.key}.@type`, message: `typed_config of ${holderName ?? 'an unnamed filter'} has no @type` };
}
