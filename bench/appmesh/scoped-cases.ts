/**
 * The scoped audits the bench measures, each from a real-shaped CloudTrail event: the change
 * is made in the emulator first (as the API call did), then the event is handed to the reader.
 */
import { DeleteVirtualNodeCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { AuditScope } from '../../functions/core/pipeline/trigger';
import { scopeFromCloudTrail } from '../../functions/providers/appmesh/live';
import type { AppMeshEmulator } from '../../test/emulators/appmesh';
import { cloudTrailEventFor, DELETE_EVENT, UPDATE_EVENT, UPDATE_NO_RESPONSE_EVENT } from '../../test/integration/appmesh/support/cloudtrail-events';
import { FLEET_MESH, nodeName } from '../../test/integration/appmesh/support/mesh-fleet';
import { sharedEvent } from '../../test/support/shared-events';

export interface ScopedCase {
  name: string;
  /** Whether the event carries the resource (CloudTrail responseElements). */
  carriesSpec: boolean;
  /** The most API calls the issue allows. */
  maxCalls: number;
  /** Makes the change (in the emulator, or through the API as a user would) and returns the scope its event calls for. */
  prepare(ctx: { emulator: AppMeshEmulator; client: AppMeshClient }): Promise<AuditScope> | AuditScope;
}

const disabledListener = (spec: any) => ({ ...spec, listeners: [{ ...spec.listeners[0], tls: { mode: 'DISABLED' } }] });

export const SCOPED_CASES: ScopedCase[] = [
  {
    name: 'UpdateVirtualNode payments-api, with responseElements',
    carriesSpec: true,
    maxCalls: 0,
    prepare: ({ emulator }) => {
      emulator.touch(FLEET_MESH, 'virtualNode', 'payments-api', { changeSpec: () => sharedEvent(UPDATE_EVENT).detail.requestParameters.spec });
      return scopeFromCloudTrail(sharedEvent(UPDATE_EVENT));
    },
  },
  {
    name: 'UpdateVirtualNode payments-api, responseElements null',
    carriesSpec: false,
    maxCalls: 2,
    prepare: () => scopeFromCloudTrail(sharedEvent(UPDATE_NO_RESPONSE_EVENT)),
  },
  {
    name: `UpdateVirtualNode ${nodeName(0)} to DISABLED, with responseElements`,
    carriesSpec: true,
    maxCalls: 0,
    prepare: ({ emulator }) => {
      const data = emulator.touch(FLEET_MESH, 'virtualNode', nodeName(0), { changeSpec: disabledListener });
      return scopeFromCloudTrail(cloudTrailEventFor('Update', 'virtualNode', data, { withResponse: true }));
    },
  },
  {
    name: `UpdateVirtualNode ${nodeName(1)} to DISABLED, responseElements null`,
    carriesSpec: false,
    maxCalls: 2,
    prepare: ({ emulator }) => {
      const data = emulator.touch(FLEET_MESH, 'virtualNode', nodeName(1), { changeSpec: disabledListener });
      return scopeFromCloudTrail(cloudTrailEventFor('Update', 'virtualNode', data, { withResponse: false }));
    },
  },
  {
    name: 'UpdateVirtualGateway ingress-gw, responseElements null',
    carriesSpec: false,
    maxCalls: 2,
    prepare: ({ emulator }) => {
      const data = emulator.touch(FLEET_MESH, 'virtualGateway', 'ingress-gw', {
        changeSpec: (spec: any) => ({ ...spec, listeners: [{ ...spec.listeners[0], tls: { ...spec.listeners[0].tls, mode: 'STRICT' } }] }),
      });
      return scopeFromCloudTrail(cloudTrailEventFor('Update', 'virtualGateway', data, { withResponse: false }));
    },
  },
  {
    name: 'DeleteVirtualNode orders-api-legacy',
    carriesSpec: true,
    maxCalls: 0,
    prepare: async ({ client }) => {
      // The CI user's DeleteVirtualNode, then its event.
      await client.send(new DeleteVirtualNodeCommand({ meshName: FLEET_MESH, virtualNodeName: 'orders-api-legacy' }));
      return scopeFromCloudTrail(sharedEvent(DELETE_EVENT));
    },
  },
];
