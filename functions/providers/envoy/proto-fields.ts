/**
 * Reading Envoy configuration as written by people (YAML, snake_case) or by tools (proto JSON,
 * lowerCamelCase). The proto3 JSON mapping accepts both spellings of every field name, so Envoy
 * does too; we read whichever is present and remember which, so that error paths name the key
 * the user actually wrote.
 */
import { isRecord } from '../../core/is-record';

export type ProtoObject = Record<string, unknown>;

/** A message: an object with fields, the same test as core `isRecord`. */
export const isProtoObject: (v: unknown) => v is ProtoObject = isRecord;

/** `filter_chains` → `filterChains`, as protoc's json_name does. */
export function lowerCamel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A field read from a message: the key as spelled in the document, and its value. */
export interface FieldRead {
  key: string;
  value: unknown;
}

/** Reads a field by its proto name, falling back to the lowerCamelCase JSON name. */
export function readField(message: unknown, snakeName: string): FieldRead | undefined {
  if (!isProtoObject(message)) return undefined;
  if (message[snakeName] !== undefined && message[snakeName] !== null) return { key: snakeName, value: message[snakeName] };
  const camel = lowerCamel(snakeName);
  if (message[camel] !== undefined && message[camel] !== null) return { key: camel, value: message[camel] };
  return undefined;
}

export function field(message: unknown, snakeName: string): unknown {
  return readField(message, snakeName)?.value;
}

export function messageField(message: unknown, snakeName: string): ProtoObject | undefined {
  const v = field(message, snakeName);
  return isProtoObject(v) ? v : undefined;
}

/**
 * A repeated field. Envoy parses bootstraps with protobuf's JSON parser (MessageUtil::loadFromJson,
 * also for YAML), which sets `allow_legacy_syntax`: json/internal/parser.cc then accepts "a single
 * element in place of an array", so a lone value is a one-element list.
 */
export function listField(message: unknown, snakeName: string): unknown[] {
  const v = field(message, snakeName);
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function stringField(message: unknown, snakeName: string): string | undefined {
  const v = field(message, snakeName);
  return typeof v === 'string' ? v : undefined;
}

/** The key to use in an error path: the spelling present, else the proto name. */
export function keyOf(message: unknown, snakeName: string): string {
  return readField(message, snakeName)?.key ?? snakeName;
}

/**
 * A `google.protobuf.BoolValue` or plain bool. The JSON mapping writes wrappers as the bare
 * value; some hand-written YAML spells the wrapper out as `{value: true}`.
 */
export function boolValue(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (isProtoObject(v) && 'value' in v) return boolValue(v.value);
  return undefined;
}

/** A `uint32` port: proto JSON may write 64-bit-safe numbers as strings. */
export function portValue(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** A `google.protobuf.Any`'s type URL, from `typed_config` or `typedConfig`. */
export function typeUrlOf(any: unknown): string | undefined {
  return isProtoObject(any) && typeof any['@type'] === 'string' ? any['@type'] : undefined;
}
