/**
 * A request asked again after its approved fix failed says why the last attempt failed, within
 * Slack's limits whatever the provider's error text was.
 */
import { approvalRecord, CAROL } from '../../../../test/integration/ledger/fixtures';
import { blockKitProblems } from '../../../../test/integration/slack/support/block-kit-limits';
import { approvalOutcomeMessage } from './approval-outcome-message';
import { approvalRequestMessage } from './approval-request-message';

const find = (message: { blocks: any[] }, id: string) => message.blocks.find((b) => b.block_id === id);
const FAILURE = 'failed: UpdateVirtualNode: AccessDeniedException: User is not authorized to perform appmesh:UpdateVirtualNode (change chg-01JDQ5K3T8M2)';

describe('an approval request asked again after its approved fix failed', () => {
  test('says the last approved attempt failed, and why, with the buttons of a new request', () => {
    const message = approvalRequestMessage(approvalRecord({ failedRequests: 1, previousFailure: FAILURE }), { awsRegion: 'us-west-2' });
    const body = find(message, 'meshgov_finding').text.text;
    expect(body).toContain(`\n*The last approved attempt failed:* ${FAILURE}. Asked again.`);
    // The evidence link still closes the section.
    expect(body).toMatch(/\|Open in the App Mesh console>$/);
    expect(find(message, 'meshgov_meta').elements[0].text).toBe(
      'finding `' + approvalRecord().findingId + '` · changed by alice@example.com · remediation `rmd-7c1e9a44d2b0` · expires 2026-11-21 15:01:30 UTC · asked again: an earlier approved attempt failed',
    );
    expect(find(message, 'meshgov_decision').elements.map((b: any) => b.value)).toEqual(['approve:rmd-7c1e9a44d2b0', 'reject:rmd-7c1e9a44d2b0']);
    expect(blockKitProblems(message)).toEqual([]);
  });

  test('counts earlier failures and expiries alike, and does not end the reason with two full stops', () => {
    const message = approvalRequestMessage(approvalRecord({ failedRequests: 3, expiredRequests: 1, previousFailure: 'refused at execution: the resource changed since the request.' }));
    expect(find(message, 'meshgov_finding').text.text).toContain('*The last approved attempt failed:* refused at execution: the resource changed since the request. Asked again.');
    expect(find(message, 'meshgov_meta').elements[0].text).toMatch(/ · asked again: an earlier request expired undecided · asked again: 3 earlier approved attempts failed$/);
  });

  test('a hostile failure text is escaped and cut to the section, never the sentence end or the evidence link', () => {
    const hostile = `<!channel> ${'R&D <b>*bold*</b> `code` '.repeat(400)}`;
    const message = approvalRequestMessage(approvalRecord({ failedRequests: 1, previousFailure: hostile }), { awsRegion: 'us-west-2' });
    const body: string = find(message, 'meshgov_finding').text.text;
    expect(body.length).toBeLessThanOrEqual(3000);
    expect(body).not.toContain('<!channel>');
    expect(body).toContain('*The last approved attempt failed:* &lt;!channel&gt; R&amp;D');
    expect(body).toMatch(/…\. Asked again\.\n/);
    expect(body).toContain('*Why approval:* listener 8080 of payments-api accepts plaintext');
    expect(body).toMatch(/\|Open in the App Mesh console>$/);
    expect(blockKitProblems(message)).toEqual([]);
  });

  test('a first request says nothing of failures', () => {
    const message = approvalRequestMessage(approvalRecord());
    expect(find(message, 'meshgov_finding').text.text).not.toContain('failed');
    expect(find(message, 'meshgov_meta').elements[0].text).not.toContain('asked again');
  });

  test('once decided, the message shows this attempt\'s result, not the failure before', () => {
    const message = approvalOutcomeMessage(
      approvalRecord({ state: 'SUCCEEDED', failedRequests: 1, previousFailure: FAILURE, decidedBy: CAROL, decidedAt: '2026-11-22T09:00:00.000Z', outcome: 'applied and verified: listener 8080 is STRICT (change chg-2)' }),
    );
    expect(find(message, 'meshgov_finding').text.text).not.toContain('The last approved attempt failed');
    expect(find(message, 'meshgov_outcome').text.text).toContain('*Result:* applied and verified');
  });
});
