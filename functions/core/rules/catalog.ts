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
  /** What to do about a finding, for people reading it in code scanning (SARIF `help`). */
  help: string;
}

export const RULE_CATALOG: Record<RuleId, RuleCatalogEntry> = {
  'mtls-not-strict': {
    id: 'mtls-not-strict',
    severity: 'high',
    remediation: 'auto',
    summary: 'A server side accepts plaintext or TLS without a verified client certificate.',
    help: "Require mTLS on the server side: an Istio PeerAuthentication with mtls.mode STRICT for the workload, port or namespace; an App Mesh listener with tls.mode STRICT and validation.trust; an Envoy DownstreamTlsContext with require_client_certificate and a trusted CA. Move the callers that still send plaintext to mTLS first: the finding's remediation says whether any do.",
  },
  'mtls-client-not-enforced': {
    id: 'mtls-client-not-enforced',
    severity: 'high',
    remediation: 'auto',
    summary: 'A client side may send plaintext or TLS without its own certificate to an in-mesh destination.',
    help: "Make the client send mTLS: an Istio DestinationRule with tls.mode ISTIO_MUTUAL (or no tls, so auto mTLS applies); an App Mesh client policy with enforce true and a file or sds certificate; an Envoy UpstreamTlsContext with a client certificate.",
  },
  'mtls-conflict': {
    id: 'mtls-conflict',
    severity: 'critical',
    remediation: 'approval',
    summary: 'Client and server mTLS settings are incompatible, so the calls fail.',
    help: "Make the two sides agree: the finding names the client configuration (resource) and the server it calls (detail.server) with the settings that clash. Change the odd side out; the remediation proposes which.",
  },
  'mtls-cross-mesh-drift': {
    id: 'mtls-cross-mesh-drift',
    severity: 'medium',
    remediation: 'approval',
    summary: 'The same logical service has a different effective mTLS posture in App Mesh and in Istio.',
    help: "Give the service the same posture in both meshes (STRICT in each), so that traffic crossing the interconnect is protected the same way on both sides.",
  },
  'cert-expiring': {
    id: 'cert-expiring',
    // The most a tier may give (critical within 7 days): tiers grade below it.
    severity: 'critical',
    remediation: 'manual',
    summary: 'A certificate expires within the configured window.',
    help: "Renew or re-issue the certificate (and every certificate of its chain that expires) before notAfter, then roll it out to the workloads and Secrets that hold it.",
  },
  'cert-expired': {
    id: 'cert-expired',
    severity: 'critical',
    remediation: 'manual',
    summary: 'A certificate is past notAfter or before notBefore.',
    help: "Replace the certificate now: peers reject it. A certificate that is not yet valid points at a clock or issuance error.",
  },
  'slo-latency-burn': {
    id: 'slo-latency-burn',
    severity: 'critical',
    remediation: 'approval',
    summary: 'A latency SLO burns its error budget faster than the configured multi-window rate.',
    help: "Look at what changed around the service (the finding names recent changes when it knows them) and roll back or mitigate; the burn rate says how fast the budget goes.",
  },
  'config-invalid': {
    id: 'config-invalid',
    severity: 'high',
    remediation: 'manual',
    summary: 'An input or rule file could not be read, parsed or validated.',
    help: "Fix the field the message names at the file and line given; until then the object is left out of the audit.",
  },
  'mesh-sidecar-missing': {
    id: 'mesh-sidecar-missing',
    severity: 'medium',
    remediation: 'manual',
    summary: 'A namespace or workload is outside the mesh (no sidecar injection), so no mesh policy protects it.',
    help: "Enable sidecar injection (label the namespace istio-injection=enabled or istio.io/rev, or remove sidecar.istio.io/inject: \"false\" from the pod template) and restart the workload, or put it in Istio's ambient mode (label the namespace istio.io/dataplane-mode=ambient), or exclude it in rules/ with a reason.",
  },
  'slo-no-data': {
    id: 'slo-no-data',
    severity: 'high',
    remediation: 'manual',
    summary: 'A latency SLO measured no request in any window, so it can never burn and pages no one.',
    help: "Check the SLO in rules/slos.yaml against the metrics the finding names: the service, namespace (Istio) or mesh and virtual node (App Mesh), the Prometheus job, the CloudWatch namespace and dimensions. A service that really takes no traffic needs no SLO: remove it, or exclude the finding with a reason.",
  },
};

/** cert-expiring tiers from CONTRACT.md: critical within 7 days, high within 30. */
export const DEFAULT_CERT_TIERS = [
  { withinDays: 7, severity: 'critical' as Severity },
  { withinDays: 30, severity: 'high' as Severity },
];

/** slo-latency-burn's severities when the rules do not set them: a page-level burn, a ticket-level one. */
export const DEFAULT_BURN_SEVERITIES = { page: 'critical', ticket: 'medium' } as const;
