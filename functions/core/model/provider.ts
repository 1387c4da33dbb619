import type { Inventory } from './inventory';
import type { FleetModel } from './types';

/**
 * A provider turns the raw inventory into its part of the model. It reads only the documents
 * it understands, computes its mesh's effective state exactly once, and never emits findings:
 * rules do that.
 */
export type ModelBuilder = (inventory: Inventory, context: ModelContext) => FleetModel;

export interface ModelContext {
  /** The audit clock (CONTRACT.md `--now`). */
  now: Date;
  /**
   * Istio's root namespace when the inputs hold no MeshConfig ConfigMap to name it (rules/
   * `sources.istio.rootNamespace`); `istio-system`, Istio's default, when unset.
   */
  istioRootNamespace?: string;
  /**
   * How istiod merges DestinationRules for one host (rules/ `sources.istio.enhancedDestinationRuleMerge`):
   * `enhanced` (Istio 1.24+) when unset, `legacy` for Istio ≤1.23 or its compatibility profile.
   */
  istioDestinationRuleMerge?: 'enhanced' | 'legacy';
}
