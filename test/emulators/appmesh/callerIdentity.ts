import type { IncomingHttpHeaders } from 'node:http';
import { AppMeshError } from './appMeshErrors';

/**
 * Who is calling. The emulator does not check signatures, but it requires a SigV4
 * `Authorization` header (as AWS does) and reads the access key id from its credential scope
 * `Credential=<access key id>/<date>/<region>/appmesh/aws4_request` to pick the caller's
 * account: a key listed in `accountsByAccessKeyId`, otherwise the default account.
 */
export function callerAccountOf(
  headers: IncomingHttpHeaders,
  defaultAccountId: string,
  accountsByAccessKeyId: Readonly<Record<string, string>>,
): string {
  const authorization = headers.authorization;
  const credential = authorization ? /Credential=([^/,\s]+)\//.exec(authorization) : null;
  if (!credential) {
    throw new AppMeshError(
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    );
  }
  return accountsByAccessKeyId[credential[1]!] ?? defaultAccountId;
}
