import { matchesLabelSelector, parseLabelSelector, SelectorParseError } from './label-selector';

const ledgerPod = { app: 'ledger', version: 'v1', 'pod-template-hash': '7d9c5b8f6d', 'security.istio.io/tlsMode': 'istio', replicas: '3' };

test.each([
  ['', true],
  ['app=ledger', true],
  ['app==ledger', true],
  ['app=payments-api', false],
  ['app!=payments-api', true],
  ['canary!=true', true], // != matches objects without the label
  ['app=ledger,version=v2', false],
  ['app in (ledger,orders-api)', true],
  ['app in (orders-api)', false],
  ['version notin (v2, v3)', true],
  ['canary notin (true)', true],
  ['security.istio.io/tlsMode', true],
  ['!security.istio.io/tlsMode', false],
  ['!canary', true],
  ['replicas>2', true],
  ['replicas<3', false],
  [' app = ledger , version in ( v1 ) ', true],
])('%j selects the ledger pod: %s', (selector, expected) => {
  expect(matchesLabelSelector(parseLabelSelector(selector), ledgerPod)).toBe(expected);
});

test('parses into requirements', () => {
  expect(parseLabelSelector('app=ledger,version notin (v2,v3),!canary')).toEqual([
    { key: 'app', operator: 'equals', values: ['ledger'] },
    { key: 'version', operator: 'notIn', values: ['v2', 'v3'] },
    { key: 'canary', operator: 'doesNotExist', values: [] },
  ]);
});

test.each(['app in ledger', 'app=ledger,,', '=ledger', 'app in (ledger', 'app=le dger', 'Bad_Prefix/app=x', 'app>two', '-app=ledger'])('%j is not a selector', (selector) => {
  expect(() => parseLabelSelector(selector)).toThrow(SelectorParseError);
});
