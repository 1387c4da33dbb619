import type { Provider, ResourceRef, Severity } from './model/types';

/** Rule identifiers from CONTRACT.md. More may be added; these keep their meaning. */
export const RULE_IDS = [
  'mtls-not-strict',
  'mtls-client-not-enforced',
  'mtls-conflict',
  'mtls-cross-mesh-drift',
  'cert-expiring',
  'cert-expired',
  'slo-latency-burn',
  'config-invalid',
  'mesh-sidecar-missing',
  // Added after CONTRACT.md's list, which allows more; last, so SARIF rule indexes stay as they were.
  'slo-no-data',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export type RemediationMode = 'auto' | 'approval' | 'manual';

export interface Remediation {
  action: string;
  mode: RemediationMode;
  reason: string;
  change: Record<string, unknown>;
  /**
   * An `approval` held by preconditions: each one that does not hold, once and in full (`reason`
   * names the first five). The approval's re-check compares these, so a precondition that broke
   * after the approval cannot hide among the ones the approver was not shown.
   */
  blockers?: string[];
}

/** One finding, exactly as the JSON report (CONTRACT.md) carries it. */
export interface Finding {
  id: string;
  rule: RuleId;
  severity: Severity;
  provider: Provider;
  resource: ResourceRef;
  message: string;
  detail: Record<string, unknown>;
  remediation: Remediation | null;
}
