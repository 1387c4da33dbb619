import { sharedEvent } from '../../../../test/support/shared-events';
import { buttonValue, parseButton } from './action-ids';

describe('button ids and values', () => {
  test('the shared block_actions sample parses to an approval of rmd-7c1e9a44d2b0', () => {
    const payload = sharedEvent('slack/block-actions-approve.payload.json');
    const action = payload.actions[0];
    expect(parseButton(action.action_id, action.value)).toEqual({ verb: 'approve', approvalId: 'rmd-7c1e9a44d2b0' });
  });

  test.each([
    ['reject', 'meshgov_reject', 'reject:rmd-7c1e9a44d2b0', { verb: 'reject', approvalId: 'rmd-7c1e9a44d2b0' }],
    ['undo', 'meshgov_undo', 'undo:undo-chg-3', { verb: 'undo', approvalId: 'undo-chg-3' }],
    ['a value that contradicts its button', 'meshgov_reject', 'approve:rmd-7c1e9a44d2b0', undefined],
    ['another app\'s button', 'deploy_approve', 'approve:rmd-7c1e9a44d2b0', undefined],
    ['no value', 'meshgov_approve', undefined, undefined],
    ['an id with separators', 'meshgov_approve', 'approve:rmd-1:2', undefined],
    ['an empty id', 'meshgov_approve', 'approve:', undefined],
  ])('%s', (_name, actionId, value, expected) => {
    expect(parseButton(actionId, value)).toEqual(expected);
  });

  test('buttonValue and parseButton agree', () => {
    expect(parseButton('meshgov_undo', buttonValue('undo', 'undo-chg-01JDQ5K3T8M2'))).toEqual({ verb: 'undo', approvalId: 'undo-chg-01JDQ5K3T8M2' });
  });
});
