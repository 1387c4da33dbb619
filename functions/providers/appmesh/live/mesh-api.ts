/**
 * The reader's two kinds of call, List (page by page) and Describe, each through the shared
 * concurrency limit and counted into the caller's CallStats.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { AppMeshApiType } from '../../../core/model/inventory';
import { API_KINDS, listedRef, type ListedRef, type ResourceAddress } from './api-kinds';
import { attemptsOf, type CallStats } from './call-stats';
import type { ConcurrencyLimit } from './concurrency-limit';
import { AppMeshCallError, errorNameOf, httpStatusOf } from './errors';

export class MeshApi {
  constructor(
    readonly client: AppMeshClient,
    private readonly limit: ConcurrencyLimit,
  ) {}

  /**
   * Calls `onPage` with the refs of every page of one List, in order. Each page holds a
   * concurrency slot only while its request is in flight.
   */
  async list(
    type: AppMeshApiType,
    where: { meshName?: string; meshOwner?: string; parentName?: string },
    stats: CallStats,
    onPage: (refs: ListedRef[]) => void,
  ): Promise<void> {
    const kind = API_KINDS[type];
    const pages = kind.pages(this.client, where);
    for (;;) {
      let step: IteratorResult<Record<string, unknown>>;
      try {
        step = await this.limit.run(() => pages.next());
      } catch (error) {
        stats.record(kind.listOperation, attemptsOf(error));
        throw new AppMeshCallError(kind.listOperation, { ...where }, errorNameOf(error), httpStatusOf(error), { cause: error });
      }
      if (step.done) return;
      stats.record(kind.listOperation, attemptsOf(step.value));
      const refs: ListedRef[] = [];
      for (const raw of kind.refsOf(step.value)) {
        const ref = listedRef(kind, raw);
        if (ref) refs.push(ref);
      }
      onPage(refs);
    }
  }

  /** The resource's `*Data`, or undefined when App Mesh no longer has it (NotFoundException). */
  async describe(type: AppMeshApiType, address: ResourceAddress, stats: CallStats): Promise<Record<string, unknown> | undefined> {
    const kind = API_KINDS[type];
    try {
      const { data, output } = await this.limit.run(() => kind.describe(this.client, address));
      stats.record(kind.describeOperation, attemptsOf(output));
      return data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
    } catch (error) {
      stats.record(kind.describeOperation, attemptsOf(error));
      if (errorNameOf(error) === 'NotFoundException') return undefined;
      throw new AppMeshCallError(kind.describeOperation, address, errorNameOf(error), httpStatusOf(error), { cause: error });
    }
  }
}
