import type { AppMeshApiType } from '../model/inventory';
import type { Provider } from '../model/types';

/** What started a run, carried to the ledger, the change records and the Slack messages. */
export interface Trigger {
  source:
    | 'cloudtrail'
    | 'aws-config'
    | 'schedule'
    | 'acm'
    | 'cloudwatch-alarm'
    | 'gke-audit'
    | 'cloud-scheduler'
    | 'cloud-monitoring'
    | 'slack'
    | 'cli';
  /** The delivering service's event id (EventBridge `id`, Pub/Sub messageId, …): the idempotency key. */
  eventId: string;
  eventTime: string;
  /** Who made the change that caused the event (an IAM ARN, a Kubernetes user), when known. */
  actor?: string;
  /** One line for people: "UpdateVirtualNode payments-api by alice@example.com". */
  summary: string;
}

/** What a run must read: everything, or one changed resource and what its findings depend on. */
export type AuditScope =
  | {
      kind: 'all';
      /** The providers this run audits in full: their open findings not seen again are resolved. */
      providers: readonly Provider[];
      meshes?: string[];
      namespaces?: string[];
      /** Meshes the run could not read (set by the run, from its inventory): their findings stay open. */
      unreadMeshes?: string[];
    }
  | {
      kind: 'appmesh-resource';
      mesh: string;
      meshOwner?: string;
      resourceType: AppMeshApiType;
      name: string;
      /** Virtual router of a route, virtual gateway of a gateway route. */
      parentName?: string;
      /** The resource as the event carried it (CloudTrail responseElements); saves a Describe call. */
      data?: unknown;
      deleted?: boolean;
      /**
       * Read the mesh again before trusting a held snapshot of it (List pages, and a Describe of
       * what moved): asked before a fix planned on a snapshot may run on its own.
       */
      revalidate?: boolean;
    }
  | { kind: 'istio-namespace'; namespace: string }
  | { kind: 'certificates'; arns: string[] };

/** A stable key for the part of the fleet a scope covers, so a run can resolve what it no longer sees. */
export function scopeKey(scope: AuditScope): string {
  switch (scope.kind) {
    case 'all':
      return `all:${scope.providers.join(',')}:${(scope.meshes ?? []).join(',')}:${(scope.namespaces ?? []).join(',')}`;
    case 'appmesh-resource':
      return `appmesh:${scope.mesh}/${scope.resourceType}/${scope.parentName ? `${scope.parentName}/` : ''}${scope.name}`;
    case 'istio-namespace':
      return `istio:${scope.namespace}`;
    case 'certificates':
      return `certificates:${scope.arns.join(',')}`;
  }
}
