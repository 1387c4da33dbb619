import { parseExecuteRequest } from './execute-request';

const valid = {
  remediation: {
    action: 'istio.peerauthentication.set-strict',
    mode: 'approval',
    reason: 'clients of payments/payments-api without a sidecar: a person must confirm',
    change: {
      operation: 'merge-patch',
      target: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'payments', name: 'default', resourceVersion: '48213377' },
      patch: { spec: { mtls: { mode: 'STRICT' } } },
    },
  },
  trigger: { source: 'slack', eventId: '1795187052.000300', eventTime: '2026-11-20T15:04:12Z', actor: 'carol@example.com', summary: 'approved by carol in #payments-mesh' },
  changeId: 'chg-7c1e9a44d2b0',
  findingId: '6688ac7bdff15f69c134ef12',
  approved: true,
};

/** An Undo: the recorded change to restore, and nothing to plan again. */
const { findingId: _findingId, approved: _approved, ...withoutPlan } = valid;
const revert = {
  ...withoutPlan,
  remediation: { action: 'istio.peerauthentication.set-strict.undo', mode: 'approval', reason: 'undo of chg-7c1e9a44d2b0', change: { target: valid.remediation.change.target } },
  revert: { id: 'chg-7c1e9a44d2b0', provider: 'istio', action: 'istio.peerauthentication.set-strict', target: valid.remediation.change.target, before: {}, after: {} },
};

const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

test('accepts an approved change as the hub sends it', () => {
  expect(parseExecuteRequest(bytes(valid))).toEqual({ ok: true, request: valid });
});

test("keeps the approved plan's full blocker list, which the re-plan compares", () => {
  const blockers = Array.from({ length: 7 }, (_, i) => `DestinationRule orders-${i + 1}/payments-api-plaintext sends plaintext to Deployment payments/payments-api port 8080`);
  const withBlockers = { ...valid, remediation: { ...valid.remediation, blockers } };
  expect(parseExecuteRequest(bytes(withBlockers))).toEqual({ ok: true, request: withBlockers });
});

test('accepts an automatic change, and an Undo without a finding or a decision', () => {
  expect(parseExecuteRequest(bytes({ ...valid, remediation: { ...valid.remediation, mode: 'auto' }, approved: false }))).toMatchObject({ ok: true, request: { approved: false } });
  expect(parseExecuteRequest(bytes(revert))).toEqual({ ok: true, request: revert });
});

test.each([
  ['a body that is not JSON', 'remediation=1', '(body)'],
  ['no remediation', { ...valid, remediation: undefined }, 'remediation'],
  ['a manual remediation', { ...valid, remediation: { ...valid.remediation, mode: 'manual' } }, 'remediation.mode'],
  ['a change that is a list', { ...valid, remediation: { ...valid.remediation, change: [] } }, 'remediation.change'],
  ['an empty action', { ...valid, remediation: { ...valid.remediation, action: '' } }, 'remediation.action'],
  ['an unknown trigger source', { ...valid, trigger: { ...valid.trigger, source: 'email' } }, 'trigger.source'],
  ['no trigger eventId', { ...valid, trigger: { ...valid.trigger, eventId: undefined } }, 'trigger.eventId'],
  ['a changeId with a slash', { ...valid, changeId: 'chg/1' }, 'changeId'],
  ['a change without findingId', { ...valid, findingId: undefined }, 'findingId'],
  ['an empty findingId', { ...valid, findingId: '' }, 'findingId'],
  ['a change without approved', { ...valid, approved: undefined }, 'approved'],
  ['approved as a string', { ...valid, approved: 'true' }, 'approved'],
  ['an Undo that names a finding', { ...revert, findingId: valid.findingId }, 'findingId'],
  ['an Undo that says approved', { ...revert, approved: true }, 'approved'],
])('%s is refused, naming %s', (_name, body, field) => {
  const parsed = parseExecuteRequest(bytes(body));
  expect(parsed).toMatchObject({ ok: false, field });
  if (!parsed.ok) expect(parsed.message.startsWith(`${field}: `) || field === '(body)').toBe(true);
});
