import { globToRegExp } from '../../../functions/core/policy/glob';
import { isExcluded } from '../../../functions/core/policy/exclusions';

describe('globToRegExp: fnmatch globs on names', () => {
  it.each([
    ['kube-*', 'kube-system', true],
    ['kube-*', 'kube', false],
    ['team-?', 'team-a', true],
    ['team-?', 'team-ab', false],
    ['team-[a-c]', 'team-b', true],
    ['team-[a-c]', 'team-d', false],
    ['team-[!a-c]', 'team-d', true],
    ['team-[!a-c]', 'team-a', false],
    ['team-[^0-9]*', 'team-x1', true],
    ['team-[^0-9]*', 'team-1x', false],
    ['orders-[0-9][0-9]', 'orders-42', true],
    ['orders-[0-9][0-9]', 'orders-4', false],
    ['[]]x', ']x', true],
    ['[!]]x', 'ax', true],
    ['[!]]x', ']x', false],
    ['api[', 'api[', true],
    ['api[v1', 'api[v1', true],
    ['[]', '[]', true],
    ['[a-]', '-', true],
    ['[\\d]', '\\', true],
    ['[\\d]', '5', false],
    ['a.b', 'axb', false],
    ['a.b', 'a.b', true],
    ['(x)+$', '(x)+$', true],
    ['edge/*', 'edge/listeners/ingress', true],
    ['caf?', 'café', true],
  ])('%s against %s: %s', (glob, value, expected) => {
    expect(globToRegExp(glob).test(value)).toBe(expected);
  });

  it('refuses a class RegExp cannot read (the policy schema reports it on its line)', () => {
    expect(() => globToRegExp('[z-a]')).toThrow(/Range out of order/);
  });
});

describe('isExcluded with classes', () => {
  const exclusions = [{ namespace: 'team-[a-c]', reason: 'teams a to c migrate in Q1' }, { mesh: 'legacy-[0-9]*', name: '[!x]*' }];

  it('matches the first exclusion whose every field matches', () => {
    expect(isExcluded({ kind: 'Deployment', name: 'api', namespace: 'team-b' }, exclusions)).toBe(exclusions[0]);
    expect(isExcluded({ kind: 'VirtualNode', name: 'ledger', mesh: 'legacy-2' }, exclusions)).toBe(exclusions[1]);
  });

  it('leaves resources the classes do not match', () => {
    expect(isExcluded({ kind: 'Deployment', name: 'api', namespace: 'team-d' }, exclusions)).toBeUndefined();
    expect(isExcluded({ kind: 'VirtualNode', name: 'xray', mesh: 'legacy-2' }, exclusions)).toBeUndefined();
    expect(isExcluded({ kind: 'VirtualNode', name: 'ledger', mesh: 'legacy-b' }, exclusions)).toBeUndefined();
  });
});
