/**
 * A live App Mesh call that failed after the SDK's retries, with what it was addressing. The
 * reader lets it end the collect: an inventory missing one resource would resolve that
 * resource's findings as if they were fixed.
 */
export class AppMeshCallError extends Error {
  override readonly name = 'AppMeshCallError';

  constructor(
    readonly operation: string,
    readonly address: { meshName?: string; meshOwner?: string; parentName?: string; name?: string },
    readonly errorName: string,
    readonly statusCode: number | undefined,
    options: { cause: unknown },
  ) {
    super(`${operation} ${describeAddress(address)} failed: ${errorName}${statusCode ? ` (HTTP ${statusCode})` : ''}: ${messageOf(options.cause)}`, options);
  }
}

function describeAddress(a: AppMeshCallError['address']): string {
  const owner = a.meshOwner ? ` (mesh owner ${a.meshOwner})` : '';
  const path = [a.meshName, a.parentName, a.name].filter((p) => p !== undefined && p !== '').join('/');
  return `${path || 'meshes'}${owner}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The SDK's error name (`NotFoundException`, `TooManyRequestsException`, …). */
export function errorNameOf(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
