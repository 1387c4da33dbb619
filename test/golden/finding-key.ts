import * as path from 'node:path';
import type { Finding } from '../../functions/core/findings';
import type { ResourceRef } from '../../functions/core/model/types';

/**
 * One line per finding that says what it is about, for the per-case lists a reviewer reads
 * instead of the golden JSON:
 *
 *   mtls-not-strict Deployment payments/payments-api:9090 DISABLED @payments/peer-authentication.yaml:14 fix:auto
 *   mtls-conflict VirtualNode prod-mesh orders/orders-api -> VirtualNode prod-mesh payments/payments-api:8080 @orders.yaml:2 fix:person
 *   cert-expiring Certificate orders-api.orders.svc.cluster.local critical 5d @files/orders-api.pem:1
 *
 * `fix:auto` means meshgov would make the change by itself; `fix:person` that a person must
 * approve or make it; nothing, that no fix is offered.
 *
 * `inputDir` is the case's input folder; file paths are shown relative to it.
 */
export function findingKey(f: Finding, inputDir: string): string {
  const detail = f.detail as Record<string, any>;
  const parts = [f.rule, describe(f.resource)];
  switch (f.rule) {
    case 'mtls-not-strict':
      parts.push(String(detail.mode));
      break;
    case 'mtls-client-not-enforced': {
      const port = detail.destinationPort !== undefined ? `:${detail.destinationPort}` : '';
      parts.push(`sends ${detail.sends} to ${(detail.destination as string[]).join(',')}${port}`);
      break;
    }
    case 'mtls-conflict':
      parts.push('->', describe(detail.server as ResourceRef));
      break;
    case 'cert-expiring':
      parts.push(`${f.severity} ${detail.daysLeft}d`);
      break;
    case 'cert-expired':
      parts.push(String(detail.state));
      break;
    case 'config-invalid':
      if (detail.field) parts.push(String(detail.field));
      break;
    default:
      break;
  }
  if (f.resource.file !== undefined) parts.push(`@${relativeFile(f.resource.file, inputDir)}:${f.resource.line}`);
  // Whether meshgov would fix it alone (auto) or a person must approve or make the change.
  if (f.remediation) parts.push(f.remediation.mode === 'auto' ? 'fix:auto' : 'fix:person');
  return parts.join(' ');
}

/** `Kind [mesh ][namespace/]name[:port]` */
function describe(r: ResourceRef): string {
  const mesh = r.mesh !== undefined ? `${r.mesh} ` : '';
  const namespace = r.namespace !== undefined ? `${r.namespace}/` : '';
  const port = r.port !== undefined ? `:${r.port}` : '';
  return `${r.kind} ${mesh}${namespace}${r.name}${port}`;
}

function relativeFile(file: string, inputDir: string): string {
  const rel = path.relative(inputDir, path.resolve(file));
  return rel.split(path.sep).join('/');
}
