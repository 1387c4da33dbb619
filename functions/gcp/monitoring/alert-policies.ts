import { errorBudget, windowPairs, type SloDefinition, type SloWindowPair } from '../../core/slo/definition';
import { errorRatioQuery } from '../../providers/metrics/prometheus/promql';

/**
 * Cloud Monitoring alert policies for Istio SLOs (Monitoring API v3 `AlertPolicy`), one per
 * SLO: one PromQL condition per window pair, combined with OR, each true only while both of
 * its windows burn at the pair's factor (Google Managed Service for Prometheus answers the
 * query). The policy's user label `meshgov-slo` names the SLO, so the incident that reaches
 * the agent (notification 1.2, `policy_user_labels`) says which SLO to confirm.
 */

/** Where the GCP deploy substitutes the Pub/Sub notification channel of the agent's topic. */
export const NOTIFICATION_CHANNEL_PLACEHOLDER = '${MESHGOV_NOTIFICATION_CHANNEL}';
export const SLO_LABEL = 'meshgov-slo';

export interface AlertPolicyCondition {
  displayName: string;
  conditionPrometheusQueryLanguage: {
    query: string;
    /** How long the query must hold: 0s, the short window already smooths (SRE workbook). */
    duration: string;
    evaluationInterval: string;
    labels: Record<string, string>;
  };
}

export interface AlertPolicy {
  displayName: string;
  documentation: { content: string; mimeType: 'text/markdown'; subject: string };
  userLabels: Record<string, string>;
  conditions: AlertPolicyCondition[];
  combiner: 'OR';
  enabled: boolean;
  notificationChannels: string[];
  alertStrategy: { autoClose: string };
}

export interface AlertPolicyOptions {
  /** Notification channel resource names; the placeholder when left out. */
  notificationChannels?: string[];
  evaluationInterval?: string;
}

/**
 * The burn condition of one window pair: `(error ratio over long) / budget >= f and (error ratio
 * over short) / budget >= f`, per service: at or over the factor, as the CloudWatch alarms and the
 * rule that confirms the burn (isFiring) compare, so an incident never opens on numbers the
 * confirming query would not call a burn, nor the reverse.
 */
export function windowPairQuery(slo: SloDefinition, pair: SloWindowPair): string {
  const selection = { namespaces: [slo.namespace ?? ''], services: [slo.service], job: slo.source.prometheus?.job };
  const burn = (window: string) => `(${errorRatioQuery(selection, slo.thresholdMs, window)}) / ${Number(errorBudget(slo).toFixed(10))}`;
  return `(${burn(pair.long)} >= ${pair.factor})\nand\n(${burn(pair.short)} >= ${pair.factor})`;
}

/**
 * @example
 *   const policies = alertPoliciesForSlos(slosOfPolicy(loadPolicy()));
 *   // write each as JSON, then: gcloud alpha monitoring policies create --policy-from-file=FILE
 */
export function alertPoliciesForSlos(slos: SloDefinition[], options: AlertPolicyOptions = {}): Array<{ sloName: string; policy: AlertPolicy }> {
  return slos.filter((s) => s.mesh === 'istio').map((slo) => ({ sloName: slo.name, policy: alertPolicyFor(slo, options) }));
}

export function alertPolicyFor(slo: SloDefinition, options: AlertPolicyOptions = {}): AlertPolicy {
  const pairs = windowPairs(slo);
  const where = `${slo.namespace}/${slo.service}`;
  return {
    displayName: `meshgov SLO ${slo.name}: ${where} ${slo.objective}% under ${slo.thresholdMs} ms`,
    documentation: {
      mimeType: 'text/markdown',
      subject: `[meshgov] ${where} burns its latency budget (${slo.name})`,
      content: [
        `meshgov SLO **${slo.name}**: ${slo.objective}% of requests to \`${where}\` (Istio, reporter=destination) finish within ${slo.thresholdMs} ms over ${slo.window}.`,
        '',
        'A condition opens when the error budget burns at least its factor over both of its windows:',
        ...pairs.map((p) => `- ${p.kind}: ${p.factor}× over ${p.long} and ${p.short}`),
        '',
        'meshgov confirms the burn with a fresh query, looks for recent configuration changes to the service, tells the owning team in Slack and offers a rollback for approval.',
      ].join('\n'),
    },
    userLabels: { [SLO_LABEL]: slo.name, 'meshgov-service': labelValue(slo.service), 'meshgov-namespace': labelValue(slo.namespace ?? '') },
    conditions: pairs.map((pair) => ({
      displayName: `${slo.name} ${pair.kind}: ${pair.factor}x burn over ${pair.long} and ${pair.short}`,
      conditionPrometheusQueryLanguage: {
        query: windowPairQuery(slo, pair),
        duration: '0s',
        evaluationInterval: options.evaluationInterval ?? '60s',
        labels: { meshgov_alert: pair.kind },
      },
    })),
    combiner: 'OR',
    enabled: true,
    notificationChannels: options.notificationChannels ?? [NOTIFICATION_CHANNEL_PLACEHOLDER],
    alertStrategy: { autoClose: '1800s' },
  };
}

/** Cloud Monitoring label values: lowercase letters, digits, `_` and `-`, at most 63 characters. */
function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}
