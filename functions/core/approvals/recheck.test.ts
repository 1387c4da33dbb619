import { approvalRecord, paymentsApiFinding } from '../../../test/integration/ledger/fixtures';
import type { Finding } from '../findings';
import { buildReport } from '../report/report';
import { blockersOf, freshScopeFor, recheckApproval } from './recheck';
import { sameJson } from './same-json';

const report = (findings: Finding[]) => buildReport(findings, 10, new Date('2026-11-20T15:04:12Z'));
const BLOCKED = 'preconditions do not hold: VirtualNode prod-mesh/payments-worker sends plaintext to VirtualNode prod-mesh/payments-api port 8080';

function withRemediation(over: Partial<NonNullable<Finding['remediation']>>): Finding {
  const f = paymentsApiFinding();
  f.remediation = { ...f.remediation!, ...over };
  return f;
}

describe('recheckApproval', () => {
  const approval = approvalRecord({ remediation: withRemediation({ reason: BLOCKED }).remediation! });

  test('the same fix on fresh state may run', () => {
    expect(recheckApproval(approval, report([withRemediation({ reason: BLOCKED })]))).toMatchObject({ ok: true });
  });

  test('a change read back with its keys in another order is the same change (DynamoDB keeps no key order)', () => {
    const reordered = withRemediation({ reason: BLOCKED });
    reordered.remediation!.change = Object.fromEntries(Object.entries(reordered.remediation!.change).reverse());
    expect(recheckApproval(approval, report([reordered])).ok).toBe(true);
  });

  test('fewer blockers than the approver saw may run', () => {
    expect(recheckApproval(approval, report([withRemediation({ reason: 'rule mtls-not-strict requires approval for this change' })])).ok).toBe(true);
  });

  test.each([
    ['the finding is gone', [], 'the finding is no longer there: it was fixed or changed since the request'],
    ['no fix is planned any more', [{ ...paymentsApiFinding(), remediation: null }], 'meshgov no longer plans a fix for this finding'],
    ['another action is planned', [withRemediation({ action: 'appmesh.listener.set-permissive' })], 'the fix is now appmesh.listener.set-permissive, not the approved appmesh.listener.set-strict'],
    ['the fix became manual-only', [withRemediation({ mode: 'manual', reason: 'this change needs a person: no client certificate source known for VirtualNode payments-api: issue one (file or sds) before enforcing mTLS' })], 'the fix is now manual: this change needs a person: no client certificate source known for VirtualNode payments-api: issue one (file or sds) before enforcing mTLS'],
    [
      'the resource moved on (version 3 → 4)',
      [withRemediation({ reason: BLOCKED, change: { ...paymentsApiFinding().remediation!.change, expectedVersion: 4 } })],
      'the resource changed since the request, so the approved change no longer applies as shown (version 3 then, 4 now)',
    ],
    [
      'a new blocker appeared',
      [withRemediation({ reason: `${BLOCKED}; VirtualNode prod-mesh/refunds-api sends plaintext to VirtualNode prod-mesh/payments-api port 8080` })],
      'a precondition no longer holds: VirtualNode prod-mesh/refunds-api sends plaintext to VirtualNode prod-mesh/payments-api port 8080',
    ],
  ])('refused when %s', (_name, findings, reason) => {
    expect(recheckApproval(approval, report(findings as Finding[]))).toEqual({ ok: false, reason });
  });

  test('an approval given without blockers is refused when any blocker appears', () => {
    const clean = approvalRecord({ remediation: withRemediation({ reason: 'rule mtls-not-strict requires approval for this change' }).remediation! });
    expect(recheckApproval(clean, report([withRemediation({ reason: BLOCKED })]))).toMatchObject({ ok: false, reason: expect.stringMatching(/^a precondition no longer holds: VirtualNode prod-mesh\/payments-worker/) });
  });
});

describe('recheckApproval with the full list of blockers', () => {
  const caller = (n: number) => `VirtualNode prod-mesh/job-${n} sends plaintext to VirtualNode prod-mesh/payments-api port 8080`;
  const planned = (callers: number[]) => {
    const blockers = callers.map(caller);
    const shown = `preconditions do not hold: ${blockers.slice(0, 5).join('; ')}${blockers.length > 5 ? `; and ${blockers.length - 5} more` : ''}`;
    return withRemediation({ reason: shown, blockers });
  };

  test('a blocker beyond the five the reason shows is compared too: a new one among them is refused', () => {
    // The approver read "job-1 … job-5; and 1 more" (job-6); job-6 then moved to mTLS and job-7 appeared: the reason reads the same.
    const approval = approvalRecord({ remediation: planned([1, 2, 3, 4, 5, 6]).remediation! });
    const fresh = planned([1, 2, 3, 4, 5, 7]);
    expect(fresh.remediation!.reason).toBe(approval.remediation.reason);
    expect(recheckApproval(approval, report([fresh]))).toEqual({ ok: false, reason: `a precondition no longer holds: ${caller(7)}` });
    expect(recheckApproval(approval, report([planned([1, 2, 3, 4, 5])])).ok).toBe(true);
  });

  test('a finding held by another finding of the same change compares that finding\'s blockers', () => {
    const aligned = (callers: number[]) => {
      const f = planned(callers);
      f.remediation!.reason = `the same change also fixes mtls-conflict on VirtualNode prod-mesh/payments-api, where ${f.remediation!.reason}`;
      return f;
    };
    const approval = approvalRecord({ remediation: aligned([1]).remediation! });
    expect(recheckApproval(approval, report([aligned([1])])).ok).toBe(true);
    expect(recheckApproval(approval, report([aligned([1, 2])]))).toEqual({ ok: false, reason: `a precondition no longer holds: ${caller(2)}` });
  });

  test('a fresh plan made on a partial read that still has blockers is refused too', () => {
    const approval = approvalRecord({ remediation: withRemediation({ reason: BLOCKED }).remediation! });
    const partial = withRemediation({ reason: `${BLOCKED} (and the preconditions across the fleet are unknown: meshgov may not list ingresses.networking.k8s.io, so callers from outside the mesh through Ingresses are unknown)` });
    expect(recheckApproval(approval, report([partial]))).toEqual({
      ok: false,
      reason: 'the fresh audit did not see the whole fleet (meshgov may not list ingresses.networking.k8s.io, so callers from outside the mesh through Ingresses are unknown), so it cannot tell whether the approved change is still safe',
    });
  });

  test('a fresh plan made on a partial read is refused: it cannot tell whether a precondition broke', () => {
    const approval = approvalRecord({ remediation: withRemediation({ reason: BLOCKED }).remediation! });
    const partial = withRemediation({ reason: 'the preconditions across the fleet are unknown: this audit read only namespace payments, so callers from other namespaces are unknown' });
    expect(recheckApproval(approval, report([partial]))).toEqual({
      ok: false,
      reason: 'the fresh audit did not see the whole fleet (this audit read only namespace payments, so callers from other namespaces are unknown), so it cannot tell whether the approved change is still safe',
    });
  });
});

test('an approval asked on a partial read, refused for a blocker the full read finds, says it was not shown rather than new', () => {
  const partial = withRemediation({ reason: 'the preconditions across the fleet are unknown: this audit read only namespace payments, so callers from other namespaces are unknown' });
  const approval = approvalRecord({ remediation: partial.remediation! });
  const full = withRemediation({ reason: BLOCKED, blockers: [BLOCKED.slice('preconditions do not hold: '.length)] });
  expect(recheckApproval(approval, report([full]))).toEqual({
    ok: false,
    reason: `the approval was asked on a partial read, and the full read finds a precondition it did not show: ${BLOCKED.slice('preconditions do not hold: '.length)}`,
  });
});

describe('blockersOf', () => {
  test('reads the blockers plan.ts lists, and nothing from other reasons', () => {
    expect(blockersOf('preconditions do not hold: a has no sidecar; b sends plaintext to c; and 2 more')).toEqual(['a has no sidecar', 'b sends plaintext to c', 'and 2 more']);
    expect(blockersOf('rule mtls-conflict requires approval for this change')).toEqual([]);
  });
});

describe('freshScopeFor', () => {
  test('reads the whole mesh or namespace the preconditions depend on', () => {
    expect(freshScopeFor(paymentsApiFinding())).toEqual({ kind: 'all', providers: ['appmesh'], meshes: ['prod-mesh'] });
    expect(freshScopeFor({ ...paymentsApiFinding(), provider: 'istio', resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments' } })).toEqual({ kind: 'istio-namespace', namespace: 'payments' });
  });
});

describe('sameJson', () => {
  test.each([
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [[1, 2], [2, 1], false],
    [{ a: null }, { a: undefined }, false],
    [{ a: '3' }, { a: 3 }, false],
  ])('%j vs %j', (a, b, same) => {
    expect(sameJson(a, b)).toBe(same);
  });
});
