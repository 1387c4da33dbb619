/**
 * JSON Merge Patch, RFC 7386 section 2: objects merge key by key, `null` deletes a key, and
 * anything else (arrays included) replaces the target value whole. The Kubernetes API server
 * applies `application/merge-patch+json` bodies exactly this way (evanphx/json-patch MergePatch).
 */
import type { Json, JsonObject } from './types';

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Returns the patched document; neither argument is modified. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = applyMergePatch(result[key], value);
    }
  }
  return result;
}
