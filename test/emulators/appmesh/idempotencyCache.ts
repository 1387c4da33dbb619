import { AppMeshError } from './appMeshErrors';
import type { JsonObject } from './storedResource';

/**
 * `clientToken` idempotency of App Mesh create and update calls. The API Reference: "Unique,
 * case-sensitive identifier that you provide to ensure the idempotency of the request. Up to
 * 36 letters, numbers, hyphens, and underscores are allowed." The same token with the same
 * request returns the first result again (no new version); the same token with a different
 * request is a ConflictException ("The request contains a client token that was used for a
 * previous update resource call with different specifications").
 *
 * The SDK fills in a fresh UUID when the caller gives none and reuses it on every retry of
 * the same call, so a retried write is never applied twice.
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, { fingerprint: string; response: JsonObject }>();

  /** The earlier response for this token and request, or undefined when the token is new. */
  replay(scope: string, clientToken: string | undefined, request: unknown): JsonObject | undefined {
    if (clientToken === undefined) return undefined;
    const entry = this.entries.get(cacheKey(scope, clientToken));
    if (!entry) return undefined;
    if (entry.fingerprint !== canonicalJson(request)) {
      throw new AppMeshError(
        'ConflictException',
        'The request contains a client token that was used for a previous update resource call with ' +
          'different specifications. Try the request again with a new client token.',
      );
    }
    return structuredClone(entry.response);
  }

  remember(scope: string, clientToken: string | undefined, request: unknown, response: JsonObject): void {
    if (clientToken === undefined) return;
    this.entries.set(cacheKey(scope, clientToken), {
      fingerprint: canonicalJson(request),
      response: structuredClone(response),
    });
  }

  clear(): void {
    this.entries.clear();
  }
}

const CLIENT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;

export function validateClientToken(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !CLIENT_TOKEN_PATTERN.test(value)) {
    throw new AppMeshError(
      'BadRequestException',
      'clientToken must be up to 36 letters, numbers, hyphens, and underscores.',
    );
  }
  return value;
}

function cacheKey(scope: string, clientToken: string): string {
  return `${scope}\u0000${clientToken}`;
}

/** JSON with object keys sorted, so two equal requests compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as JsonObject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}
