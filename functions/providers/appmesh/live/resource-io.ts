/**
 * The reads and writes that meshgov's two App Mesh writers share: the fix of a listener or
 * client policy (replace-spec.ts) and the restore of a person's change (restore-spec.ts). Both
 * write whole specs, so both read right before and right after, and both refuse another
 * account's resource.
 */
import {
  UpdateGatewayRouteCommand,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualGatewayCommand,
  UpdateVirtualNodeCommand,
  UpdateVirtualRouterCommand,
  UpdateVirtualServiceCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import { isLooseRecord as isObject } from '../../../core/is-record';
import type { AppMeshApiType } from '../../../core/model/inventory';
import { API_KINDS, type ResourceAddress } from './api-kinds';
import { errorNameOf } from './errors';
import { accountOfArn } from '../arn';

export type Spec = Record<string, any>;
export type Data = Record<string, any>;

/** A resource of any of the seven types, as the Describe and Update calls address it. */
export interface MeshResource extends ResourceAddress {
  type: AppMeshApiType;
}

/** The resource's data (`metadata`, `spec`, `status`); undefined when it does not exist. */
export async function describeResource(client: AppMeshClient, r: MeshResource): Promise<Data | undefined> {
  try {
    const { data } = await API_KINDS[r.type].describe(client, r);
    return isObject(data) ? data : undefined;
  } catch (error) {
    if (errorNameOf(error) === 'NotFoundException') return undefined;
    throw error;
  }
}

/** The Update of each type: the request carries the whole spec, which replaces the stored one (App Mesh API Reference, Update*). */
export async function updateResource(client: AppMeshClient, r: MeshResource, spec: Spec, clientToken: string): Promise<Data> {
  const mesh = r.meshOwner ? { meshName: r.meshName, meshOwner: r.meshOwner } : { meshName: r.meshName };
  const s = spec as any;
  switch (r.type) {
    case 'mesh':
      return ((await client.send(new UpdateMeshCommand({ meshName: r.meshName, spec: s, clientToken }))).mesh ?? {}) as Data;
    case 'virtualNode':
      return ((await client.send(new UpdateVirtualNodeCommand({ ...mesh, virtualNodeName: r.name, spec: s, clientToken }))).virtualNode ?? {}) as Data;
    case 'virtualGateway':
      return ((await client.send(new UpdateVirtualGatewayCommand({ ...mesh, virtualGatewayName: r.name, spec: s, clientToken }))).virtualGateway ?? {}) as Data;
    case 'virtualService':
      return ((await client.send(new UpdateVirtualServiceCommand({ ...mesh, virtualServiceName: r.name, spec: s, clientToken }))).virtualService ?? {}) as Data;
    case 'virtualRouter':
      return ((await client.send(new UpdateVirtualRouterCommand({ ...mesh, virtualRouterName: r.name, spec: s, clientToken }))).virtualRouter ?? {}) as Data;
    case 'route':
      return ((await client.send(new UpdateRouteCommand({ ...mesh, virtualRouterName: r.parentName!, routeName: r.name, spec: s, clientToken }))).route ?? {}) as Data;
    case 'gatewayRoute':
      return ((await client.send(new UpdateGatewayRouteCommand({ ...mesh, virtualGatewayName: r.parentName!, gatewayRouteName: r.name, spec: s, clientToken }))).gatewayRoute ?? {}) as Data;
  }
}

/** `Name: message` of a failed call, for the details of a change. */
export function describeCallError(error: unknown): string {
  const name = errorNameOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return message && message !== name ? `${name}: ${message}` : name;
}

/** Why meshgov may not write a resource owned by `owner` when it runs as `caller`, or undefined when it may. */
export function notOwnResource(label: string, owner: string | undefined, caller: string | undefined): string | undefined {
  if (!caller) return `cannot tell which account meshgov runs as, so cannot check that ${label} (owned by ${owner ?? 'an unknown account'}) is its own: configure accountId`;
  if (owner !== caller) return `${label} belongs to account ${owner ?? 'unknown'}, not ${caller}: meshgov never modifies another account's resource`;
  return undefined;
}

/** What a writer learns right before a whole-spec write: the live resource, or why it must not write. */
export type OwnedRead =
  | { live: Data; refusal?: undefined }
  | { refusal: { outcome: 'aborted' | 'failed'; detail: string }; live?: Data };

/**
 * The read that opens every write: refuse another account's resource (by the owner the audit
 * saw, before any call, when the caller is known), Describe it, and check its live owner.
 */
export async function readOwnResource(
  client: AppMeshClient,
  callerAccount: () => Promise<string | undefined>,
  target: MeshResource,
  label: string,
  how: {
    /** The owner the audit saw (`change.resourceOwner`), checked before any call. */
    claimedOwner?: string;
    /** When the read happens, for its failure: "before writing". */
    reading: string;
    /** What a vanished resource means for the write: "nothing was changed". */
    gone: string;
  },
): Promise<OwnedRead> {
  let caller = await callerAccount();
  const claimedNotOurs = how.claimedOwner && caller ? notOwnResource(label, how.claimedOwner, caller) : undefined;
  if (claimedNotOurs) return { refusal: { outcome: 'aborted', detail: claimedNotOurs } };
  let live: Data | undefined;
  try {
    live = await describeResource(client, target);
  } catch (error) {
    return { refusal: { outcome: 'failed', detail: `could not read ${label} ${how.reading}: ${describeCallError(error)}; nothing was changed` } };
  }
  if (!live) return { refusal: { outcome: 'aborted', detail: `${label} no longer exists; ${how.gone}` } };
  // Without meshOwner the mesh is the caller's own, so the ARN's account is the caller's.
  caller ??= target.meshOwner ? undefined : accountOfArn(live.metadata?.arn);
  const notOurs = notOwnResource(label, live.metadata?.resourceOwner, caller);
  return notOurs ? { refusal: { outcome: 'aborted', detail: notOurs }, live } : { live };
}
