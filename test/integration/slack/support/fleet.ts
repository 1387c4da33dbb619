import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AppMeshSeed } from '../../../emulators/appmesh';
import type { Trigger } from '../../../../functions/core/pipeline/trigger';
import { sharedEvent } from '../../../support/shared-events';

const EXAMPLES = path.resolve(__dirname, '../../../../examples/aws-app-mesh/api');

const SEED_KEYS: Record<string, keyof AppMeshSeed> = {
  mesh: 'meshes',
  virtualNode: 'virtualNodes',
  virtualService: 'virtualServices',
  virtualRouter: 'virtualRouters',
  route: 'routes',
  virtualGateway: 'virtualGateways',
  gatewayRoute: 'gatewayRoutes',
};

/**
 * prod-mesh of the example fleet (examples/aws-app-mesh/api, Describe outputs), with payments-api
 * as alice left it: listener 8080 PERMISSIVE at version 3. Audited, it has four findings:
 * payments-api and ledger not STRICT (approval: a client of each does not send mTLS), and
 * payments-api and payments-worker not enforcing client mTLS (auto under the shipped rules).
 */
const CLIENTS_WITH_OWN_IDENTITY = ['payments-api', 'payments-worker'];

export function storylineMesh(): AppMeshSeed {
  const seed: AppMeshSeed = {};
  const describes = [
    ...JSON.parse(readFileSync(path.join(EXAMPLES, 'prod-mesh-describe-all.json'), 'utf8')),
    JSON.parse(readFileSync(path.join(EXAMPLES, 'describe-virtual-node-payments-api.json'), 'utf8')),
  ] as Array<Record<string, any>>;
  for (const describe of describes) {
    const [[type, data]] = Object.entries(describe);
    const key = SEED_KEYS[type];
    // SPIRE gives each workload its own SVID: meshgov's client fixes use that identity, never another workload's.
    if (type === 'virtualNode' && CLIENTS_WITH_OWN_IDENTITY.includes(data.virtualNodeName)) {
      // App Mesh requires a validation trust beside the certificate: the SPIRE trust domain's bundle.
      const tls = { certificate: { sds: { secretName: `spiffe://prod-mesh.example.com/${data.virtualNodeName}` } }, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } } };
      data.spec = { ...data.spec, backendDefaults: { clientPolicy: { tls } } };
    }
    (seed[key] ??= [] as never[]).push(data as never);
  }
  return seed;
}

/** The trigger the hub derives from alice's UpdateVirtualNode (shared CloudTrail event), at the time the test runs. */
export function aliceChange(now: Date): Trigger {
  const event = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json');
  return {
    source: 'cloudtrail',
    eventId: event.id,
    eventTime: now.toISOString(),
    actor: event.detail.userIdentity.arn,
    summary: `${event.detail.eventName} ${event.detail.requestParameters.virtualNodeName} by alice@example.com`,
  };
}

/** The nightly audit (shared scheduled event). */
export function nightlyAudit(now: Date): Trigger {
  const event = sharedEvent('aws/scheduled-event.json');
  return { source: 'schedule', eventId: `${event.id}-${now.getTime()}`, eventTime: now.toISOString(), summary: 'nightly audit (meshgov-nightly-audit)' };
}
