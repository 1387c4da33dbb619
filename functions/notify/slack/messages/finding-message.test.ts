import { findingRecord, istioFinding, paymentsApiFinding } from '../../../../test/integration/ledger/fixtures';
import { findingMessage } from './finding-message';
import { followUpText } from './follow-up';

const ARN = 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/payments-api';

function liveRecord() {
  const finding = paymentsApiFinding();
  finding.resource.file = ARN;
  finding.resource.line = 1;
  return findingRecord(finding);
}

const blockText = (message: { blocks: any[] }, id: string) => message.blocks.find((b) => b.block_id === id)?.text?.text ?? message.blocks.find((b) => b.block_id === id)?.elements?.[0]?.text;

describe('findingMessage', () => {
  test('shows severity, resource, problem, the event and actor, the fix and the console link', () => {
    const message = findingMessage(liveRecord(), 'open');
    expect(message.blocks[0]).toEqual({ type: 'header', block_id: 'meshgov_title', text: { type: 'plain_text', text: ':large_orange_circle: High: mtls-not-strict on payments-api (prod-mesh)', emoji: true } });
    expect(blockText(message, 'meshgov_finding')).toBe(
      '*Rule:* `mtls-not-strict` (high)\n*Resource:* VirtualNode `payments-api` in mesh `prod-mesh`, port 8080\n*Problem:* VirtualNode prod-mesh/payments-api port 8080 accepts plaintext as well as mTLS (PERMISSIVE, set by listener-level VirtualNode prod-mesh/payments-api); require mTLS (STRICT).',
    );
    expect(blockText(message, 'meshgov_cause')).toBe('*Cause:* UpdateVirtualNode payments-api by alice@example.com — CloudTrail, 2026-11-20 15:00:49 UTC');
    const fix = blockText(message, 'meshgov_fix');
    expect(fix).toContain('*Fix:* require mTLS (STRICT) on port 8080 of payments-api (prod-mesh) — waits for an approver here');
    expect(fix).toContain('*Change:* UpdateVirtualNode `prod-mesh/payments-api` at version 3, whole spec: listener 8080 TLS `STRICT` (clients verified against `/certs/ca_cert.pem`)');
    expect(blockText(message, 'meshgov_evidence')).toBe('<https://console.aws.amazon.com/appmesh/meshes/prod-mesh/virtual-nodes/payments-api?region=us-west-2|Open in the App Mesh console>');
    expect(blockText(message, 'meshgov_meta')).toBe('finding `' + liveRecord().id + '` · first seen 2026-11-20 15:01:20 UTC · last seen 2026-11-20 15:01:20 UTC');
    expect(message.text).toMatch(/^meshgov: high mtls-not-strict on payments-api \(prod-mesh\) - VirtualNode/);
  });

  test('in dry-run the fix is shown as planned: its verdict, and that nothing is applied or asked', () => {
    const asked = blockText(findingMessage({ ...liveRecord(), dryRun: true }, 'open'), 'meshgov_fix');
    expect(asked).toContain('*Fix:* require mTLS (STRICT) on port 8080 of payments-api (prod-mesh) — would wait for an approver; dry-run is on, so nobody is asked and nothing is changed');
    const auto = liveRecord();
    auto.finding.remediation = { ...auto.finding.remediation!, mode: 'auto' };
    expect(blockText(findingMessage({ ...auto, dryRun: true }, 'open'), 'meshgov_fix')).toContain('— meshgov would apply it itself; dry-run is on, so it is not applied');
  });

  test('a resolved finding is struck through under a Resolved header, without the fix', () => {
    const record = { ...liveRecord(), status: 'resolved' as const, resolvedAt: '2026-11-20T15:05:00.000Z' };
    const message = findingMessage(record, 'resolved');
    expect(message.blocks[0].type === 'header' && message.blocks[0].text.text).toBe(':white_check_mark: Resolved: mtls-not-strict on payments-api (prod-mesh)');
    expect(blockText(message, 'meshgov_finding')).toMatch(/\*Problem:\* ~VirtualNode prod-mesh\/payments-api .*~$/);
    expect(blockText(message, 'meshgov_fix')).toBeUndefined();
    expect(blockText(message, 'meshgov_meta')).toContain('resolved 2026-11-20 15:05:00 UTC');
    expect(message.text).toBe('meshgov: resolved - mtls-not-strict on payments-api (prod-mesh)');
  });

  test('a finding from files names the file and line as its cause', () => {
    const finding = istioFinding('payments', 'payments-api');
    finding.resource.file = 'k8s/payments/peerauthentication.yaml';
    finding.resource.line = 12;
    const record = findingRecord(finding, { trigger: { source: 'cli', eventId: 'cli-1', eventTime: '2026-11-20T15:00:00Z', summary: 'meshgov audit k8s/' } });
    const message = findingMessage(record, 'open');
    expect(blockText(message, 'meshgov_cause')).toBe('*Cause:* configuration: `k8s/payments/peerauthentication.yaml:12`');
    expect(blockText(message, 'meshgov_evidence')).toBe('Evidence: `k8s/payments/peerauthentication.yaml:12`');
    expect(message.blocks[0].type === 'header' && message.blocks[0].text.text).toBe(':large_orange_circle: High: mtls-not-strict on payments/payments-api');
  });

  test('user data cannot inject links or mentions', () => {
    const finding = paymentsApiFinding();
    finding.message = 'Spec set by <!channel> & <https://evil.example|click here>';
    finding.resource.name = 'pay`ments<x>';
    const message = findingMessage(findingRecord(finding), 'open');
    const body = blockText(message, 'meshgov_finding');
    expect(body).toContain('*Problem:* Spec set by &lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;');
    expect(body).toContain("VirtualNode `pay'ments&lt;x&gt;`");
    expect(message.text).not.toContain('<!channel>');
  });

  test('follow-ups say why the finding speaks again', () => {
    const record = { ...liveRecord(), notifiedSeverity: 'high' as const };
    record.finding.severity = 'critical';
    expect(followUpText(record, 'escalated')).toMatch(/^:arrow_up: Escalated to \*critical\* \(was high\): VirtualNode prod-mesh/);
    expect(followUpText(record, 'reminder')).toMatch(/^:alarm_clock: Still open, first seen 2026-11-20 15:01:20 UTC/);
    expect(followUpText(record, 'reopened')).toContain(':repeat: Open again');
  });
});
