/** Label maps and selectors, with the one subset test every Istio selector uses. */

import { quoteValue } from '../../core/truncate';

export type Labels = Record<string, string>;

/** Istio `labels.Instance.SubsetOf`: every selector pair is present in the labels. An empty selector selects everything. */
export function selectorMatches(selector: Labels, labels: Labels): boolean {
  for (const key in selector) {
    if (labels[key] !== selector[key]) return false;
  }
  return true;
}

export function isEmptyLabels(labels: Labels | undefined): boolean {
  if (!labels) return true;
  for (const _ in labels) return false;
  return true;
}

/** A selector filed in a SelectorIndex, with the order it was added in. */
interface FiledSelector<T> {
  selector: Labels;
  value: T;
  order: number;
}

/**
 * Finds the selectors that match a label set without testing every selector: each selector is
 * filed under one of its pairs, so a lookup only tests selectors that share at least one pair
 * with the labels. Selectors must be non-empty.
 */
export class SelectorIndex<T> {
  /** The label keys selectors are filed under (few: selectors mostly start with `app`), and per key, value → selectors. */
  private readonly keys: string[] = [];
  private readonly byValue: Map<string, FiledSelector<T>[]>[] = [];
  private size = 0;

  add(selector: Labels, value: T): void {
    const key = smallestKey(selector);
    if (key === undefined) throw new Error('SelectorIndex holds non-empty selectors only');
    let slot = this.keys.indexOf(key);
    if (slot < 0) {
      slot = this.keys.push(key) - 1;
      this.byValue.push(new Map());
    }
    const byValue = this.byValue[slot]!;
    let list = byValue.get(selector[key]!);
    if (!list) byValue.set(selector[key]!, (list = []));
    list.push({ selector, value, order: this.size++ });
  }

  /** Values whose selector is a subset of `labels`, in the order they were added. The result is shared when empty: do not modify it. */
  matching(labels: Labels): readonly T[] {
    let first: FiledSelector<T> | undefined;
    let more: FiledSelector<T>[] | undefined;
    // Walk the filing keys, not the labels: there are fewer of them, and each label the
    // selectors do not use would cost a lookup for nothing.
    for (let k = 0; k < this.keys.length; k++) {
      const labelValue = labels[this.keys[k]!];
      if (labelValue === undefined) continue;
      const list = this.byValue[k]!.get(labelValue);
      if (!list) continue;
      for (let i = 0; i < list.length; i++) {
        const entry = list[i]!;
        if (!selectorMatches(entry.selector, labels)) continue;
        if (!first) first = entry;
        else (more ??= [first]).push(entry);
      }
    }
    if (!first) return NO_MATCH;
    if (!more) return [first.value];
    more.sort((a, b) => a.order - b.order);
    return more.map((h) => h.value);
  }

  /** The first-added value whose selector is a subset of `labels`. */
  firstMatch(labels: Labels): T | undefined {
    let best: FiledSelector<T> | undefined;
    for (let k = 0; k < this.keys.length; k++) {
      const labelValue = labels[this.keys[k]!];
      if (labelValue === undefined) continue;
      const list = this.byValue[k]!.get(labelValue);
      if (!list) continue;
      for (let i = 0; i < list.length; i++) {
        const entry = list[i]!;
        if ((!best || entry.order < best.order) && selectorMatches(entry.selector, labels)) best = entry;
      }
    }
    return best?.value;
  }
}

const NO_MATCH: readonly never[] = Object.freeze([]);

/** The key a selector is filed under (any key would do; the smallest keeps it deterministic), found without sorting. */
function smallestKey(selector: Labels): string | undefined {
  let smallest: string | undefined;
  for (const key in selector) if (smallest === undefined || key < smallest) smallest = key;
  return smallest;
}

const NO_LABELS: Labels = Object.freeze({}) as Labels;

/**
 * A label map read without copying it: the object itself when it is a plain map of strings (as
 * YAML and JSON give), a shared empty map when absent, undefined otherwise (the caller then uses
 * a copying reader, which also says what is wrong). For maps that are only read, never returned
 * in the model: a large fleet has thousands, and a copy of each would survive the whole build.
 */
export function labelMapAsIs(raw: unknown): Labels | undefined {
  if (raw === undefined || raw === null) return NO_LABELS;
  if (typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const map = raw as Record<string, unknown>;
  // The keys a copy would hold are exactly the ones for-in visits, as long as each is an own
  // property; `__proto__` is the one key a copy could not hold as a label.
  for (const key in map) {
    if (typeof map[key] !== 'string' || !Object.hasOwn(map, key) || key === '__proto__') return undefined;
  }
  return map as Labels;
}

/**
 * A label map as its author meant it: a value that is not a string (an unquoted `true` or
 * `1234`) reads as the string it spells. The API server refuses such an object and the file
 * source reports each value (files/object-metadata.ts, "meshgov reads it as the string …"); one
 * such value must not cost the object its other labels. Anything but a map reads as no labels.
 */
export function coercedLabelMap(raw: unknown): Labels {
  const out: Labels = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return out;
  const map = raw as Record<string, unknown>;
  for (const k of Object.keys(map)) {
    const v = map[k];
    if (v !== null && v !== undefined) out[k] = typeof v === 'string' ? v : String(v);
  }
  return out;
}

/**
 * An object's labels for ownership routing (rules/ownership.yaml): coerced as above, and
 * undefined when there are none, so that findings carry no empty `detail.labels`.
 */
export function routingLabelsOf(raw: unknown): Labels | undefined {
  const labels = coercedLabelMap(raw);
  for (const _ in labels) return labels;
  return undefined;
}

/**
 * Reads a `matchLabels`-shaped map. Kubernetes requires string values; anything else is
 * reported by the caller as a malformed selector.
 */
export function readLabelMap(raw: unknown): Labels | { error: string } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return { error: 'must be a map of label keys to string values' };
  const map = raw as Record<string, unknown>;
  const out: Labels = {};
  // Object.keys rather than Object.entries: the same keys in the same order, without a pair array per label.
  for (const k of Object.keys(map)) {
    const v = map[k];
    // Quoted cut short: the value may be a list of thousands, or (through YAML aliases) stand for millions of nodes.
    if (typeof v !== 'string') return { error: `label ${quoteValue(k)} must have a string value, got ${quoteValue(v)}` };
    out[k] = v;
  }
  return out;
}
