import type { AppMeshApiType } from '../../core/model/inventory';
import type { AuditScope } from '../../core/pipeline/trigger';
import { EventError } from './event-error';
import type { EventBridgeEvent } from './parse-eventbridge';

/** AWS Config resource types for App Mesh, and the API's data type and name field for each. */
const CONFIG_TYPES: Record<string, { type: AppMeshApiType; nameField: string }> = {
  'AWS::AppMesh::Mesh': { type: 'mesh', nameField: 'meshName' },
  'AWS::AppMesh::VirtualNode': { type: 'virtualNode', nameField: 'virtualNodeName' },
  'AWS::AppMesh::VirtualGateway': { type: 'virtualGateway', nameField: 'virtualGatewayName' },
  'AWS::AppMesh::VirtualService': { type: 'virtualService', nameField: 'virtualServiceName' },
  'AWS::AppMesh::VirtualRouter': { type: 'virtualRouter', nameField: 'virtualRouterName' },
  'AWS::AppMesh::Route': { type: 'route', nameField: 'routeName' },
  'AWS::AppMesh::GatewayRoute': { type: 'gatewayRoute', nameField: 'gatewayRouteName' },
};

/** Config's schema upper-cases these acronyms whole; the App Mesh API spells them in camelCase. */
const ACRONYMS: Record<string, string> = { DNS: 'dns', AWSCloudMap: 'awsCloudMap', TLS: 'tls', ACM: 'acm', SDS: 'sds', HTTP: 'http', HTTP2: 'http2', GRPC: 'grpc', TCP: 'tcp', ARN: 'arn', ARNs: 'arns' };

/** Config item keys (PascalCase, e.g. `Tls`, `CertificateArn`, `DNS`) → the API's camelCase. */
export function configKeyToApi(key: string): string {
  return ACRONYMS[key] ?? key.charAt(0).toLowerCase() + key.slice(1);
}

export function configToApi(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(configToApi);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [configKeyToApi(k), configToApi(v)]));
}

/**
 * AWS Config "Configuration Item Change" for an `AWS::AppMesh::*` type → a scoped audit. The
 * item's configuration (Config's PascalCase) is turned into the API's data shape, so the audit
 * needs no Describe call; a deleted resource resolves its findings.
 */
export function scopeFromConfigItem(event: EventBridgeEvent): AuditScope {
  const item = event.detail?.configurationItem;
  if (!item || typeof item !== 'object') throw new EventError('detail.configurationItem', 'missing', event.id);
  const known = CONFIG_TYPES[item.resourceType as string];
  if (!known) throw new EventError('detail.configurationItem.resourceType', `not an App Mesh type: ${String(item.resourceType)}`, event.id);
  const status: string = item.configurationItemStatus ?? '';
  const deleted = status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded' || event.detail?.configurationItemDiff?.changeType === 'DELETE';
  const configuration = item.configuration;
  if (!deleted && (!configuration || typeof configuration !== 'object')) throw new EventError('detail.configurationItem.configuration', 'missing', event.id);
  const config = (configuration ?? {}) as Record<string, any>;
  const mesh: unknown = config.MeshName ?? meshFromArn(item.ARN ?? item.arn ?? config.Arn);
  if (typeof mesh !== 'string') throw new EventError('detail.configurationItem.configuration.MeshName', 'missing', event.id);
  const name: unknown = config[pascal(known.nameField)] ?? item.resourceName;
  if (typeof name !== 'string') throw new EventError(`detail.configurationItem.configuration.${pascal(known.nameField)}`, 'missing', event.id);
  const parentName: unknown = known.type === 'route' ? config.VirtualRouterName : known.type === 'gatewayRoute' ? config.VirtualGatewayName : undefined;
  const data = deleted ? undefined : configurationToData(config);
  return {
    kind: 'appmesh-resource',
    mesh,
    ...(typeof config.MeshOwner === 'string' ? { meshOwner: config.MeshOwner } : {}),
    resourceType: known.type,
    name,
    ...(typeof parentName === 'string' ? { parentName } : {}),
    ...(data ? { data } : {}),
    ...(deleted ? { deleted: true } : {}),
  };
}

/** The API's `*Data` shape from a Config item: names, spec and the metadata Config records. */
function configurationToData(config: Record<string, any>): Record<string, unknown> {
  const { Spec, Arn, Uid, MeshOwner, ResourceOwner, Id: _id, ...names } = config;
  return {
    ...(configToApi(names) as Record<string, unknown>),
    spec: configToApi(Spec ?? {}),
    // Config items carry no App Mesh version: the writer re-reads before any change.
    metadata: { arn: Arn, uid: Uid, meshOwner: MeshOwner, resourceOwner: ResourceOwner },
    status: { status: 'ACTIVE' },
  };
}

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function meshFromArn(arn: unknown): string | undefined {
  return typeof arn === 'string' ? /:mesh\/([^/]+)/.exec(arn)?.[1] : undefined;
}
