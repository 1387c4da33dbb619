import type { KubeObject } from '../../core/model/inventory';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import { nameOf } from './objectKey';

/**
 * The problems found while reading one object, each carrying the object's file, line, kind and
 * name. A small class rather than a closure per object: readers run once per PeerAuthentication
 * or DestinationRule, thousands of times in a large fleet.
 */
export class ObjectProblems {
  readonly list: ConfigProblem[] = [];

  constructor(
    private readonly kind: string,
    private readonly doc: KubeObject,
    private readonly source: SourceRef,
  ) {}

  add(field: string, message: string): void {
    this.list.push({ ...this.source, field, message, kind: this.kind, name: nameOf(this.doc) });
  }

  get isEmpty(): boolean {
    return this.list.length === 0;
  }
}
