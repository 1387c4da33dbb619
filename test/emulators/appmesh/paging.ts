import { AppMeshError } from './appMeshErrors';
import type { JsonObject } from './storedResource';

/**
 * App Mesh list paging: `limit` is 1–100 (default 100: "If you don't use this parameter,
 * ListVirtualNodes returns up to 100 results and a nextToken value if applicable", API
 * Reference), `nextToken` is opaque. The emulator's token names the list it belongs to and
 * the last key returned, so a page boundary survives inserts and deletes in between.
 */

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 100;

export interface PageRequest {
  limit?: string;
  nextToken?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

interface TokenBody {
  /** Which list the token continues. */
  s: string;
  /** Key of the last item already returned. */
  k: string;
}

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_LIMIT;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_LIMIT) {
    // Coral's validation wording for a constrained member.
    throw new AppMeshError(
      'BadRequestException',
      `1 validation error detected: Value '${raw}' at 'limit' failed to satisfy constraint: ` +
        `Member must have value ${value < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_PAGE_LIMIT}`}`,
    );
  }
  return value;
}

export function paginate<T>(items: readonly T[], keyOf: (item: T) => string, request: PageRequest, scope: string): Page<T> {
  const limit = parseLimit(request.limit);
  const afterKey = request.nextToken === undefined ? undefined : decodeToken(request.nextToken, scope);
  const start = afterKey === undefined ? 0 : firstIndexAfter(items, keyOf, afterKey);
  const pageItems = items.slice(start, start + limit);
  const hasMore = start + limit < items.length;
  const last = pageItems[pageItems.length - 1];
  return {
    items: pageItems,
    nextToken: hasMore && last !== undefined ? encodeToken({ s: scope, k: keyOf(last) }) : undefined,
  };
}

function firstIndexAfter<T>(items: readonly T[], keyOf: (item: T) => string, afterKey: string): number {
  const index = items.findIndex((item) => keyOf(item) > afterKey);
  return index === -1 ? items.length : index;
}

function encodeToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function decodeToken(token: string, scope: string): string {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    body = undefined;
  }
  const candidate = body as Partial<TokenBody> | undefined;
  if (!candidate || typeof candidate.s !== 'string' || typeof candidate.k !== 'string' || candidate.s !== scope) {
    throw new AppMeshError('BadRequestException', 'The nextToken provided is invalid.');
  }
  return candidate.k;
}

/** Adds `nextToken` to a List output only when there is a next page (the service omits it otherwise). */
export function withNextToken(body: JsonObject, nextToken: string | undefined): JsonObject {
  if (nextToken !== undefined) body.nextToken = nextToken;
  return body;
}
