/**
 * Decoding of request bodies: JSON for create, update and delete options; the patch formats
 * the API server accepts, chosen by Content-Type (apiserver/pkg/endpoints/handlers/patch.go).
 * Custom resources do not support strategic merge patch, which needs Go struct tags.
 */
import { parse as parseYaml } from 'yaml';
import { isJsonObject } from './merge-patch';
import type { ResourceType } from './resource-catalog';
import { badRequest, unsupportedMediaType } from './status-errors';
import type { Json, JsonObject } from './types';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** `application/merge-patch+json; charset=utf-8` → `application/merge-patch+json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function patchTypeOf(contentType: string, resource: ResourceType): PatchType {
  const type = PATCH_TYPES[mediaType(contentType)];
  const accepted = Object.entries(PATCH_TYPES)
    .filter(([, t]) => t !== 'strategic' || !resource.isCustomResource)
    .map(([name]) => name);
  if (type === undefined || (type === 'strategic' && resource.isCustomResource)) throw unsupportedMediaType(contentType, accepted);
  return type;
}

export function parseJsonBody(raw: string, what: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch (error) {
    throw badRequest(`${what}: ${(error as Error).message}`);
  }
}

export function parseObjectBody(raw: string, what: string): JsonObject {
  const parsed = parseJsonBody(raw, what);
  if (!isJsonObject(parsed)) throw badRequest(`${what}: expected a JSON object`);
  return parsed;
}

/** Apply configurations are YAML (JSON is YAML too). */
export function parseApplyBody(raw: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = parseYaml(raw);
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`);
  }
  if (!isJsonObject(parsed)) throw badRequest('error decoding YAML: the apply configuration must be an object');
  return parsed;
}
