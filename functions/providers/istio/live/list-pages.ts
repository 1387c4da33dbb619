/**
 * A complete LIST in pages: `limit` per page and the `continue` token of the previous page, as
 * client-go's pager does (k8s.io/client-go/tools/pager). When the token has expired (410
 * Expired: etcd compacted the revision the list started from), the list starts again from the
 * first page, since later pages of the old list can no longer be read; client-go does the
 * same by falling back to a full list. Relists are bounded.
 */
import type { KubeObject, Located } from '../../../core/model/inventory';
import { isKubeApiError, KubeApiError } from './api-error';
import { apiVersionOf, collectionPath, objectPath, type ResourceType } from './resource-types';
import type { KubeRestClient } from './rest-client';
import { slimObject } from './slim-object';

export interface ListRequest {
  type: ResourceType;
  version: string;
  /** Omitted for a cluster-wide list. */
  namespace?: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** Items to keep (after shaping); the rest are dropped page by page. */
  keep?: (object: KubeObject) => boolean;
}

export interface PagingOptions {
  /** Items per page; the API server's own default is unlimited, client-go's pager uses 500. */
  pageSize: number;
  /** Times a list may start over after 410 Expired. */
  maxRelists: number;
}

export const DEFAULT_PAGING: PagingOptions = { pageSize: 500, maxRelists: 3 };

interface ListBody {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: Record<string, unknown>[] | null;
}

/** Every object of the collection, shaped for the inventory with its API path as `source.file`. */
export async function listAll(rest: KubeRestClient, request: ListRequest, paging: PagingOptions = DEFAULT_PAGING): Promise<Located<KubeObject>[]> {
  const { type, version } = request;
  const apiVersion = apiVersionOf(type.group, version);
  const path = collectionPath(type, version, request.namespace);
  for (let relists = 0; ; relists++) {
    const out: Located<KubeObject>[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await rest.request<ListBody>('GET', path, {
          query: { limit: paging.pageSize, continue: token, fieldSelector: request.fieldSelector, labelSelector: request.labelSelector },
        });
        for (const item of page.items ?? []) {
          const doc = slimObject(item, apiVersion, type.kind);
          if (request.keep && !request.keep(doc)) continue;
          out.push({ doc, source: { file: objectPath(type, version, doc.metadata?.namespace, doc.metadata?.name ?? ''), line: 1 } });
        }
        token = page.metadata?.continue || undefined;
      } while (token !== undefined);
      return out;
    } catch (error) {
      // Only an expired continue token is worth starting over; a 410 on the first page is not that.
      if (!isKubeApiError(error, 410) || token === undefined) throw error;
      if (relists >= paging.maxRelists) {
        throw new KubeApiError(410, error.reason, `list of ${path} expired ${relists + 1} times while paging: ${error.message}`, 'GET', path, error.attempts);
      }
    }
  }
}
