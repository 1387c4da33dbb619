import { isLooseRecord as isObject } from '../../core/is-record';
import { APPMESH_NAME_FIELDS, type AppMeshApiType, type EnvoyInput, type Inventory, type KubeObject } from '../../core/model/inventory';
import type { SourceRef } from '../../core/model/types';
import type { RawDocument } from './parse-documents';

/** Most specific first: a route also carries virtualRouterName, a gateway route virtualGatewayName. */
const APPMESH_BARE_ORDER: AppMeshApiType[] = ['gatewayRoute', 'route', 'virtualNode', 'virtualGateway', 'virtualService', 'virtualRouter', 'mesh'];

/** Sorts one parsed document (or each element of an array or List) into the inventory by its content. */
export function classifyDocument(doc: RawDocument, inventory: Inventory): void {
  const source: SourceRef = { file: doc.file, line: doc.line };
  if (doc.format === 'pem') {
    inventory.pem.push({ doc: { text: doc.body as string }, source });
    return;
  }
  if (Array.isArray(doc.body)) {
    doc.body.forEach((item, i) => classifyValue(item, { file: doc.file, line: doc.elementLines?.[i] ?? doc.line }, inventory, `[${i}]`));
    return;
  }
  classifyValue(doc.body, source, inventory, '', doc.elementLines, doc.entryLines);
}

function isEnvoyBootstrap(value: Record<string, unknown>): boolean {
  return isObject(value.static_resources) || isObject(value.staticResources);
}

function classifyValue(value: unknown, source: SourceRef, inventory: Inventory, path: string, itemLines?: number[], entryLines?: EnvoyInput['entryLines']): void {
  if (!isObject(value)) {
    inventory.unknown.push({ doc: value, source });
    return;
  }
  if (typeof value.apiVersion === 'string' && typeof value.kind === 'string') {
    classifyKubernetes(value, source, inventory, path, itemLines);
    return;
  }
  if (isEnvoyBootstrap(value)) {
    inventory.envoy.push(entryLines ? { doc: value, source, entryLines } : { doc: value, source });
    return;
  }
  const appmesh = appMeshApiObject(value);
  if (appmesh) {
    inventory.appmeshApi.push({ doc: appmesh, source });
    return;
  }
  inventory.unknown.push({ doc: value, source });
}

function classifyKubernetes(value: Record<string, unknown>, source: SourceRef, inventory: Inventory, path: string, itemLines?: number[]): void {
  const kind = value.kind as string;
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    const items = Array.isArray(value.items) ? value.items : [];
    items.forEach((item, i) => classifyValue(item, { file: source.file, line: itemLines?.[i] ?? source.line }, inventory, `${path}${path ? '.' : ''}items[${i}]`));
    return;
  }
  const metadata = value.metadata;
  if (!isObject(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    inventory.problems.push({
      file: source.file,
      line: source.line,
      field: `${path}${path ? '.' : ''}metadata.name`,
      message: `${value.apiVersion} ${kind} has no metadata.name`,
      kind,
      ...(isObject(metadata) && typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
    });
    return;
  }
  inventory.kubernetes.push({ doc: value as unknown as KubeObject, source });
}

function appMeshApiObject(value: Record<string, unknown>): { type: AppMeshApiType; data: any } | undefined {
  const keys = Object.keys(value);
  if (keys.length === 1 && Object.hasOwn(APPMESH_NAME_FIELDS, keys[0])) {
    const type = keys[0] as AppMeshApiType;
    const data = value[type];
    if (isObject(data) && typeof data.meshName === 'string') return { type, data };
  }
  if (typeof value.meshName === 'string' && ('spec' in value || 'metadata' in value)) {
    for (const type of APPMESH_BARE_ORDER) {
      if (typeof value[APPMESH_NAME_FIELDS[type]] === 'string') return { type, data: value };
    }
  }
  return undefined;
}
