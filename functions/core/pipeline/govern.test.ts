import type { Finding } from '../findings';
import { MemoryLedger } from '../ledger/memory-ledger';
import type { ApplyResult, RemediationExecutor } from './ports';
import type { ScopedReport } from './audit-scope';
import { govern, type GovernDeps } from './govern';
import type { AuditScope, Trigger } from './trigger';
import { buildReport } from '../report/report';
import { RecordingNotifier } from '../../../test/support/recording-notifier';
import { shippedPolicy } from '../../../test/support/model';
import { executeApproval } from '../approvals/execute-approval';
import type { ApprovalRecord, FindingRecord, Ledger } from '../ledger/types';
import { approvalRequestMessage } from '../../notify/slack/messages/approval-request-message';
import { findingMessage } from '../../notify/slack/messages/finding-message';
import type { Route } from './ports';
import { findingId } from '../rules/finding-id';
import { sloIndicatorId } from '../slo/indicator';

const trigger = (source: Trigger['source'] = 'cloudtrail', at = '2026-11-20T15:00:49Z'): Trigger => ({
  source,
  eventId: `evt-${at}`,
  eventTime: at,
  actor: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com',
  summary: 'UpdateVirtualNode payments-api by alice@example.com',
});

function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'f-payments-api-8080',
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'appmesh',
    resource: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 },
    message: 'VirtualNode prod-mesh/payments-api port 8080 accepts plaintext as well as mTLS (PERMISSIVE)',
    detail: { mode: 'PERMISSIVE' },
    remediation: null,
    ...over,
  };
}

const scopeAll: AuditScope = { kind: 'all', providers: ['appmesh'] };
const scoped = (findings: Finding[], t = trigger(), scope: AuditScope = scopeAll, audited: string[] = []): ScopedReport => ({
  trigger: t,
  scope,
  report: buildReport(findings, 10, new Date(t.eventTime)),
  auditedResources: audited,
});

function setup(over: Partial<GovernDeps> = {}) {
  let now = new Date('2026-11-20T15:01:00Z');
  const notifier = new RecordingNotifier();
  let n = 0;
  const deps: GovernDeps = {
    ledger: new MemoryLedger(),
    policy: shippedPolicy(),
    notifier,
    executors: [],
    clock: () => now,
    dryRun: false,
    newId: (p) => `${p}-${++n}`,
    ...over,
  };
  return { deps, notifier, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('govern: notifications', () => {
  it('notifies a new finding once, and not again on the next run', async () => {
    const { deps, notifier } = setup();
    const r1 = await govern(scoped([finding()]), deps);
    expect(r1.notified).toEqual([{ id: 'f-payments-api-8080', kind: 'new' }]);
    const r2 = await govern(scoped([finding()]), deps);
    expect(r2.notified).toEqual([]);
    expect(notifier.sent.filter((s) => s.type === 'finding')).toHaveLength(1);
  });

  it('updates the message when the finding resolves', async () => {
    const { deps, notifier } = setup();
    await govern(scoped([finding()]), deps);
    const r = await govern(scoped([]), deps);
    expect(r.resolved).toEqual(['f-payments-api-8080']);
    expect(notifier.sent.map((s) => [s.type, s.kind])).toEqual([
      ['finding', 'new'],
      ['finding', 'resolved'],
    ]);
    expect((await deps.ledger.getFinding('f-payments-api-8080'))?.status).toBe('resolved');
  });

  it('resolves only what the scope looked at', async () => {
    const { deps } = setup();
    await govern(scoped([finding(), finding({ id: 'f-ledger', resource: { kind: 'VirtualNode', name: 'ledger', mesh: 'prod-mesh', port: 8443 } })]), deps);
    const scope: AuditScope = { kind: 'appmesh-resource', mesh: 'prod-mesh', resourceType: 'virtualNode', name: 'payments-api' };
    const r = await govern(scoped([], trigger(), scope, ['appmesh|VirtualNode||prod-mesh|payments-api']), deps);
    expect(r.resolved).toEqual(['f-payments-api-8080']);
  });

  it('a full run that could not read a mesh leaves that mesh\'s findings, and the ACM ones, open', async () => {
    const { deps } = setup();
    const checkout = finding({ id: 'f-checkout', resource: { kind: 'VirtualNode', name: 'checkout-api', mesh: 'checkout-mesh', port: 8080 } });
    const acm = finding({ id: 'f-acm', rule: 'cert-expiring', provider: 'acm', resource: { kind: 'Certificate', name: 'checkout.example.com' } });
    await govern(scoped([finding(), checkout, acm], trigger(), { kind: 'all', providers: ['appmesh', 'acm'] }), deps);
    const r = await govern(scoped([], trigger(), { kind: 'all', providers: ['appmesh', 'acm'], unreadMeshes: ['checkout-mesh'] }), deps);
    expect(r.resolved).toEqual(['f-payments-api-8080']);
  });

  it('a deleted App Mesh resource resolves the findings of its own kind, name and parent only; a deleted mesh all of its findings', async () => {
    const arn = 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh';
    const node = finding({ resource: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080, file: `${arn}/virtualNode/payments-api`, line: 1 } });
    const route = (id: string, router: string) =>
      finding({ id, rule: 'config-invalid', resource: { kind: 'Route', name: 'default', mesh: 'prod-mesh', file: `${arn}/virtualRouter/${router}/route/default`, line: 1 } });
    const elsewhere = finding({ id: 'f-staging', resource: { kind: 'VirtualNode', name: 'payments-api', mesh: 'staging-mesh', port: 8080 } });
    const { deps } = setup();
    await govern(scoped([node, route('f-route-payments', 'payments-api'), route('f-route-orders', 'orders-api'), elsewhere]), deps);
    const deleted = (resourceType: 'virtualRouter' | 'route' | 'mesh', name: string, parentName?: string): AuditScope => ({
      kind: 'appmesh-resource',
      mesh: 'prod-mesh',
      resourceType,
      name,
      ...(parentName ? { parentName } : {}),
      deleted: true,
    });
    // A router named like the node: not the node.
    expect((await govern(scoped([], trigger(), deleted('virtualRouter', 'payments-api')), deps)).resolved).toEqual([]);
    // Route names repeat across routers: only the route of the deleted router's parent.
    expect((await govern(scoped([], trigger(), deleted('route', 'default', 'orders-api')), deps)).resolved).toEqual(['f-route-orders']);
    expect((await govern(scoped([], trigger(), deleted('mesh', 'prod-mesh')), deps)).resolved.sort()).toEqual(['f-payments-api-8080', 'f-route-payments']);
    expect((await deps.ledger.getFinding('f-staging'))?.status).toBe('open');
  });

  it('notifies again on escalation and after the reminder interval', async () => {
    const { deps, advance } = setup();
    await govern(scoped([finding()]), deps);
    expect((await govern(scoped([finding({ severity: 'critical' })]), deps)).notified).toEqual([{ id: 'f-payments-api-8080', kind: 'escalated' }]);
    advance(25 * 3_600_000);
    expect((await govern(scoped([finding({ severity: 'critical' })]), deps)).notified).toEqual([{ id: 'f-payments-api-8080', kind: 'reminder' }]);
  });

  it('keeps the finding recorded when Slack is down and sends the notification on a later run', async () => {
    const { deps, notifier } = setup();
    notifier.down = true;
    const r1 = await govern(scoped([finding()]), deps);
    expect(r1.notificationFailures).toBe(1);
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ status: 'open', notificationPending: true });
    notifier.down = false;
    const r2 = await govern(scoped([finding()]), deps);
    expect(r2.notified).toEqual([{ id: 'f-payments-api-8080', kind: 'new' }]);
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ notificationPending: false, slack: { channel: '#mesh-governance' } });
  });

  it('posts one digest per channel for a scheduled run', async () => {
    const { deps, notifier } = setup();
    const findings = [finding(), finding({ id: 'f-2', resource: { kind: 'VirtualNode', name: 'ledger', mesh: 'prod-mesh', port: 8443 } }), finding({ id: 'f-3', resource: { kind: 'VirtualNode', name: 'fraud', mesh: 'prod-mesh', port: 8080 } })];
    await govern(scoped(findings, trigger('schedule')), deps);
    expect(notifier.sent).toEqual([{ type: 'digest', id: 'f-payments-api-8080,f-2,f-3', channel: '#mesh-governance', count: 3 }]);
  });

  it('routes by team ownership', async () => {
    const policy = shippedPolicy();
    policy.ownership.teams = [{ name: 'payments', match: { meshes: ['prod-mesh'] }, slack: { channel: '#payments-oncall' } }];
    const { deps, notifier } = setup({ policy });
    await govern(scoped([finding()]), deps);
    expect(notifier.sent[0].channel).toBe('#payments-oncall');
  });
});

describe('govern: remediation', () => {
  const fix = { action: 'appmesh.listener.set-strict', mode: 'auto' as const, reason: 'preconditions hold', change: { operation: 'update-virtual-node' } };

  class CountingExecutor implements RemediationExecutor {
    calls = 0;
    handles() {
      return true;
    }
    async apply(): Promise<ApplyResult> {
      this.calls++;
      return { outcome: 'verified', detail: 'listener 8080 is STRICT', before: { mode: 'PERMISSIVE' }, after: { mode: 'STRICT' }, target: { mesh: 'prod-mesh' } };
    }
    async revert(): Promise<ApplyResult> {
      return { outcome: 'verified', detail: 'restored', target: {} };
    }
  }

  it('applies a change that fixes two findings once, and asks for one approval of a shared change', async () => {
    const executor = new CountingExecutor();
    const { deps } = setup({ executors: [executor] });
    const enforce = { action: 'appmesh.client-policy.enforce', mode: 'auto' as const, reason: 'preconditions hold', change: { operation: 'update-virtual-node', spec: { backends: [] } } };
    const conflict = finding({ id: 'f-conflict', rule: 'mtls-conflict', remediation: enforce });
    const notEnforced = finding({ id: 'f-not-enforced', rule: 'mtls-client-not-enforced', remediation: enforce });
    const r = await govern(scoped([conflict, notEnforced]), deps);
    expect(executor.calls).toBe(1);
    expect(r.changes).toHaveLength(1);

    const asked = { ...enforce, mode: 'approval' as const, change: { operation: 'update-virtual-node', spec: { backends: [{ virtualService: {} }] } } };
    const again = await govern(scoped([finding({ id: 'f-a', remediation: asked }), finding({ id: 'f-b', remediation: asked })]), deps);
    expect(again.approvalsRequested).toHaveLength(1);
  });

  it("applies once one change that two findings carry under different actions (an App Mesh object's listener and client edits)", async () => {
    const executor = new CountingExecutor();
    const { deps } = setup({ executors: [executor] });
    const change = { operation: 'update-virtual-node', target: { meshName: 'prod-mesh', virtualNodeName: 'payments-api' }, expectedVersion: 3, spec: { listeners: [], backends: [] } };
    const strict = finding({ id: 'f-strict', rule: 'mtls-not-strict', remediation: { action: 'appmesh.listener.set-strict', mode: 'auto', reason: 'preconditions hold', change } });
    const enforce = finding({ id: 'f-enforce', rule: 'mtls-client-not-enforced', remediation: { action: 'appmesh.client-policy.enforce', mode: 'auto', reason: 'preconditions hold', change } });
    const r = await govern(scoped([strict, enforce]), deps);
    expect(executor.calls).toBe(1);
    expect(r.changes).toHaveLength(1);
  });

  it('applies an auto fix, records the change and announces it with an Undo', async () => {
    const executor = new CountingExecutor();
    const { deps, notifier } = setup({ executors: [executor] });
    const r = await govern(scoped([finding({ remediation: fix })]), deps);
    expect(executor.calls).toBe(1);
    expect(r.changes[0]).toMatchObject({ outcome: 'verified', before: { mode: 'PERMISSIVE' }, after: { mode: 'STRICT' }, trigger: { source: 'cloudtrail' } });
    // The author of the drift may not undo its fix (decide.ts refuses causedBy).
    expect(await deps.ledger.getApproval(`undo-${r.changes[0].id}`)).toMatchObject({ state: 'PENDING', undoOf: r.changes[0].id, causedBy: trigger().actor });
    expect(notifier.sent.some((s) => s.type === 'change')).toBe(true);
  });

  it('keeps the announcement of an automatic change owed when Slack is down, counts it, and sends it with its Undo on a later run, once', async () => {
    const executor = new CountingExecutor();
    const { deps, notifier, advance } = setup({ executors: [executor] });
    notifier.down = true;
    const r1 = await govern(scoped([finding({ remediation: fix })]), deps);
    const change = r1.changes[0]!;
    expect(r1.notificationFailures).toBe(2); // the finding's notification and the announcement
    expect(await deps.ledger.getChange(change.id)).toMatchObject({ announcementPending: true });

    notifier.down = false;
    advance(15 * 60_000);
    const r2 = await govern(scoped([], trigger('schedule', '2026-11-20T15:16:00Z')), deps);
    expect(r2.notificationFailures).toBe(0);
    await govern(scoped([], trigger('schedule', '2026-11-20T15:31:00Z')), deps);
    expect(notifier.sent.filter((s) => s.type === 'change')).toEqual([{ type: 'change', id: change.id, kind: `undo-${change.id}`, channel: '#mesh-governance' }]);
    expect((await deps.ledger.getChange(change.id))!.announcementPending).toBeUndefined();
    expect((await deps.ledger.getApproval(`undo-${change.id}`))!.slack).toMatchObject({ channel: '#mesh-governance' });
  });

  it('owes an announcement again when its second post fails too, and sends it on the run after', async () => {
    const executor = new CountingExecutor();
    const { deps, notifier } = setup({ executors: [executor] });
    notifier.down = true;
    const change = (await govern(scoped([finding({ remediation: fix })]), deps)).changes[0]!;
    const again = await govern(scoped([], trigger('schedule', '2026-11-20T15:16:00Z')), deps);
    expect(again.notificationFailures).toBe(1);
    expect(await deps.ledger.getChange(change.id)).toMatchObject({ announcementPending: true });
    notifier.down = false;
    await govern(scoped([], trigger('schedule', '2026-11-20T15:31:00Z')), deps);
    expect(notifier.sent.filter((s) => s.type === 'change')).toHaveLength(1);
  });

  it('sends an owed announcement without its Undo once that Undo can no longer be decided', async () => {
    const executor = new CountingExecutor();
    const { deps, notifier } = setup({ executors: [executor] });
    notifier.down = true;
    const change = (await govern(scoped([finding({ remediation: fix })]), deps)).changes[0]!;
    notifier.down = false;
    await deps.ledger.transitionApproval(`undo-${change.id}`, ['PENDING'], 'EXPIRED', { outcome: 'expired' });
    await govern(scoped([], trigger('schedule', '2026-11-20T15:16:00Z')), deps);
    expect(notifier.sent.filter((s) => s.type === 'change')).toEqual([{ type: 'change', id: change.id, kind: 'verified', channel: '#mesh-governance' }]);
    expect((await deps.ledger.getChange(change.id))!.announcementPending).toBeUndefined();
  });

  it('owes nothing when no notifier is configured (Slack off)', async () => {
    const executor = new CountingExecutor();
    const { deps } = setup({ executors: [executor], notifier: undefined });
    const r = await govern(scoped([finding({ remediation: fix })]), deps);
    expect(r.notificationFailures).toBe(0);
    expect((await deps.ledger.getChange(r.changes[0]!.id))!.announcementPending).toBeUndefined();
  });

  it('does not make again on its own a fix that a person or an SLO rollback undid in the last 7 days: it asks, saying who undid it', async () => {
    const executor = new CountingExecutor();
    const { deps, advance } = setup({ executors: [executor] });
    const first = await govern(scoped([finding({ remediation: fix })]), deps);
    expect(executor.calls).toBe(1);
    const undo = {
      ...first.changes[0]!,
      id: 'chg-undo-1',
      approvalId: `undo-${first.changes[0]!.id}`,
      action: 'appmesh.listener.set-strict.undo',
      approvedBy: 'U07DAVE0001',
      before: { mode: 'STRICT' },
      after: { mode: 'PERMISSIVE' },
      at: new Date('2026-11-20T15:30:00Z').toISOString(),
    };
    await deps.ledger.recordChange(undo);
    advance(3_600_000);

    const held = await govern(scoped([finding({ remediation: fix })], trigger('schedule', '2026-11-20T16:01:00Z')), deps);
    expect(executor.calls).toBe(1);
    expect(held.changes).toEqual([]);
    expect(held.approvalsRequested).toHaveLength(1);
    expect((await deps.ledger.getApproval(held.approvalsRequested[0]!))!.remediation).toMatchObject({
      mode: 'approval',
      reason: 'Slack user U07DAVE0001 undid this fix at 2026-11-20T15:30:00.000Z (change chg-undo-1), so it is not made again without approval for 7 days',
    });
    // The request shows the reason as written: no mention markup that Slack's escaping would show raw.
    const asked = approvalRequestMessage((await deps.ledger.getApproval(held.approvalsRequested[0]!))!);
    expect(JSON.stringify(asked.blocks)).toContain('*Why approval:* Slack user U07DAVE0001 undid this fix');
    expect(JSON.stringify(asked.blocks)).not.toMatch(/&lt;@/);

    // An Undo older than 7 days no longer holds the fix.
    advance(7 * 86_400_000);
    const later = await govern(scoped([finding({ remediation: fix })], trigger('schedule', '2026-11-27T16:01:00Z')), deps);
    expect(later.changes).toHaveLength(1);
    expect(executor.calls).toBe(2);
  });

  it('changes nothing in dry-run', async () => {
    const executor = new CountingExecutor();
    const { deps } = setup({ executors: [executor], dryRun: true });
    expect((await govern(scoped([finding({ remediation: fix })]), deps)).changes).toEqual([]);
    expect(executor.calls).toBe(0);
  });

  it('in dry-run asks nobody to approve a fix (nor again a TTL later): the finding is notified with its planned fix, saying dry-run is on', async () => {
    const { deps, notifier, advance } = setup({ dryRun: true });
    const f = finding({ remediation: { ...fix, mode: 'approval', reason: 'a client sends plaintext' } });
    const r1 = await govern(scoped([f]), deps);
    expect(r1.approvalsRequested).toEqual([]);
    expect(await deps.ledger.findOpenApproval(f.id)).toBeUndefined();
    expect(notifier.sent.map((s) => s.type)).toEqual(['finding']);
    const record = (await deps.ledger.getFinding(f.id))!;
    expect(record.dryRun).toBe(true);
    expect(JSON.stringify(findingMessage(record, 'open').blocks)).toContain('dry-run is on, so nobody is asked and nothing is changed');

    advance(25 * 3_600_000);
    const r2 = await govern(scoped([f], trigger('schedule', '2026-11-21T16:01:00Z')), deps);
    expect(r2.approvalsRequested).toEqual([]);
    expect(notifier.sent.filter((s) => s.type === 'approval')).toEqual([]);
  });

  it('stops at the blast radius per run', async () => {
    const executor = new CountingExecutor();
    const policy = shippedPolicy();
    policy.remediation.dryRun = false;
    policy.remediation.maxChangesPerRun = 2;
    const { deps } = setup({ executors: [executor], policy });
    const many = [1, 2, 3, 4].map((i) => finding({ id: `f-${i}`, remediation: { ...fix, change: { ...fix.change, virtualNodeName: `n${i}` } }, resource: { kind: 'VirtualNode', name: `n${i}`, mesh: 'prod-mesh', port: 8080 } }));
    await govern(scoped(many), deps);
    expect(executor.calls).toBe(2);
  });

  it('counts only its own changes against the hourly blast radius, not the changes people make', async () => {
    const executor = new CountingExecutor();
    const policy = shippedPolicy();
    policy.remediation.maxChangesPerHour = 2;
    const { deps } = setup({ executors: [executor], policy });
    const at = '2026-11-20T14:40:00Z';
    const person = (i: number) => ({
      id: `chg-cloudtrail-4f1d2c3b-9a8e-7d6c-5b4a-3f2e1d0c9b8${i}`,
      provider: 'appmesh' as const,
      action: 'appmesh.route.update',
      target: { kind: 'Route', mesh: 'prod-mesh', name: `payments-route-${i}` },
      before: {},
      after: {},
      reason: 'UpdateRoute by erin@example.com',
      trigger: trigger('cloudtrail', at),
      at,
      outcome: 'applied' as const,
      service: 'appmesh:prod-mesh/payments-router',
      expiresAt: 1_900_000_000,
    });
    for (const i of [1, 2, 3]) await deps.ledger.recordChange(person(i));
    const many = [1, 2, 3].map((i) => finding({ id: `f-${i}`, remediation: { ...fix, change: { ...fix.change, virtualNodeName: `n${i}` } }, resource: { kind: 'VirtualNode', name: `n${i}`, mesh: 'prod-mesh', port: 8080 } }));
    await govern(scoped(many), deps);
    expect(executor.calls).toBe(2);
  });

  it('shares the hourly blast radius with runs going on at the same time: both count no change, only one may make one', async () => {
    const executor = new CountingExecutor();
    const policy = shippedPolicy();
    policy.remediation.maxChangesPerHour = 1;
    const { deps } = setup({ executors: [executor], policy });
    const node = (i: number) => finding({ id: `f-${i}`, remediation: { ...fix, change: { ...fix.change, virtualNodeName: `n${i}` } }, resource: { kind: 'VirtualNode', name: `n${i}`, mesh: 'prod-mesh', port: 8080 } });
    const [first, second] = await Promise.all([govern(scoped([node(1)]), deps), govern(scoped([node(2)]), deps)]);
    expect(executor.calls).toBe(1);
    expect(first.changes.length + second.changes.length).toBe(1);
  });

  it('gives the blast-radius slot back when a change wrote nothing', async () => {
    const failing = new CountingExecutor();
    failing.apply = async () => {
      failing.calls++;
      return { outcome: 'failed', detail: 'UpdateVirtualNode: ConflictException', target: { mesh: 'prod-mesh' }, wrote: false };
    };
    const policy = shippedPolicy();
    policy.remediation.maxChangesPerHour = 1;
    const { deps } = setup({ executors: [failing], policy });
    const node = (i: number) => finding({ id: `f-${i}`, remediation: { ...fix, change: { ...fix.change, virtualNodeName: `n${i}` } }, resource: { kind: 'VirtualNode', name: `n${i}`, mesh: 'prod-mesh', port: 8080 } });
    await govern(scoped([node(1), node(2)]), deps);
    expect(failing.calls).toBe(2);
    expect(await deps.ledger.reserveChangeSlot('chg-next', 1)).toBe(0);
  });

  describe('counts every change that wrote, whatever its outcome', () => {
    const node = (i: number) => finding({ id: `f-${i}`, remediation: { ...fix, change: { ...fix.change, virtualNodeName: `n${i}` } }, resource: { kind: 'VirtualNode', name: `n${i}`, mesh: 'prod-mesh', port: 8080 } });
    const answering = (result: ApplyResult) => {
      const executor = new CountingExecutor();
      executor.apply = async () => {
        executor.calls++;
        return result;
      };
      return executor;
    };
    const landedButFailed: ApplyResult = { outcome: 'failed', detail: 'wrote VirtualNode prod-mesh/n1 (version 4) but could not read it back: ServiceUnavailableException', target: { mesh: 'prod-mesh' }, wrote: true };
    const rolledBack: ApplyResult = { outcome: 'rolled-back', detail: 'read back PERMISSIVE; restored the previous spec', target: { mesh: 'prod-mesh' }, wrote: true };

    it.each([
      ['a write that landed but failed its read-back', landedButFailed],
      ['a write that was rolled back', rolledBack],
      ['a failure that does not say whether it wrote (it may have)', { outcome: 'failed', detail: 'socket hang up', target: {} } as ApplyResult],
    ])('%s: against the run', async (_what, result) => {
      const executor = answering(result);
      const policy = shippedPolicy();
      policy.remediation.maxChangesPerRun = 1;
      policy.remediation.maxChangesPerHour = 10;
      const { deps } = setup({ executors: [executor], policy });
      const r = await govern(scoped([node(1), node(2), node(3)]), deps);
      expect(executor.calls).toBe(1);
      expect(r.changes).toHaveLength(1);
    });

    it.each([
      ['a write that landed but failed its read-back', landedButFailed],
      ['a write that was rolled back', rolledBack],
    ])('%s: keeps its hourly slot, so the next run in the hour makes no change', async (_what, result) => {
      const executor = answering(result);
      const policy = shippedPolicy();
      policy.remediation.maxChangesPerHour = 1;
      const { deps, advance } = setup({ executors: [executor], policy });
      await govern(scoped([node(1)]), deps);
      expect(await deps.ledger.reserveChangeSlot('chg-probe', 1)).toBeUndefined();
      expect(await deps.ledger.getChange('chg-1')).toMatchObject({ outcome: result.outcome, wrote: true });

      advance(60_000);
      await govern(scoped([node(2)]), deps);
      expect(executor.calls).toBe(1);
    });

    it('an aborted change, or a verified one that found the fix already in place, wrote nothing: neither counts', async () => {
      const results: ApplyResult[] = [
        { outcome: 'aborted', detail: 'changed since the audit read it', target: {} },
        { outcome: 'verified', detail: 'the change is already in place; nothing was written', target: {}, wrote: false },
        { outcome: 'verified', detail: 'listener 8080 is STRICT', target: {}, wrote: true },
      ];
      const executor = new CountingExecutor();
      executor.apply = async () => results[executor.calls++]!;
      const policy = shippedPolicy();
      policy.remediation.maxChangesPerRun = 1;
      policy.remediation.maxChangesPerHour = 1;
      const { deps } = setup({ executors: [executor], policy });
      const r = await govern(scoped([node(1), node(2), node(3), node(4)]), deps);
      expect(executor.calls).toBe(3);
      expect(r.changes.map((c) => c.outcome)).toEqual(['aborted', 'verified', 'verified']);
      expect(await deps.ledger.reserveChangeSlot('chg-probe', 1)).toBeUndefined();
    });

    it('an executor that throws may have written: its slot stays taken', async () => {
      const executor = new CountingExecutor();
      executor.apply = async () => {
        executor.calls++;
        throw new Error('read ECONNRESET');
      };
      const policy = shippedPolicy();
      policy.remediation.maxChangesPerHour = 1;
      const { deps } = setup({ executors: [executor], policy });
      await expect(govern(scoped([node(1)]), deps)).rejects.toThrow('ECONNRESET');
      expect(await deps.ledger.reserveChangeSlot('chg-probe', 1)).toBeUndefined();
    });
  });

  it('asks for approval once per finding and change', async () => {
    const { deps, notifier } = setup();
    const f = finding({ remediation: { ...fix, mode: 'approval', reason: 'a client sends plaintext' } });
    const r1 = await govern(scoped([f]), deps);
    const r2 = await govern(scoped([f]), deps);
    expect(r1.approvalsRequested).toHaveLength(1);
    expect(r2.approvalsRequested).toEqual([]);
    const approval = await deps.ledger.getApproval(r1.approvalsRequested[0]);
    expect(approval).toMatchObject({ state: 'PENDING', causedBy: expect.stringContaining('alice@example.com'), slack: { channel: '#mesh-governance' } });
    expect(Date.parse(approval!.approvalExpiresAt) - Date.parse(approval!.requestedAt)).toBe(24 * 3_600_000);
    expect(notifier.sent.filter((s) => s.type === 'approval')).toHaveLength(1);
  });

  it('names the author of the change on the approval whichever event comes first: one naming nobody (AWS Config) and then CloudTrail', async () => {
    const { deps } = setup();
    const f = finding({ remediation: { ...fix, mode: 'approval', reason: 'a client sends plaintext' } });
    const config: Trigger = { source: 'aws-config', eventId: 'cfg-1', eventTime: '2026-11-20T15:00:40Z', summary: 'AWS::AppMesh::VirtualNode payments-api changed' };
    const r1 = await govern(scoped([f], config), deps);
    expect((await deps.ledger.getApproval(r1.approvalsRequested[0]!))!.causedBy).toBeUndefined();
    await govern(scoped([f]), deps);
    expect((await deps.ledger.getApproval(r1.approvalsRequested[0]!))!.causedBy).toBe(trigger().actor);
    // A later change by someone else is named too; the first author stays.
    const bob = { ...trigger(), eventId: 'evt-bob', actor: 'arn:aws:sts::111122223333:assumed-role/Admin/bob@example.com' };
    await govern(scoped([f], bob), deps);
    expect(await deps.ledger.getApproval(r1.approvalsRequested[0]!)).toMatchObject({ causedBy: trigger().actor, alsoCausedBy: [bob.actor] });
  });

  it("does not name as a cause the author of an unrelated change whose event's run reports the finding again", async () => {
    const executor = new CountingExecutor();
    const { deps } = setup({ executors: [executor] });
    const node: AuditScope = { kind: 'appmesh-resource', mesh: 'prod-mesh', resourceType: 'virtualNode', name: 'payments-api' };
    const router: AuditScope = { kind: 'appmesh-resource', mesh: 'prod-mesh', resourceType: 'virtualRouter', name: 'checkout-web' };
    const carol = { ...trigger(), eventId: 'evt-carol', actor: 'arn:aws:sts::111122223333:assumed-role/Admin/carol@example.com', summary: 'UpdateVirtualRouter checkout-web by carol@example.com' };
    // alice's change to payments-api asks for its fix; carol's later change to a router audits the mesh again, payments-api with it.
    const asked = finding({ remediation: { ...fix, mode: 'approval', reason: 'a client sends plaintext' } });
    const r1 = await govern(scoped([asked], trigger(), node), deps);
    await govern(scoped([asked], carol, router), deps);
    expect(await deps.ledger.getApproval(r1.approvalsRequested[0]!)).toMatchObject({ causedBy: trigger().actor });
    expect((await deps.ledger.getApproval(r1.approvalsRequested[0]!))!.alsoCausedBy).toBeUndefined();
    // A change causes findings elsewhere too: alice's node made STRICT conflicts with checkout-web,
    // whose finding sits on the client. AWS Config recorded it first, naming nobody: alice counts.
    const conflict = finding({ id: 'f-conflict-checkout-web', rule: 'mtls-conflict', resource: { kind: 'VirtualNode', name: 'checkout-web', mesh: 'prod-mesh' }, remediation: { ...fix, mode: 'approval', reason: 'the client sends plaintext' } });
    const config: Trigger = { source: 'aws-config', eventId: 'cfg-2', eventTime: '2026-11-20T15:00:40Z', summary: 'AWS::AppMesh::VirtualNode payments-api changed' };
    const r2 = await govern(scoped([conflict], config, node), deps);
    await govern(scoped([conflict], trigger(), node), deps);
    expect(await deps.ledger.getApproval(r2.approvalsRequested[0]!)).toMatchObject({ causedBy: trigger().actor });
    // Nor on the Undo of a fix carol's run makes on its own of a finding alice's change recorded (a
    // finding first seen in carol's run would name her: her change may well have caused it).
    const ledger = (remediation: Finding['remediation']) => finding({ id: 'f-ledger-8443', resource: { kind: 'VirtualNode', name: 'ledger', mesh: 'prod-mesh', port: 8443 }, remediation });
    await govern(scoped([ledger(null)], trigger(), node), deps);
    const r3 = await govern(scoped([ledger(fix)], carol, router), deps);
    expect(await deps.ledger.getApproval(`undo-${r3.changes[0]!.id}`)).toMatchObject({ causedBy: trigger().actor });
    expect((await deps.ledger.getApproval(`undo-${r3.changes[0]!.id}`))!.alsoCausedBy).toBeUndefined();
  });

  it('resolves by its service an SLO finding of an SLO no longer in the rules (renamed), and not the finding of another SLO there', async () => {
    const policy = shippedPolicy();
    policy.slos = [
      { name: 'payments-api-latency', service: 'payments-api', mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 250, source: { prometheus: {} } },
      { name: 'payments-api-p99-500ms', service: 'payments-api', mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 500, source: { prometheus: {} } },
    ];
    const { deps } = setup({ policy });
    const service = { kind: 'Service', name: 'payments-api', namespace: 'payments' };
    const burnOf = (slo: string): Finding => finding({ id: findingId('slo-latency-burn', 'prometheus', service, sloIndicatorId(slo)), rule: 'slo-latency-burn', severity: 'critical', provider: 'prometheus', resource: service, message: `${slo} burns`, detail: {} });
    const incident: Trigger = { source: 'cloud-monitoring', eventId: '0.nq1d6hfe1l3v:open', eventTime: '2026-11-20T15:10:00Z', summary: 'incident open' };
    const scope: AuditScope = { kind: 'istio-namespace', namespace: 'payments' };
    // payments-latency was renamed payments-api-latency in rules/slos.yaml while it burned.
    await govern({ ...scoped([burnOf('payments-latency'), burnOf('payments-api-p99-500ms')], incident, scope), auditedSlos: ['payments-latency', 'payments-api-p99-500ms'] }, deps);
    const run = await govern({ ...scoped([], { ...incident, eventId: '0.nq1d6hfe1l3v:closed' }, scope, ['prometheus|Service|payments||payments-api']), auditedSlos: ['payments-api-latency'] }, deps);
    expect(run.resolved).toEqual([burnOf('payments-latency').id]);
    expect((await deps.ledger.getFinding(burnOf('payments-api-p99-500ms').id))?.status).toBe('open');

    // A hub whose rules do not hold the run's SLO (the agent's rules differ, or run ahead during a deploy) decides nothing by service.
    const hub = setup({ policy: shippedPolicy() });
    await govern({ ...scoped([burnOf('payments-api-p99-500ms')], incident, scope), auditedSlos: ['payments-api-p99-500ms'] }, hub.deps);
    const other = await govern({ ...scoped([], { ...incident, eventId: '0.p99a1:closed' }, scope, ['prometheus|Service|payments||payments-api']), auditedSlos: ['payments-api-latency'] }, hub.deps);
    expect(other.resolved).toEqual([]);
    // Nor does a run that names no SLO at all.
    const none = await govern({ ...scoped([], { ...incident, eventId: '0.p99a2:closed' }, scope, ['prometheus|Service|payments||payments-api']), auditedSlos: [] }, hub.deps);
    expect(none.resolved).toEqual([]);
  });

  it('posts an approval request again on the next run when Slack was down, and only once', async () => {
    const { deps, notifier, advance } = setup();
    const f = finding({ remediation: { ...fix, mode: 'approval', reason: 'a client sends plaintext' } });
    notifier.down = true;
    const r1 = await govern(scoped([f]), deps);
    const id = r1.approvalsRequested[0];
    expect((await deps.ledger.getApproval(id))?.slack).toBeUndefined();

    notifier.down = false;
    advance(15 * 60_000);
    await govern(scoped([f]), deps);
    await govern(scoped([f]), deps);
    expect(notifier.sent.filter((s) => s.type === 'approval')).toEqual([{ type: 'approval', id, channel: '#mesh-governance' }]);
    expect((await deps.ledger.getApproval(id))?.slack).toMatchObject({ channel: '#mesh-governance' });
  });

  it('does not post an expired approval request again', async () => {
    const { deps, notifier, advance } = setup();
    const f = finding({ remediation: { ...fix, mode: 'approval', reason: 'a client sends plaintext' } });
    notifier.down = true;
    await govern(scoped([f]), deps);
    notifier.down = false;
    advance(25 * 3_600_000);
    await govern(scoped([f]), deps);
    expect(notifier.sent.filter((s) => s.type === 'approval')).toEqual([]);
  });
});

describe('govern: asking again for a fix whose approved attempt failed', () => {
  const HOUR = 3_600_000;
  const TTL = 24 * HOUR;
  const FAILURE = 'UpdateVirtualNode: AccessDeniedException: User is not authorized to perform appmesh:UpdateVirtualNode on prod-mesh/payments-api';
  const asked = finding({ remediation: { action: 'appmesh.listener.set-strict', mode: 'approval', reason: 'a client sends plaintext', change: { operation: 'update-virtual-node' } } });

  /** RecordingNotifier that also keeps the approvals it was asked to post, to draw their Slack message. */
  class RequestKeepingNotifier extends RecordingNotifier {
    readonly requests: ApprovalRecord[] = [];
    override async requestApproval(approval: ApprovalRecord, route: Route) {
      const ref = await super.requestApproval(approval, route);
      this.requests.push(structuredClone(approval));
      return ref;
    }
  }

  /** An executor whose every write App Mesh refuses. */
  const failing: RemediationExecutor = {
    handles: () => true,
    apply: async () => ({ outcome: 'failed', detail: FAILURE, target: { mesh: 'prod-mesh', virtualNodeName: 'payments-api' } }),
    revert: async () => ({ outcome: 'failed', detail: 'not used', target: {} }),
  };

  /** meshgov asks; carol approves; the worker runs it and App Mesh refuses: FAILED. */
  async function failedOnce(over: Partial<GovernDeps> = {}) {
    const notifier = new RequestKeepingNotifier();
    const logs: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const infos: typeof logs = [];
    const world = setup({ notifier, executors: [failing], log: (message, fields) => logs.push({ message, fields }), logInfo: (message, fields) => infos.push({ message, fields }), ...over });
    const run = await govern(scoped([asked]), world.deps);
    const id = run.approvalsRequested[0];
    world.advance(10 * 60_000);
    await world.deps.ledger.transitionApproval(id, ['PENDING'], 'APPROVED', { decidedBy: 'U05JX7RB2LM', decidedAt: world.deps.clock().toISOString() });
    const executed = await executeApproval(id, world.deps);
    expect(executed).toMatchObject({ status: 'finished', state: 'FAILED', detail: expect.stringContaining('AccessDeniedException') });
    const failed = (await world.deps.ledger.getApproval(id))!;
    expect(failed).toMatchObject({ state: 'FAILED', failedAt: world.deps.clock().toISOString() });
    return { ...world, notifier, logs, infos, id, failed };
  }

  const approvalPosts = (notifier: RecordingNotifier) => notifier.sent.filter((s) => s.type === 'approval');

  it('does not ask again while the fix failed less than one approval TTL ago, and logs when it will', async () => {
    const { deps, notifier, logs, infos, advance, id, failed } = await failedOnce();
    for (const wait of [0, HOUR, TTL - 2 * HOUR]) {
      advance(wait);
      expect((await govern(scoped([asked]), deps)).approvalsRequested).toEqual([]);
    }
    expect(await deps.ledger.getApproval(id)).toEqual(failed);
    expect(approvalPosts(notifier)).toHaveLength(1);
    // At info level: nothing is wrong, and nobody is asked.
    expect(logs.filter((l) => l.message.includes('will be asked again'))).toEqual([]);
    const waiting = infos.filter((l) => l.message.includes('will be asked again'));
    expect(waiting).toHaveLength(3);
    expect(waiting[0].message).toBe(`approved fix failed less than one approval TTL ago; it will be asked again at ${new Date(Date.parse(failed.failedAt!) + TTL).toISOString()}`);
    expect(waiting[0].fields).toEqual({ approvalId: id, findingId: asked.id, failedAt: failed.failedAt, askAgainAt: new Date(Date.parse(failed.failedAt!) + TTL).toISOString() });
  });

  it('asks again once, one approval TTL after the failure: PENDING, failedRequests 1, a new Slack request that says why the last attempt failed', async () => {
    const { deps, notifier, advance, id, failed } = await failedOnce();
    advance(TTL);
    const run = await govern(scoped([asked]), deps);
    expect(run.approvalsRequested).toEqual([id]);

    const renewed = (await deps.ledger.getApproval(id))!;
    expect(renewed).toMatchObject({ state: 'PENDING', failedRequests: 1, previousFailure: `failed: ${FAILURE} (change chg-1)`, causedBy: failed.causedBy, requestedAt: deps.clock().toISOString() });
    expect(renewed.causedBy).toContain('alice@example.com');
    for (const field of ['outcome', 'decidedBy', 'decidedAt', 'failedAt', 'expiredRequests', 'expiryShown'] as const) expect(renewed[field]).toBeUndefined();
    expect(Date.parse(renewed.approvalExpiresAt)).toBe(Date.parse(renewed.requestedAt) + TTL);
    expect(renewed.slack).toBeDefined();
    expect(renewed.slack!.ts).not.toBe(failed.slack!.ts);

    // Posted through the notifier, and its message says why the last attempt failed.
    expect(approvalPosts(notifier)).toEqual([
      { type: 'approval', id, channel: '#mesh-governance' },
      { type: 'approval', id, channel: '#mesh-governance' },
    ]);
    const message = approvalRequestMessage(notifier.requests.at(-1)!);
    expect(blockOf(message, 'meshgov_finding').text.text).toContain(`*The last approved attempt failed:* failed: ${FAILURE} (change chg-1). Asked again.`);
    expect(blockOf(message, 'meshgov_meta').elements[0].text).toContain('asked again: an earlier approved attempt failed');
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(true);

    // Nothing more while the new request is open, nor a TTL later (it expires instead).
    expect((await govern(scoped([asked]), deps)).approvalsRequested).toEqual([]);
    expect(approvalPosts(notifier)).toHaveLength(2);
  });

  it('a fix that fails again is asked again a TTL after its newest failure, counting both failures', async () => {
    const { deps, notifier, advance, id } = await failedOnce();
    advance(TTL);
    await govern(scoped([asked]), deps);
    advance(HOUR);
    await deps.ledger.transitionApproval(id, ['PENDING'], 'APPROVED', { decidedBy: 'U05JX7RB2LM', decidedAt: deps.clock().toISOString() });
    expect(await executeApproval(id, deps)).toMatchObject({ state: 'FAILED' });
    const second = (await deps.ledger.getApproval(id))!;
    expect(second).toMatchObject({ state: 'FAILED', failedRequests: 1, failedAt: deps.clock().toISOString() });

    advance(TTL - 1);
    expect((await govern(scoped([asked]), deps)).approvalsRequested).toEqual([]);
    advance(1);
    expect((await govern(scoped([asked]), deps)).approvalsRequested).toEqual([id]);
    expect(await deps.ledger.getApproval(id)).toMatchObject({ state: 'PENDING', failedRequests: 2 });
    expect(approvalPosts(notifier)).toHaveLength(3);
    expect(approvalMetaOf(notifier.requests.at(-1)!)).toContain('asked again: 2 earlier approved attempts failed');
  });

  it('two runs at the same time ask again once', async () => {
    const { deps, notifier, advance, id } = await failedOnce();
    advance(TTL + HOUR);
    const runs = await Promise.all([govern(scoped([asked]), deps), govern(scoped([asked]), deps), govern(scoped([asked]), deps)]);
    expect(runs.flatMap((r) => r.approvalsRequested)).toEqual([id]);
    expect(await deps.ledger.getApproval(id)).toMatchObject({ state: 'PENDING', failedRequests: 1 });
    expect(approvalPosts(notifier)).toHaveLength(2);
  });

  it('a run that read the failure before another run asked again, and the fix failed again since, does not ask right after the newer failure', async () => {
    const { deps, notifier, advance, id, failed } = await failedOnce();
    advance(TTL);
    // Another run asks again, the fix is approved and fails once more.
    await govern(scoped([asked]), deps);
    await deps.ledger.transitionApproval(id, ['PENDING'], 'APPROVED', { decidedBy: 'U05JX7RB2LM' });
    await executeApproval(id, deps);
    const newer = (await deps.ledger.getApproval(id))!;
    expect(newer).toMatchObject({ state: 'FAILED', failedRequests: 1 });
    // A slow run still holds the first failure it read: its conditional write finds a newer record.
    const ledger = Object.create(deps.ledger) as typeof deps.ledger;
    ledger.getApproval = async (approvalId) => (approvalId === id ? structuredClone(failed) : deps.ledger.getApproval(approvalId));
    expect((await govern(scoped([asked]), { ...deps, ledger })).approvalsRequested).toEqual([]);
    expect(await deps.ledger.getApproval(id)).toEqual(newer);
    expect(approvalPosts(notifier)).toHaveLength(2);
  });

  it('a fix that failed before failedAt was recorded is counted from its deadline', async () => {
    const { deps, advance, id, failed } = await failedOnce();
    // As stored by a worker before this version: no failedAt.
    const legacy = new MemoryLedger(deps.clock);
    await legacy.createApproval({ ...failed, failedAt: undefined });
    await legacy.createFinding((await deps.ledger.getFinding(asked.id))!);
    const legacyDeps = { ...deps, ledger: legacy };
    advance(Date.parse(failed.approvalExpiresAt) + TTL - 1 - deps.clock().getTime());
    expect((await govern(scoped([asked]), legacyDeps)).approvalsRequested).toEqual([]);
    advance(1);
    expect((await govern(scoped([asked]), legacyDeps)).approvalsRequested).toEqual([id]);
  });

  it('a rejection stands: a REJECTED fix is never asked again', async () => {
    const notifier = new RequestKeepingNotifier();
    const { deps, advance } = setup({ notifier, executors: [failing] });
    const id = (await govern(scoped([asked]), deps)).approvalsRequested[0];
    await deps.ledger.transitionApproval(id, ['PENDING'], 'REJECTED', { decidedBy: 'U05JX7RB2LM', decidedAt: deps.clock().toISOString() });
    for (let day = 1; day <= 5; day++) {
      advance(TTL);
      expect((await govern(scoped([asked]), deps)).approvalsRequested).toEqual([]);
    }
    expect(await deps.ledger.getApproval(id)).toMatchObject({ state: 'REJECTED', version: 2 });
    expect(approvalPosts(notifier)).toHaveLength(1);
  });

  const blockOf = (message: { blocks: unknown[] }, id: string): any => message.blocks.find((b) => (b as { block_id?: string }).block_id === id);
  const approvalMetaOf = (approval: ApprovalRecord): string => blockOf(approvalRequestMessage(approval), 'meshgov_meta').elements[0].text;
});

describe('govern: reports that arrive out of order', () => {
  // What decides is when each audit read the fleet (report.generatedAt), not the trigger's
  // eventTime nor the hub's clock when it governs (lastSeen), which the reports below all share.
  const readAt = (report: ScopedReport, at: string): ScopedReport => ({ ...report, report: { ...report.report, generatedAt: at } });
  const at = (iso: string, findings: Finding[], scope: AuditScope = scopeAll, audited: string[] = []) => readAt(scoped(findings, trigger('cloudtrail', iso), scope, audited), iso);

  it('an audit that read the fleet before the last one that saw a finding does not resolve it, nor tell its team it is fixed', async () => {
    const infos: Array<[string, Record<string, unknown> | undefined]> = [];
    const { deps, notifier } = setup({ logInfo: (message, fields) => void infos.push([message, fields]) });
    await govern(at('2026-11-20T15:00:49.000Z', [finding()]), deps);
    await govern(at('2026-11-20T15:05:00.000Z', [finding()]), deps);
    // The 15:02 audit's report arrives last (a retry, a redelivery, a slower instance).
    const late = await govern(at('2026-11-20T15:02:00.000Z', []), deps);
    expect(late.resolved).toEqual([]);
    expect(late.outdated).toEqual(['f-payments-api-8080']);
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ status: 'open', auditReadAt: '2026-11-20T15:05:00.000Z' });
    expect(notifier.sent.filter((s) => s.kind === 'resolved')).toEqual([]);
    expect(infos).toEqual([[expect.stringContaining('before a later audit'), expect.objectContaining({ readAt: '2026-11-20T15:02:00.000Z', outdated: 1, findingIds: ['f-payments-api-8080'] })]]);
    // A later audit that no longer sees it still resolves it.
    expect((await govern(at('2026-11-20T15:10:00.000Z', []), deps)).resolved).toEqual(['f-payments-api-8080']);
  });

  it('a long read is dated by its start: a sweep that read payments before a person fixed it does not outrank the short audit that read it after', async () => {
    const { deps, notifier } = setup();
    await govern(at('2026-11-20T15:00:00.000Z', [finding()]), deps);
    // The sweep began reading at 15:00:10 (payments among the first) and ended at 15:01:40; the fix landed at 15:00:20.
    const sweep = { ...at('2026-11-20T15:01:40.000Z', [finding()]), readStartedAt: '2026-11-20T15:00:10.000Z' };
    // The config-change audit read payments from 15:00:30 to 15:00:31; its report, retried, is governed last.
    const change = { ...at('2026-11-20T15:00:31.000Z', []), readStartedAt: '2026-11-20T15:00:30.000Z' };
    await govern(sweep, deps);
    const late = await govern(change, deps);
    expect(late).toMatchObject({ resolved: ['f-payments-api-8080'], outdated: [] });
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ status: 'resolved', auditReadAt: '2026-11-20T15:00:30.000Z' });
    expect(notifier.sent.filter((m) => m.kind === 'resolved').map((m) => m.id)).toEqual(['f-payments-api-8080']);
    // And the sweep's older sighting, governed again (a redelivery), does not reopen it.
    expect(await govern(sweep, deps)).toMatchObject({ observed: 0, outdated: ['f-payments-api-8080'] });
  });

  it("the same for the hub's scoped audit of one App Mesh resource (events processed out of order)", async () => {
    const { deps } = setup();
    const node: AuditScope = { kind: 'appmesh-resource', mesh: 'prod-mesh', resourceType: 'virtualNode', name: 'payments-api' };
    const audited = ['appmesh|VirtualNode||prod-mesh|payments-api'];
    await govern(at('2026-11-20T15:00:52.000Z', [finding()], node, audited), deps);
    const late = await govern(at('2026-11-20T15:00:31.000Z', [], node, audited), deps);
    expect(late).toMatchObject({ resolved: [], outdated: ['f-payments-api-8080'] });
    expect((await deps.ledger.getFinding('f-payments-api-8080'))?.status).toBe('open');
  });

  it('an audit that read the fleet before the one that found a finding fixed neither reopens it nor asks to fix it', async () => {
    const { deps, notifier } = setup();
    await govern(at('2026-11-20T15:00:49.000Z', [finding()]), deps);
    expect((await govern(at('2026-11-20T15:05:00.000Z', []), deps)).resolved).toEqual(['f-payments-api-8080']);
    const fix = { action: 'appmesh.listener.set-strict', mode: 'approval' as const, reason: 'every client of listener 8080 sends mTLS', change: { virtualNodeName: 'payments-api', expectedVersion: 3 } };
    const late = await govern(at('2026-11-20T15:02:00.000Z', [finding({ remediation: fix })]), deps);
    expect(late).toMatchObject({ observed: 0, outdated: ['f-payments-api-8080'], approvalsRequested: [], notified: [] });
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ status: 'resolved', auditReadAt: '2026-11-20T15:05:00.000Z' });
    expect(notifier.sent.map((s) => [s.type, s.kind])).toEqual([
      ['finding', 'new'],
      ['finding', 'resolved'],
    ]);
  });

  it('keeps what the newer audit saw of an open finding, and still records a finding no audit has decided yet', async () => {
    const { deps, notifier } = setup();
    await govern(at('2026-11-20T15:05:00.000Z', [finding({ severity: 'critical', detail: { mode: 'DISABLED' } })]), deps);
    const ledgerNode = finding({ id: 'f-ledger', resource: { kind: 'VirtualNode', name: 'ledger', mesh: 'prod-mesh', port: 8443 } });
    const late = await govern(at('2026-11-20T15:02:00.000Z', [finding(), ledgerNode]), deps);
    expect(late).toMatchObject({ observed: 1, outdated: ['f-payments-api-8080'] });
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ status: 'open', finding: { severity: 'critical', detail: { mode: 'DISABLED' } }, auditReadAt: '2026-11-20T15:05:00.000Z' });
    expect(await deps.ledger.getFinding('f-ledger')).toMatchObject({ status: 'open', auditReadAt: '2026-11-20T15:02:00.000Z' });
    expect(notifier.sent.map((s) => [s.id, s.kind])).toEqual([
      ['f-payments-api-8080', 'new'],
      ['f-ledger', 'new'],
    ]);
  });

  it('a record written before auditReadAt was kept is resolved as before (no order is known), and ordered from then on', async () => {
    const { deps } = setup();
    // As the code before it wrote it: lastSeen is the hub's clock when it governed, later than the next audit's read.
    await deps.ledger.createFinding({
      id: 'f-payments-api-8080',
      status: 'open',
      finding: finding(),
      firstSeen: '2026-11-20T15:00:58.000Z',
      lastSeen: '2026-11-20T15:03:10.000Z',
      trigger: trigger(),
      notificationPending: false,
      version: 4,
      expiresAt: Math.floor(Date.parse('2026-11-20T15:03:10Z') / 1000) + 90 * 86_400,
    });
    const r = await govern(at('2026-11-20T15:03:00.000Z', []), deps);
    expect(r.resolved).toEqual(['f-payments-api-8080']);
    await govern(at('2026-11-20T15:02:30.000Z', [finding()]), deps);
    expect((await deps.ledger.getFinding('f-payments-api-8080'))?.status).toBe('resolved');
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ auditReadAt: '2026-11-20T15:03:00.000Z' });
  });

  /** `ledger`, except that its first write of finding `id` lets `first` run before it: another run wins the race for that record. */
  function losingFirstWrite(ledger: Ledger, id: string, first: () => Promise<unknown>): Ledger {
    let raced = false;
    return new Proxy(ledger, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        if (prop !== 'updateFinding') return value.bind(target);
        return async (next: FindingRecord) => {
          if (!raced && next.id === id) {
            raced = true;
            await first();
          }
          return value.call(target, next);
        };
      },
    });
  }

  it('a newer sighting that loses its write to a late report resolving the finding is written again: the finding is reopened', async () => {
    const { deps, notifier } = setup();
    await govern(at('2026-11-20T15:00:49.000Z', [finding()]), deps);
    // The 15:05 report and the late 15:02 one are governed at the same moment; the 15:02 one writes first.
    const late = () => govern(at('2026-11-20T15:02:00.000Z', []), deps);
    const r = await govern(at('2026-11-20T15:05:00.000Z', [finding()]), { ...deps, ledger: losingFirstWrite(deps.ledger, 'f-payments-api-8080', late) });
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ status: 'open', auditReadAt: '2026-11-20T15:05:00.000Z' });
    expect(r.notified).toEqual([{ id: 'f-payments-api-8080', kind: 'new' }]);
    expect(notifier.sent.map((s) => s.kind)).toEqual(['new', 'resolved', 'new']);
  });

  it('a resolution that loses its write to a late report seeing the finding is made again', async () => {
    const { deps } = setup();
    await govern(at('2026-11-20T15:00:49.000Z', [finding()]), deps);
    const late = () => govern(at('2026-11-20T15:02:00.000Z', [finding()]), deps);
    const r = await govern(at('2026-11-20T15:05:00.000Z', []), { ...deps, ledger: losingFirstWrite(deps.ledger, 'f-payments-api-8080', late) });
    expect(r.resolved).toEqual(['f-payments-api-8080']);
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ status: 'resolved', auditReadAt: '2026-11-20T15:05:00.000Z' });
  });

  it('of two runs that saw the same escalation, the one that loses the race does not notify it again', async () => {
    const { deps, notifier } = setup();
    await govern(at('2026-11-20T15:00:49.000Z', [finding()]), deps);
    const critical = finding({ severity: 'critical' });
    const twin = () => govern(at('2026-11-20T15:05:00.000Z', [critical]), deps);
    const r = await govern(at('2026-11-20T15:05:00.000Z', [critical]), { ...deps, ledger: losingFirstWrite(deps.ledger, 'f-payments-api-8080', twin) });
    expect(r.notified).toEqual([]);
    expect(notifier.sent.map((s) => s.kind)).toEqual(['new', 'escalated']);
  });

  it('a report whose read time cannot be read is governed as before, and leaves the known time as it was', async () => {
    const { deps } = setup();
    await govern(at('2026-11-20T15:05:00.000Z', [finding()]), deps);
    const r = await govern(readAt(scoped([]), 'not a time'), deps);
    expect(r.resolved).toEqual(['f-payments-api-8080']);
    expect(await deps.ledger.getFinding('f-payments-api-8080')).toMatchObject({ status: 'resolved', auditReadAt: '2026-11-20T15:05:00.000Z' });
  });
});
