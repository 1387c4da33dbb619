import { isProtoObject, messageField, readField, stringField, typeUrlOf, type ProtoObject } from './proto-fields';
import {
  DOWNSTREAM_TLS_CONTEXT,
  INTERNAL_UPSTREAM,
  PROXY_PROTOCOL_UPSTREAM,
  QUIC_DOWNSTREAM,
  QUIC_UPSTREAM,
  RAW_BUFFER,
  TAP,
  UPSTREAM_TLS_CONTEXT,
} from './type-urls';

/** What a `config.core.v3.TransportSocket` does to the bytes on the wire. */
export type TransportSocketKind =
  /** No transport socket, or raw_buffer: plaintext. */
  | { kind: 'plaintext'; why: string }
  /** TLS, with the Downstream/UpstreamTlsContext and its dotted path in the document. */
  | { kind: 'tls'; tlsContext: ProtoObject; path: string }
  /** Something we cannot read: the field at fault and why. */
  | { kind: 'invalid'; field: string; message: string };

export type Direction = 'downstream' | 'upstream';

/** Extension names of the v2-era `name`-only form (envoy source/extensions/transport_sockets/well_known_names). */
const RAW_BUFFER_NAMES = new Set(['envoy.transport_sockets.raw_buffer', 'raw_buffer']);

/**
 * Classifies a transport socket, looking through the wrappers that only observe or prefix the
 * stream (tap, PROXY protocol, internal upstream) and the QUIC sockets that embed a TLS context.
 */
export function classifyTransportSocket(socket: unknown, path: string, direction: Direction): TransportSocketKind {
  if (socket === undefined) return { kind: 'plaintext', why: 'no transport socket' };
  if (!isProtoObject(socket)) return { kind: 'invalid', field: path, message: 'transport_socket must be an object' };

  const typed = readField(socket, 'typed_config');
  const name = stringField(socket, 'name');
  if (typed === undefined) {
    if (name !== undefined && RAW_BUFFER_NAMES.has(name)) return { kind: 'plaintext', why: `transport socket ${name}` };
    return { kind: 'invalid', field: `${path}.typed_config`, message: `transport socket ${name ?? '(unnamed)'} has no typed_config, so its type is unknown` };
  }
  const typedPath = `${path}.${typed.key}`;
  const typeUrl = typeUrlOf(typed.value);
  if (typeUrl === undefined) return { kind: 'invalid', field: `${typedPath}.@type`, message: 'typed_config has no @type, so Envoy cannot tell which extension it configures' };

  const expectedTls = direction === 'downstream' ? DOWNSTREAM_TLS_CONTEXT : UPSTREAM_TLS_CONTEXT;
  const config = typed.value as ProtoObject;
  switch (typeUrl) {
    case expectedTls:
      return { kind: 'tls', tlsContext: config, path: typedPath };
    case RAW_BUFFER:
      return { kind: 'plaintext', why: 'raw_buffer transport socket' };
    case TAP:
    case PROXY_PROTOCOL_UPSTREAM:
    case INTERNAL_UPSTREAM: {
      const inner = readField(config, 'transport_socket');
      return classifyTransportSocket(inner?.value, `${typedPath}.${inner?.key ?? 'transport_socket'}`, direction);
    }
    case QUIC_DOWNSTREAM:
    case QUIC_UPSTREAM: {
      const member = direction === 'downstream' ? 'downstream_tls_context' : 'upstream_tls_context';
      const inner = readField(config, member);
      const tls = messageField(config, member);
      if (!tls) return { kind: 'invalid', field: `${typedPath}.${member}`, message: `QUIC transport socket without ${member}` };
      return { kind: 'tls', tlsContext: tls, path: `${typedPath}.${inner?.key ?? member}` };
    }
    case DOWNSTREAM_TLS_CONTEXT:
    case UPSTREAM_TLS_CONTEXT:
      return { kind: 'invalid', field: `${typedPath}.@type`, message: `${typeUrl.split('.').pop()} cannot be used on the ${direction} side` };
    default:
      return { kind: 'invalid', field: `${typedPath}.@type`, message: `unknown transport socket type ${typeUrl}${/\.v2\./.test(typeUrl) ? ' (the v2 API is no longer served)' : ''}` };
  }
}

/** A filter's or socket's `typed_config` must name its message (the proto `Any` needs @type). */
export function typedConfigProblem(holder: unknown, path: string): { field: string; message: string } | undefined {
  const typed = readField(holder, 'typed_config');
  if (typed === undefined) return undefined;
  if (typeUrlOf(typed.value) !== undefined) return undefined;
  const name = stringField(holder, 'name');
  return { field: `${path}.${typed.key}.@type`, message: `typed_config of ${name ?? 'an unnamed filter'} has no @type` };
}
