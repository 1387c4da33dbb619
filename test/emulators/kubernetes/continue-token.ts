/**
 * List continuation tokens in the API server's format (apiserver/pkg/storage EncodeContinue):
 * unpadded base64url of `{"v":"meta.k8s.io/v1","rv":<list resourceVersion>,"start":"<next key>"}`,
 * where the start key is the last returned key plus a NUL byte, so the next page begins
 * strictly after it. Clients must treat the token as opaque; tests may decode it.
 */
import { badRequest } from './status-errors';

export interface ContinuePosition {
  /** The resourceVersion of the first page; every later page reports it. */
  resourceVersion: number;
  /** Resume strictly after this store key (`namespace/name`, or `name` when cluster-scoped). */
  afterKey: string;
}

const TOKEN_VERSION = 'meta.k8s.io/v1';

export function encodeContinue(position: ContinuePosition): string {
  const json = JSON.stringify({ v: TOKEN_VERSION, rv: position.resourceVersion, start: `${position.afterKey}\u0000` });
  return Buffer.from(json, 'utf8').toString('base64url');
}

export function decodeContinue(token: string): ContinuePosition {
  let parsed: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data or JSON');
  }
  if (parsed.v !== TOKEN_VERSION) throw badRequest(`continue key is not valid: server does not recognize this encoded version "${String(parsed.v)}"`);
  if (typeof parsed.rv !== 'number' || typeof parsed.start !== 'string' || !parsed.start.endsWith('\u0000')) {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  return { resourceVersion: parsed.rv, afterKey: parsed.start.slice(0, -1) };
}
