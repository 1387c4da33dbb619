/**
 * Every message meshgov sends stays within Slack's documented limits and reads as intended
 * when the data is hostile: long reasons, many findings, `&` that grows when escaped, names
 * with Slack's formatting characters, emoji cut in half.
 */
import { approvalRecord, CAROL, changeRecord, findingRecord, istioFinding, paymentsApiFinding } from '../../../../test/integration/ledger/fixtures';
import { blockKitProblems, shownVerbatim } from '../../../../test/integration/slack/support/block-kit-limits';
import type { FindingRecord } from '../../../core/ledger/types';
import { approvalOutcomeMessage } from './approval-outcome-message';
import { approvalRequestMessage } from './approval-request-message';
import { changeAnnouncementMessage, undoConfirmDialog } from './change-announcement-message';
import { digestMessage } from './digest-message';
import { escapeWithin, fitMrkdwn, prose, truncate } from './escape';
import { findingMessage } from './finding-message';
import { followUpText } from './follow-up';
import { refusalText } from './refusal-message';

const schedule = { source: 'schedule' as const, eventId: 'e-1', eventTime: '2026-11-20T06:00:00Z', summary: 'nightly audit' };
const blockText = (message: { blocks: any[] }, id: string): string => {
  const block = message.blocks.find((b) => b.block_id === id);
  return block?.text?.text ?? block?.elements?.[0]?.text;
};

/** 1,200 `&`: 1,200 characters raw, 6,000 escaped. */
const AMPERSANDS = 'R&D '.repeat(300);
const BLOCKERS = Array.from({ length: 60 }, (_, i) => `Deployment payments/client-${i} sends plaintext to payments-api & has no sidecar`).join('; ');

describe('cutting escaped text', () => {
  test('escapeWithin cuts the raw text, so no entity is split and the budget holds', () => {
    const cut = escapeWithin('a&b&c&d', 8);
    expect(cut).toBe('a&amp;b…');
    expect(cut.length).toBeLessThanOrEqual(8);
    expect(escapeWithin('a&b', 100)).toBe('a&amp;b');
  });

  test('prose cuts within its budget and never leaves half an entity or an open code span', () => {
    const cut = prose(`${'x'.repeat(10)} _secret_ & more`, 22);
    expect(cut.length).toBeLessThanOrEqual(22);
    expect(blockKitProblems({ text: cut })).toEqual([]);
  });

  test('truncate never keeps half of a surrogate pair', () => {
    const cut = truncate(`${'a'.repeat(148)}🔒🔒`, 150);
    expect(cut).toBe(`${'a'.repeat(148)}…`);
  });

  test('fitMrkdwn cuts outside entities, links and code spans', () => {
    const text = `${'y'.repeat(2990)} \`a&amp;b\` <https://example.com|x> &amp;`;
    const cut = fitMrkdwn(text, 3000);
    expect(cut.length).toBeLessThanOrEqual(3000);
    expect(blockKitProblems({ text: cut })).toEqual([]);
  });
});

describe('messages stay within Slack limits with hostile data', () => {
  function hostileFinding() {
    const finding = paymentsApiFinding();
    finding.message = `Spec set by <!channel> ${AMPERSANDS}`.repeat(3);
    finding.remediation = { ...finding.remediation!, reason: `blocked: ${BLOCKERS}` };
    finding.resource.file = 'k8s/'.repeat(200) + 'payments&co.yaml';
    return finding;
  }

  test('a finding message with a long message, reason and path', () => {
    const record = findingRecord(hostileFinding(), { trigger: { source: 'cloudtrail', eventId: 'e', eventTime: '2026-11-20T15:00:00Z', summary: `UpdateVirtualNode by ${AMPERSANDS}` } });
    for (const state of ['open', 'resolved'] as const) {
      const message = findingMessage(record, state);
      expect(blockKitProblems(message)).toEqual([]);
      expect(message.text).toMatch(/^meshgov: /);
    }
  });

  test('a resolved message keeps its strike-through closed, even when it was cut', () => {
    const record = findingRecord(hostileFinding());
    const problem = blockText(findingMessage(record, 'resolved'), 'meshgov_finding').split('\n').find((l) => l.startsWith('*Problem:*'))!;
    expect(problem).toMatch(/^\*Problem:\* ~.*…~$/);
  });

  test('an approval request keeps its evidence link when the reason lists sixty blockers', () => {
    const finding = hostileFinding();
    finding.resource.file = 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/payments-api';
    const message = approvalRequestMessage(approvalRecord({ finding, remediation: finding.remediation! }));
    expect(blockKitProblems(message)).toEqual([]);
    const body = blockText(message, 'meshgov_finding');
    expect(body).toContain('*Why approval:* blocked: Deployment');
    expect(body.endsWith('|Open in the App Mesh console>')).toBe(true);
  });

  test('an approval outcome (chat.update) with a very long result', () => {
    const finding = hostileFinding();
    const approval = approvalRecord({ finding, state: 'FAILED', decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z', outcome: `refused at execution: ${AMPERSANDS.repeat(10)}` });
    const message = approvalOutcomeMessage(approval);
    expect(blockKitProblems(message)).toEqual([]);
    expect(blockText(message, 'meshgov_outcome')).toMatch(/^\*Approved by\* <@U05JX7RB2LM> at 2026-11-20 15:04:12 UTC\n\*Result:\* refused at execution: R&amp;D/);
  });

  test('a change announcement with a long detail and trigger', () => {
    const finding = hostileFinding();
    const change = changeRecord({ detail: AMPERSANDS.repeat(5), reason: BLOCKERS, trigger: { source: 'cloudtrail', eventId: 'e', eventTime: '2026-11-20T15:00:00Z', summary: AMPERSANDS } });
    expect(blockKitProblems(changeAnnouncementMessage(change, finding, 'undo-chg-01JDQ5K3T8M2'))).toEqual([]);
  });

  test('a digest of 120 findings with long messages', () => {
    const records: FindingRecord[] = Array.from({ length: 120 }, (_, i) => {
      const f = istioFinding('payments', `svc-${i}-${'x'.repeat(200)}`);
      f.message = AMPERSANDS;
      return findingRecord(f);
    });
    const message = digestMessage(records, { ...schedule, summary: AMPERSANDS });
    expect(blockKitProblems(message)).toEqual([]);
    expect(message.text).toMatch(/^meshgov: 120 new findings \(120 high\): mtls-not-strict on payments\/svc-\d+-x+, /);
  });

  test('follow-ups and refusals with hostile text', () => {
    const record = findingRecord(hostileFinding());
    for (const kind of ['escalated', 'reminder', 'reopened', 'updated'] as const) expect(blockKitProblems({ text: followUpText(record, kind) })).toEqual([]);
    const refusal = refusalText({ approvalId: 'rmd-1', verb: 'approve', reason: 'directory-unavailable', error: AMPERSANDS.repeat(20) });
    expect(blockKitProblems({ text: refusal })).toEqual([]);
    expect(refusal.length).toBeLessThan(700);
  });
});

describe('names and text with Slack formatting characters', () => {
  function formattingFinding() {
    const finding = istioFinding('_team_', '*wild*');
    finding.message = 'Deployment _team_/*wild* port 8080 accepts plaintext; see `kubectl` ~now~.';
    return finding;
  }

  test('show as they are: in code spans, where Slack applies no formatting', () => {
    const message = findingMessage(findingRecord(formattingFinding()), 'open');
    const body = blockText(message, 'meshgov_finding');
    expect(blockKitProblems(message)).toEqual([]);
    expect(body).toContain('*Resource:* Deployment `_team_/*wild*`');
    expect(shownVerbatim(body, '_team_/*wild*')).toBe(true);
    expect(body).toContain("*Problem:* Deployment `_team_/*wild*` port 8080 accepts plaintext; see `'kubectl'` `~now~`.");
  });

  test('do not end the strike-through of a resolved finding', () => {
    const body = blockText(findingMessage(findingRecord(formattingFinding()), 'resolved'), 'meshgov_finding');
    const problem = body.split('\n')[2];
    // The only bare `~` are the strike's own, at both ends.
    expect(problem.replace(/`[^`]*`/g, '').match(/~/g)).toHaveLength(2);
    expect(problem).toMatch(/^\*Problem:\* ~Deployment .*\.~$/);
  });

  test('ordinary snake_case and e-mail addresses are left alone', () => {
    expect(prose('payments_api by alice_b@example.com')).toBe('payments_api by alice_b@example.com');
  });

  test('a team name with * is not bolded into a broken bold', () => {
    expect(refusalText({ approvalId: 'rmd-1', verb: 'approve', reason: 'not-approver', team: 'pay*ments' })).toContain('approvers of team `pay*ments` can decide');
  });
});

describe('the Undo confirm dialog', () => {
  test('says which resource, which change, and the state Undo returns to', () => {
    const finding = paymentsApiFinding();
    const change = changeRecord();
    const undo = (changeAnnouncementMessage(change, finding, 'undo-chg-01JDQ5K3T8M2').blocks.find((b) => 'block_id' in b && b.block_id === 'meshgov_undo') as any).elements[0];
    expect(undo.confirm.title).toEqual({ type: 'plain_text', text: 'Undo this change?', emoji: true });
    expect(undo.confirm.text.type).toBe('plain_text');
    expect(undo.confirm.text.text).toBe(
      'Restores VirtualNode payments-api (prod-mesh) to how it was before change chg-01JDQ5K3T8M2 (require mTLS (STRICT) on port 8080 of payments-api (prod-mesh)). After Undo: listener 8080 TLS PERMISSIVE; backend ledger.payments.svc.cluster.local does not enforce mTLS.',
    );
    expect(blockKitProblems({ text: 'x', blocks: [{ type: 'actions', elements: [undo] }] })).toEqual([]);
  });

  test('names the client policy an Undo of "enforce client mTLS" turns off', () => {
    const before = { backends: [{ virtualService: { virtualServiceName: 'payments-api.prod.svc', clientPolicy: { tls: { enforce: false, validation: {} } } } }] };
    const dialog = undoConfirmDialog(changeRecord({ action: 'appmesh.client-policy.enforce', before }), paymentsApiFinding(), 'enforce client mTLS on payments-api (prod-mesh)');
    expect(dialog.text.text).toContain('After Undo: backend payments-api.prod.svc does not enforce mTLS.');
  });

  test('an Undo of a created object says it deletes it', () => {
    const finding = istioFinding('payments', 'payments-api');
    const dialog = undoConfirmDialog(changeRecord({ provider: 'istio', action: 'istio.peerauthentication.create-strict', before: null }), finding, 'create a STRICT PeerAuthentication in namespace payments');
    expect(dialog.text.text).toBe('Deletes the object that change chg-01JDQ5K3T8M2 (create a STRICT PeerAuthentication in namespace payments) created; before that change it did not exist.');
  });

  test('an Istio mode is named, and long names keep the dialog within 300 characters', () => {
    const finding = istioFinding('n'.repeat(63), 'w'.repeat(253));
    const before = { metadata: { name: 'default', namespace: 'payments', resourceVersion: '7' }, spec: { mtls: { mode: 'PERMISSIVE' } } };
    const dialog = undoConfirmDialog(changeRecord({ provider: 'istio', action: 'istio.peerauthentication.set-strict', before }), finding, `set PeerAuthentication ${'n'.repeat(63)}/default to STRICT`);
    expect(dialog.text.text.length).toBeLessThanOrEqual(300);
    expect(dialog.text.text).toContain('After Undo: mTLS mode PERMISSIVE.');
  });
});
