/** Label maps and selectors, with the one subset test every Istio selector uses. */

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

/**
 * Finds the selectors that match a label set without testing every selector: each selector is
 * filed under one of its pairs, so a lookup only tests selectors that share at least one pair
 * with the labels. Selectors must be non-empty.
 */
export class SelectorIndex<T> {
  private readonly byPair = new Map<string, Array<{ selector: Labels; value: T; order: number }>>();
  private size = 0;

  add(selector: Labels, value: T): void {
    const keys = Object.keys(selector).sort();
    if (keys.length === 0) throw new Error('SelectorIndex holds non-empty selectors only');
    const pair = pairKey(keys[0]!, selector[keys[0]!]!);
    let list = this.byPair.get(pair);
    if (!list) this.byPair.set(pair, (list = []));
    list.push({ selector, value, order: this.size++ });
  }

  /** Values whose selector is a subset of `labels`, in the order they were added. */
  matching(labels: Labels): T[] {
    const hits: Array<{ order: number; value: T }> = [];
    for (const key in labels) {
      const list = this.byPair.get(pairKey(key, labels[key]!));
      if (!list) continue;
      for (const entry of list) {
        if (selectorMatches(entry.selector, labels)) hits.push(entry);
      }
    }
    if (hits.length > 1) hits.sort((a, b) => a.order - b.order);
    return hits.map((h) => h.value);
  }
}

function pairKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

/**
 * Reads a `matchLabels`-shaped map. Kubernetes requires string values; anything else is
 * reported by the caller as a malformed selector.
 */
export function readLabelMap(raw: unknown): Labels | { error: string } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return { error: 'must be a map of label keys to string values' };
  const out: Labels = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') return { error: `label ${JSON.stringify(k)} must have a string value, got ${JSON.stringify(v)}` };
    out[k] = v;
  }
  return out;
}
