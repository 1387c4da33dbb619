import { approvalRecord, CAROL, changeRecord, paymentsApiFinding } from '../../../../test/integration/ledger/fixtures';
import { approvalOutcomeMessage } from './approval-outcome-message';
import { approvalRequestMessage, isRisky } from './approval-request-message';
import { changeAnnouncementMessage } from './change-announcement-message';

const find = (message: { blocks: any[] }, id: string) => message.blocks.find((b) => b.block_id === id);

describe('approvalRequestMessage', () => {
  test('has Approve and Reject buttons that name the approval, as in the shared Slack payload', () => {
    const message = approvalRequestMessage(approvalRecord(), { awsRegion: 'us-west-2' });
    expect(find(message, 'meshgov_title').text.text).toBe('Approval needed: require mTLS (STRICT) on port 8080 of payments-api (prod-mesh)');
    const actions = find(message, 'meshgov_decision');
    expect(actions.type).toBe('actions');
    expect(actions.elements.map((b: any) => [b.action_id, b.value, b.style])).toEqual([
      ['meshgov_approve', 'approve:rmd-7c1e9a44d2b0', 'primary'],
      ['meshgov_reject', 'reject:rmd-7c1e9a44d2b0', 'danger'],
    ]);
    const body = find(message, 'meshgov_finding').text.text;
    expect(body).toContain('*Why approval:* listener 8080 of payments-api accepts plaintext');
    expect(body).toContain('<https://console.aws.amazon.com/appmesh/meshes/prod-mesh/virtual-nodes/payments-api?region=us-west-2|Open in the App Mesh console>');
    expect(find(message, 'meshgov_meta').elements[0].text).toBe(
      'finding `' + approvalRecord().findingId + '` · changed by alice@example.com · remediation `rmd-7c1e9a44d2b0` · expires 2026-11-21 15:01:30 UTC',
    );
    expect(message.text).toBe('meshgov: approval needed - mtls-not-strict on payments-api (prod-mesh)');
  });

  test('a risky fix (STRICT) asks for confirmation; Reject never does', () => {
    const actions = find(approvalRequestMessage(approvalRecord()), 'meshgov_decision');
    expect(actions.elements[0].confirm).toEqual({
      title: { type: 'plain_text', text: 'Apply this change?', emoji: true },
      // plain_text, as the confirmation dialog object asks: nothing in it is parsed.
      text: { type: 'plain_text', text: 'Clients of payments-api (prod-mesh) that do not present a trusted client certificate will be refused.', emoji: true },
      confirm: { type: 'plain_text', text: 'Approve', emoji: true },
      deny: { type: 'plain_text', text: 'Cancel', emoji: true },
      style: 'danger',
    });
    expect(actions.elements[1].confirm).toBeUndefined();
  });

  test('which fixes are risky', () => {
    const f = paymentsApiFinding();
    expect(isRisky({ action: 'appmesh.listener.set-strict' }, f)).toBe(true);
    expect(isRisky({ action: 'appmesh.listener.set-strict.undo' }, { ...f, rule: 'mtls-client-not-enforced' })).toBe(true);
    expect(isRisky({ action: 'istio.destinationrule.set-istio-mutual' }, { ...f, rule: 'mtls-conflict' })).toBe(true);
    expect(isRisky({ action: 'appmesh.client-policy.enforce' }, { ...f, rule: 'mtls-client-not-enforced' })).toBe(false);
  });
});

describe('approvalOutcomeMessage', () => {
  test.each([
    ['SUCCEEDED', 'applied and verified: listener 8080 reads back STRICT (change chg-1)', ':white_check_mark: Applied: require mTLS'],
    ['ROLLED_BACK', 'applied, but the check failed, so the previous spec was restored: listener read back PERMISSIVE (change chg-1)', ':leftwards_arrow_with_hook: Applied, then rolled back: require mTLS'],
    ['FAILED', 'refused at execution: the resource changed since the request', ':x: Not applied: require mTLS'],
  ] as const)('%s shows who approved and the result, without buttons', (state, outcome, headline) => {
    const message = approvalOutcomeMessage(approvalRecord({ state, decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z', outcome }));
    expect(find(message, 'meshgov_title').text.text.startsWith(headline)).toBe(true);
    expect(find(message, 'meshgov_outcome').text.text).toBe(`*Approved by* <@${CAROL}> at 2026-11-20 15:04:12 UTC\n*Result:* ${outcome}`);
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  test('a rejection and an expiry', () => {
    const rejected = approvalOutcomeMessage(approvalRecord({ state: 'REJECTED', decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z' }));
    expect(find(rejected, 'meshgov_outcome').text.text).toBe(`*Rejected by* <@${CAROL}> at 2026-11-20 15:04:12 UTC\n*Result:* nothing was changed`);
    const expired = approvalOutcomeMessage(approvalRecord({ state: 'EXPIRED', outcome: 'expired at 2026-11-21T15:01:30.000Z before anyone decided; nothing was changed' }));
    expect(find(expired, 'meshgov_title').text.text).toMatch(/^:hourglass: Expired:/);
  });

  test('a deferred approval says what it waits for', () => {
    const message = approvalOutcomeMessage(approvalRecord({ state: 'APPROVED', decidedBy: CAROL, decidedAt: '2026-11-20T15:04:12.000Z', outcome: 'waiting: freeze window "black-friday" is in force' }));
    expect(find(message, 'meshgov_title').text.text).toMatch(/^:double_vertical_bar: Approved, waiting:/);
    expect(find(message, 'meshgov_outcome').text.text).toContain('freeze window "black-friday" is in force');
  });

  test('an Undo approval reads as an undo', () => {
    const message = approvalOutcomeMessage(
      approvalRecord({ id: 'undo-chg-01JDQ5K3T8M2', undoOf: 'chg-01JDQ5K3T8M2', state: 'SUCCEEDED', decidedBy: CAROL, decidedAt: '2026-11-20T15:20:00.000Z', remediation: { action: 'appmesh.listener.set-strict.undo', mode: 'approval', reason: 'undo of automatic change chg-01JDQ5K3T8M2', change: { changeId: 'chg-01JDQ5K3T8M2' } }, outcome: 'applied and verified (change chg-2)' }),
    );
    expect(find(message, 'meshgov_title').text.text).toBe(':leftwards_arrow_with_hook: Undone: undo change chg-01JDQ5K3T8M2 on payments-api (prod-mesh)');
    expect(find(message, 'meshgov_outcome').text.text).toContain(`*Undo approved by* <@${CAROL}>`);
    expect(find(message, 'meshgov_finding').text.text).toContain('*Change:* restore the spec from before change `chg-01JDQ5K3T8M2`');
  });
});

describe('changeAnnouncementMessage', () => {
  test('announces the automatic change with an Undo button behind a confirm dialog', () => {
    const finding = paymentsApiFinding();
    finding.remediation = { ...finding.remediation!, mode: 'auto', reason: 'preconditions hold: every known client sends mTLS to the 1 affected server port(s), and all have sidecars' };
    const change = changeRecord({ approvalId: undefined, approvedBy: undefined, reason: finding.remediation.reason });
    const message = changeAnnouncementMessage(change, finding, 'undo-chg-01JDQ5K3T8M2');
    expect(find(message, 'meshgov_title').text.text).toBe(':wrench: Fixed automatically: require mTLS (STRICT) on port 8080 of payments-api (prod-mesh)');
    const undo = find(message, 'meshgov_undo').elements[0];
    expect(undo).toMatchObject({ type: 'button', action_id: 'meshgov_undo', value: 'undo:undo-chg-01JDQ5K3T8M2', confirm: { title: { text: 'Undo this change?' }, confirm: { text: 'Undo' } } });
    const body = find(message, 'meshgov_finding').text.text;
    expect(body).toContain('*Why automatic:* preconditions hold');
    expect(body).toContain('*Result:* DescribeVirtualNode shows listener 8080 STRICT at version 4');
    expect(find(message, 'meshgov_meta').elements[0].text).toBe('change `chg-01JDQ5K3T8M2` at 2026-11-20 15:04:15 UTC · UpdateVirtualNode payments-api by alice@example.com · finding `' + finding.id + '`');
  });

  test.each([
    ['rolled-back' as const, ':leftwards_arrow_with_hook: Automatic fix rolled back: ', 'was rolled back'],
    ['failed' as const, ':x: Automatic fix failed: ', 'failed'],
  ])('a %s fix is announced without an Undo, saying what happened', (outcome, headline, verb) => {
    const finding = paymentsApiFinding();
    finding.remediation = { ...finding.remediation!, mode: 'auto', reason: 'preconditions hold: every known client sends mTLS to the 1 affected server port(s), and all have sidecars' };
    const detail = 'wrote VirtualNode prod-mesh/payments-api (version 4) but read back listener 8080 PERMISSIVE; restored the previous spec (version 5)';
    const change = changeRecord({ approvalId: undefined, approvedBy: undefined, reason: finding.remediation.reason, outcome, detail });
    const message = changeAnnouncementMessage(change, finding, undefined);
    expect(find(message, 'meshgov_title').text.text).toBe(`${headline}require mTLS (STRICT) on port 8080 of payments-api (prod-mesh)`);
    expect(message.text).toBe(`meshgov's automatic fix of mtls-not-strict on payments-api (prod-mesh) ${verb}: require mTLS (STRICT) on port 8080 of payments-api (prod-mesh)`);
    expect(find(message, 'meshgov_finding').text.text).toContain(`*Result:* ${detail}`);
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});
