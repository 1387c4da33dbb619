/**
 * LIST semantics: selectors filter, `limit` cuts a page, `continue` resumes strictly after the
 * last key of the previous page. Every page of one list reports the first page's
 * resourceVersion (ListMeta doc: "The resourceVersion field returned when using this continue
 * value will be identical to the value in the first response"). `remainingItemCount` is only
 * set when no selector is in play, as the API server only knows it then.
 *
 * Unlike etcd, later pages are read from current state rather than the first page's snapshot.
 */
import { decodeContinue, encodeContinue } from './continue-token';
import { matchesFieldSelector, parseFieldSelector } from './field-selector';
import { matchesLabelSelector, parseLabelSelector, SelectorParseError } from './label-selector';
import type { ObjectStore } from './object-store';
import type { ListMeta } from './presentation';
import type { ResourceType } from './resource-catalog';
import { badRequest, continueExpired } from './status-errors';
import type { KubernetesObject } from './types';

export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: string;
  continueToken?: string;
}

export interface ListPage {
  items: KubernetesObject[];
  metadata: ListMeta;
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  if (!/^\d+$/.test(raw)) throw badRequest(`invalid value for limit: ${raw}`);
  return Number(raw);
}

/** The objects matching both selectors, in store order, starting after `afterKey`. */
export function selectObjects(store: ObjectStore, resource: ResourceType, query: ListQuery, afterKey?: string, clone = true): { key: string; object: KubernetesObject }[] {
  let labelSelector;
  let fieldSelector;
  try {
    labelSelector = parseLabelSelector(query.labelSelector ?? '');
    fieldSelector = parseFieldSelector(query.fieldSelector ?? '', resource);
  } catch (error) {
    if (error instanceof SelectorParseError) throw badRequest(error.message);
    throw error;
  }
  return store
    .entries(resource, query.namespace, clone)
    .filter(({ key }) => afterKey === undefined || key > afterKey)
    .filter(({ object }) => matchesLabelSelector(labelSelector, object.metadata.labels) && matchesFieldSelector(fieldSelector, object));
}

export function listObjects(store: ObjectStore, resource: ResourceType, query: ListQuery): ListPage {
  const limit = parseLimit(query.limit);
  const position = query.continueToken ? decodeContinue(query.continueToken) : undefined;
  if (position !== undefined && store.isCompacted(position.resourceVersion)) throw continueExpired();
  const listRevision = position?.resourceVersion ?? store.currentRevision();

  const matching = selectObjects(store, resource, query, position?.afterKey, false);
  const page = limit > 0 ? matching.slice(0, limit) : matching;
  const metadata: ListMeta = { resourceVersion: String(listRevision) };
  if (limit > 0 && matching.length > limit) {
    metadata.continue = encodeContinue({ resourceVersion: listRevision, afterKey: page[page.length - 1]!.key });
    if (!query.labelSelector && !query.fieldSelector) metadata.remainingItemCount = matching.length - limit;
  }
  return { items: page.map(({ object }) => structuredClone(object)), metadata };
}
