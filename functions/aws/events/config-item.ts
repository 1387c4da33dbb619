import { appMeshArnOf, appMeshFieldsOf, isDeletion, type AppMeshResourceScope } from './config-types';
import { EventError } from './event-error';
import type { EventBridgeEvent } from './parse-eventbridge';

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
export function scopeFromConfigItem(event: EventBridgeEvent): AppMeshResourceScope {
  const { at, fields: item, known } = appMeshFieldsOf(event, 'configurationItem');
  const diff = event.detail?.configurationItemDiff;
  const deleted = isDeletion(item.configurationItemStatus, diff?.changeType);
  // Not recorded: Config kept no configuration, so the auditor reads the resource live.
  const unrecorded = deleted || item.configurationItemStatus === 'ResourceNotRecorded';
  const configuration = item.configuration;
  if (!unrecorded && (!configuration || typeof configuration !== 'object')) throw new EventError(`${at}.configuration`, 'missing', event.id);
  const config = (configuration ?? {}) as Record<string, any>;
  // A deleted item's configuration is null; the diff keeps the one it replaced (MeshOwner).
  const previous: Record<string, any> = (deleted && diff?.changedProperties?.Configuration?.previousValue) || {};
  const arn = appMeshArnOf({ ARN: item.ARN ?? item.arn ?? config.Arn ?? previous.Arn, resourceId: item.resourceId }, known.type, at, event.id);
  const mesh: unknown = config.MeshName ?? arn?.mesh;
  if (typeof mesh !== 'string') throw new EventError(`${at}.configuration.MeshName`, 'missing', event.id);
  const name: unknown = config[pascal(known.nameField)] ?? arn?.name ?? item.resourceName;
  if (typeof name !== 'string') throw new EventError(`${at}.configuration.${pascal(known.nameField)}`, 'missing', event.id);
  const parentName: unknown = known.type === 'route' ? (config.VirtualRouterName ?? arn?.parentName) : known.type === 'gatewayRoute' ? (config.VirtualGatewayName ?? arn?.parentName) : undefined;
  const meshOwner: unknown = config.MeshOwner ?? previous.MeshOwner;
  const data = unrecorded ? undefined : configurationToData(config);
  return {
    kind: 'appmesh-resource',
    mesh,
    ...(typeof meshOwner === 'string' ? { meshOwner } : {}),
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
