import { hash } from 'node:crypto';
import type { RuleId } from '../findings';
import type { Provider, ResourceRef } from '../model/types';

/**
 * The stable fingerprint: the same problem on the same resource gives the same id on every
 * run. It hashes the resource's identity, never its file or line, so moving a file or
 * running from another directory keeps the id (config-invalid passes the file as the
 * discriminator, since the file is its identity).
 */
export function findingId(rule: RuleId, provider: Provider, resource: ResourceRef, discriminator = ''): string {
  const identity = [rule, provider, resource.kind, resource.namespace ?? '', resource.mesh ?? '', resource.name, resource.port ?? '', discriminator].join('\u0000');
  // The one-shot `hash` skips the Hash object `createHash` builds for each of thousands of findings.
  return hash('sha256', identity, 'hex').slice(0, 24);
}
