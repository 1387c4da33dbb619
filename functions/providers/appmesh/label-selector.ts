import type { LabelSelector } from './types';

/**
 * Kubernetes label selector semantics (apimachinery `metav1.LabelSelectorAsSelector`):
 * every `matchLabels` pair and every `matchExpressions` requirement must hold; an empty
 * selector `{}` matches everything. Callers decide what an absent selector means (for an App
 * Mesh `Mesh.spec.namespaceSelector`, absent selects nothing).
 */
export function labelSelectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(labels[req.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[req.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An unknown operator makes the selector invalid; Kubernetes rejects it, so it selects nothing.
        return false;
    }
  }
  return true;
}
