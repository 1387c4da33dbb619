import type { RemediationMode, RuleId } from '../findings';
import type { Severity } from '../model/types';

/**
 * The rule catalog: id, default severity and one-line meaning, matching CONTRACT.md. The
 * shipped `rules/` YAML repeats these defaults so a user can see and copy them; this table is
 * the fallback when a rules copy leaves a rule out.
 */
export interface RuleCatalogEntry {
  id: RuleId;
  severity: Severity;
  remediation: RemediationMode;
  summary: string;
}

export const RULE_CATALOG: Record<RuleId, RuleCatalogEntry> = {
  'mtls-not-strict': {
    id: 'mtls-not-strict',
    severity: 'high',
    remediation: 'auto',
    summary: 'A server side accepts plaintext or TLS without a verified client certificate.',
  },
  'mtls-client-not-enforced': {
    id: 'mtls-client-not-enforced',
    severity: 'high',
    remediation: 'auto',
    summary: 'A client side may send plaintext or TLS without its own certificate to an in-mesh destination.',
  },
  'mtls-conflict': {
    id: 'mtls-conflict',
    severity: 'critical',
    remediation: 'approval',
    summary: 'Client and server mTLS settings are incompatible, so the calls fail.',
  },
  'mtls-cross-mesh-drift': {
    id: 'mtls-cross-mesh-drift',
    severity: 'medium',
    remediation: 'approval',
    summary: 'The same logical service has a different effective mTLS posture in App Mesh and in Istio.',
  },
  'cert-expiring': {
    id: 'cert-expiring',
    // The most a tier may give (critical within 7 days): tiers grade below it.
    severity: 'critical',
    remediation: 'manual',
    summary: 'A certificate expires within the configured window.',
  },
  'cert-expired': {
    id: 'cert-expired',
    severity: 'critical',
    remediation: 'manual',
    summary: 'A certificate is past notAfter or before notBefore.',
  },
  'slo-latency-burn': {
    id: 'slo-latency-burn',
    severity: 'critical',
    remediation: 'approval',
    summary: 'A latency SLO burns its error budget faster than the configured multi-window rate.',
  },
  'config-invalid': {
    id: 'config-invalid',
    severity: 'high',
    remediation: 'manual',
    summary: 'An input or rule file could not be read, parsed or validated.',
  },
  'mesh-sidecar-missing': {
    id: 'mesh-sidecar-missing',
    severity: 'medium',
    remediation: 'manual',
    summary: 'A namespace or workload is outside the mesh (no sidecar injection), so no mesh policy protects it.',
  },
};

/** cert-expiring tiers from CONTRACT.md: critical within 7 days, high within 30. */
export const DEFAULT_CERT_TIERS = [
  { withinDays: 7, severity: 'critical' as Severity },
  { withinDays: 30, severity: 'high' as Severity },
];
