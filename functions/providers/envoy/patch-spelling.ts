import { isProtoObject, lowerCamel, readField, type ProtoObject } from './proto-fields';

/**
 * Patches must use the spelling the document already uses: a proto-JSON document with
 * `requireClientCertificate: false` patched with `require_client_certificate: true` would hold
 * both, and which one wins would depend on the parser.
 */
export function spellingFor(message: ProtoObject, snakeName: string): string {
  const present = readField(message, snakeName);
  if (present) return present.key;
  const keys = Object.keys(message).filter((k) => k !== '@type');
  const camel = keys.some((k) => /[A-Z]/.test(k)) && !keys.some((k) => k.includes('_'));
  return camel ? lowerCamel(snakeName) : snakeName;
}

/** A copy of `message` with `snakeName` set, in the document's spelling. */
export function withField(message: ProtoObject, snakeName: string, value: unknown): ProtoObject {
  return { ...message, [spellingFor(message, snakeName)]: value };
}

/** A copy of the sub-message at `snakeName` (created when absent), changed by `change`. */
export function withMessage(message: ProtoObject, snakeName: string, change: (inner: ProtoObject) => ProtoObject): ProtoObject {
  const current = readField(message, snakeName)?.value;
  return withField(message, snakeName, change(isProtoObject(current) ? current : {}));
}
