import { AppMeshError } from './appMeshErrors';
import type { JsonObject } from './storedResource';

/**
 * Input checks shared by the operation handlers. The constraints are those of the App Mesh
 * model: resource names are 1–255 characters, `spec` is a structure, `tags` a list of
 * `TagRef {key, value}`. Semantic validation of specs is out of the emulator's scope.
 */

export const MAX_NAME_LENGTH = 255;

export function requireName(value: unknown, member: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AppMeshError('BadRequestException', `${member} is required.`);
  }
  if (value.length > MAX_NAME_LENGTH) {
    throw new AppMeshError(
      'BadRequestException',
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: ` +
        `Member must have length less than or equal to ${MAX_NAME_LENGTH}`,
    );
  }
  return value;
}

export function requireSpec(value: unknown): JsonObject {
  if (!isJsonObject(value)) throw new AppMeshError('BadRequestException', 'spec is required.');
  return structuredClone(value);
}

export function optionalTags(value: unknown): JsonObject[] {
  if (value === undefined || value === null) return [];
  const valid =
    Array.isArray(value) &&
    value.every((t) => isJsonObject(t) && typeof t.key === 'string' && t.key.length > 0 && typeof t.value === 'string');
  if (!valid) throw new AppMeshError('BadRequestException', 'tags must be a list of {key, value} strings.');
  return structuredClone(value as JsonObject[]);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
