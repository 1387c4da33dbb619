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
  /** How many of `list` mean the API server would not have stored the object. */
  private rejections = 0;

  constructor(
    private readonly kind: string,
    private readonly doc: KubeObject,
    private readonly source: SourceRef,
  ) {}

  /** A problem that keeps the object out of the cluster. */
  add(field: string, message: string): void {
    this.rejections++;
    this.warn(field, message);
  }

  /** A problem Istio's validation webhook rejects, but which istiod still acts on where the object got in. */
  warn(field: string, message: string): void {
    this.list.push({ ...this.source, field, message, kind: this.kind, name: nameOf(this.doc) });
  }

  get isEmpty(): boolean {
    return this.list.length === 0;
  }

  /** True when some problem keeps the object out of the cluster. */
  get rejected(): boolean {
    return this.rejections > 0;
  }
}
