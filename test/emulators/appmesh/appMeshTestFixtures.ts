import { AppMeshClient, type AppMeshClientConfig, type VirtualNodeData, type VirtualNodeSpec } from '@aws-sdk/client-app-mesh';
import type { SeedOf } from './seedTypes';
import type { AppMeshEmulator } from './startAppMeshEmulator';

/**
 * Realistic App Mesh data for the emulator's tests: the `payments-api` virtual node of
 * `prod-mesh` in account 111122223333 (us-west-2), as in the CloudTrail UpdateVirtualNode
 * event in /work/shared/events/aws/cloudtrail-appmesh-update-virtual-node.json.
 */

export const ACCOUNT_ID = '111122223333';
/** The account that shares its mesh with ACCOUNT_ID in the shared-mesh tests. */
export const MESH_OWNER_ACCOUNT_ID = '444455556666';
export const REGION = 'us-west-2';
export const MESH_NAME = 'prod-mesh';

export const CA_ARN =
  'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';
export const CERTIFICATE_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48';

/** A listener in the given TLS mode, with the ACM certificate and an HTTP health check. */
export function virtualNodeSpec(name: string, tlsMode: 'STRICT' | 'PERMISSIVE' | 'DISABLED' = 'PERMISSIVE'): VirtualNodeSpec {
  return {
    backends: [
      {
        virtualService: {
          virtualServiceName: 'ledger.payments.svc.cluster.local',
          clientPolicy: {
            tls: { enforce: true, validation: { trust: { acm: { certificateAuthorityArns: [CA_ARN] } } } },
          },
        },
      },
    ],
    listeners: [
      {
        healthCheck: {
          healthyThreshold: 2,
          intervalMillis: 5000,
          path: '/healthz',
          port: 8080,
          protocol: 'http',
          timeoutMillis: 2000,
          unhealthyThreshold: 3,
        },
        portMapping: { port: 8080, protocol: 'http' },
        tls: { certificate: { acm: { certificateArn: CERTIFICATE_ARN } }, mode: tlsMode },
      },
    ],
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
    serviceDiscovery: { dns: { hostname: `${name}.payments.svc.cluster.local` } },
  };
}

export function virtualNodeSeed(name: string, overrides: Partial<SeedOf<VirtualNodeData>> = {}): SeedOf<VirtualNodeData> {
  return { meshName: MESH_NAME, virtualNodeName: name, spec: virtualNodeSpec(name), ...overrides };
}

export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** A real SDK client pointed at the emulator. */
export function appMeshClientFor(emulator: AppMeshEmulator, config: Partial<AppMeshClientConfig> = {}): AppMeshClient {
  return new AppMeshClient({
    endpoint: emulator.url,
    region: REGION,
    credentials: TEST_CREDENTIALS,
    ...config,
  });
}
