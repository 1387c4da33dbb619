import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import { parseSlos } from '../../../functions/core/slo/parse-slos';
import type { Finding } from '../../../functions/core/findings';
import type { ScopedReport } from '../../../functions/core/pipeline/audit-scope';
import { buildReport } from '../../../functions/core/report/report';
import { blameSloBurns, rollbackOf } from '../../../functions/core/slo/rollback';
import { shippedPolicy } from '../../support/model';
import { findSuspect, sloServiceKeys, touchedServices } from '../../../functions/core/slo/suspects';
import { findingId } from '../../../functions/core/rules/finding-id';
import { sloIndicatorId } from '../../../functions/core/slo/indicator';

const NOW = new Date('2026-11-20T15:12:00Z');
const MINUTE = 60_000;

function change(id: string, minutesAgo: number, service: string, edit: Partial<ChangeRecord> = {}): ChangeRecord {
  const at = new Date(NOW.getTime() - minutesAgo * MINUTE).toISOString();
  return {
    id,
    provider: 'appmesh',
    action: 'appmesh.listener.set-strict',
    target: { kind: 'VirtualNode', mesh: 'prod-mesh', name: service.split('/')[1] },
    before: {},
    after: {},
    reason: 'listener 8080 accepts plaintext',
    trigger: { source: 'schedule', eventId: `evt-${id}`, eventTime: at, summary: 'scheduled audit' },
    at,
    outcome: 'verified',
    service,
    expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400,
    ...edit,
  };
}

async function ledgerWith(...changes: ChangeRecord[]): Promise<MemoryLedger> {
  const ledger = new MemoryLedger(() => NOW);
  for (const c of changes) await ledger.recordChange(c);
  return ledger;
}

const window = { since: new Date(NOW.getTime() - 60 * MINUTE), until: NOW };
const PAYMENTS = 'appmesh:prod-mesh/payments-api';
const LEDGER_DB = 'appmesh:prod-mesh/ledger-db';

describe('findSuspect', () => {
  it('prefers the most recent change to the service itself over a later one to a dependency', async () => {
    const ledger = await ledgerWith(change('chg-own-old', 50, PAYMENTS), change('chg-own-new', 30, PAYMENTS), change('chg-dep', 5, LEDGER_DB));
    const suspect = await findSuspect(ledger, { service: [PAYMENTS], dependencies: [LEDGER_DB], ...window });
    expect(suspect).toMatchObject({ relation: 'service', change: { id: 'chg-own-new' }, byMeshgov: false });
  });

  it('falls back to the most recent change to a dependency', async () => {
    const ledger = await ledgerWith(change('chg-dep-old', 40, LEDGER_DB), change('chg-dep-new', 10, LEDGER_DB), change('chg-other', 3, 'appmesh:prod-mesh/catalog-api'));
    expect(await findSuspect(ledger, { service: [PAYMENTS], dependencies: [LEDGER_DB], ...window })).toMatchObject({ relation: 'dependency', change: { id: 'chg-dep-new' } });
  });

  it('skips changes outside the window, after the alarm, that did not take effect, and undos', async () => {
    const ledger = await ledgerWith(
      change('chg-too-old', 90, PAYMENTS),
      change('chg-after', -2, PAYMENTS),
      change('chg-aborted', 20, PAYMENTS, { outcome: 'aborted' }),
      change('chg-rolled-back', 15, PAYMENTS, { outcome: 'rolled-back' }),
      change('chg-undo', 10, PAYMENTS, { action: 'appmesh.listener.set-strict.undo' }),
    );
    expect(await findSuspect(ledger, { service: [PAYMENTS], ...window })).toBeUndefined();
  });

  it("says who made it: an approver, or meshgov on its own", async () => {
    const approved = await ledgerWith(change('chg-approved', 10, PAYMENTS, { approvedBy: 'U07DAVE0001', findingId: 'f-1' }));
    expect(await findSuspect(approved, { service: [PAYMENTS], ...window })).toMatchObject({ who: 'approved by U07DAVE0001', byMeshgov: false });
    const automatic = await ledgerWith(change('chg-auto', 10, PAYMENTS, { findingId: 'f-2' }));
    expect(await findSuspect(automatic, { service: [PAYMENTS], ...window })).toMatchObject({ who: 'meshgov (automatic remediation)', byMeshgov: true });
  });

  it('names an SLO service the way change records do', () => {
    const [appmesh, istio] = parseSlos([
      { name: 'payments-api-latency', service: 'payments-api', mesh: 'appmesh', meshName: 'prod-mesh', virtualNode: 'payments-api-v2', objective: 99, thresholdMs: 250, source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus' } } },
      { name: 'reviews-latency', service: 'reviews', mesh: 'istio', namespace: 'bookinfo', objective: 99, thresholdMs: 250, source: { prometheus: {} } },
    ]);
    expect(sloServiceKeys(appmesh)).toEqual(['appmesh:prod-mesh/payments-api-v2', 'appmesh:prod-mesh/payments-api']);
    expect(sloServiceKeys(istio)).toEqual(['istio:bookinfo/reviews']);
  });
});

describe('observed changes in the suspect search', () => {
  const ALICE = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com';
  /** alice's route change as the hub records it: the router is its service, the targets and the virtual service are touched too. */
  function routeChange(id: string, minutesAgo: number, edit: Partial<ChangeRecord> = {}): ChangeRecord {
    return change(id, minutesAgo, 'appmesh:prod-mesh/payments-router', {
      action: 'appmesh.route.update',
      target: {
        kind: 'Route',
        mesh: 'prod-mesh',
        parentName: 'payments-router',
        name: 'payments-canary',
        version: 2,
        services: ['appmesh:prod-mesh/payments-router', 'appmesh:prod-mesh/payments.payments.svc.cluster.local', 'appmesh:prod-mesh/payments-api', 'appmesh:prod-mesh/payments-api-v2'],
      },
      before: { httpRoute: { action: { weightedTargets: [{ virtualNode: 'payments-api', weight: 90 }, { virtualNode: 'payments-api-v2', weight: 10 }] } } },
      after: { httpRoute: { action: { weightedTargets: [{ virtualNode: 'payments-api', weight: 10 }, { virtualNode: 'payments-api-v2', weight: 90 }] } } },
      trigger: { source: 'cloudtrail', eventId: `evt-${id}`, eventTime: NOW.toISOString(), actor: ALICE, summary: 'UpdateRoute payments-router/payments-canary in mesh prod-mesh by alice@example.com' },
      ...edit,
    });
  }

  it('matches a change on any service it touched, and names the person behind it', async () => {
    const ledger = await ledgerWith(routeChange('chg-route', 20));
    expect(await findSuspect(ledger, { service: ['appmesh:prod-mesh/payments-api-v2'], ...window })).toMatchObject({ relation: 'service', change: { id: 'chg-route' }, who: 'alice@example.com', byMeshgov: false });
    expect(await findSuspect(ledger, { service: ['appmesh:prod-mesh/checkout-api'], dependencies: ['appmesh:prod-mesh/payments.payments.svc.cluster.local'], ...window })).toMatchObject({ relation: 'dependency', change: { id: 'chg-route' } });
    expect(await findSuspect(ledger, { service: ['appmesh:prod-mesh/orders-api'], dependencies: ['appmesh:prod-mesh/ledger-db'], ...window })).toBeUndefined();
  });

  it('lists the touched services once, ignoring what is not a key', () => {
    const c = routeChange('chg-route', 20);
    c.target.services = ['appmesh:prod-mesh/payments-router', 'appmesh:prod-mesh/payments-api-v2', 42, ''];
    expect(touchedServices(c)).toEqual(['appmesh:prod-mesh/payments-router', 'appmesh:prod-mesh/payments-api-v2']);
  });

  it('offers the rollback for approval when the previous spec is on record, and manually, saying why, otherwise', async () => {
    const known = (await findSuspect(await ledgerWith(routeChange('chg-known', 20)), { service: ['appmesh:prod-mesh/payments-api-v2'], ...window }))!;
    expect(rollbackOf(known)).toEqual({ action: 'appmesh.route.update.undo', mode: 'approval', reason: expect.stringContaining('roll back change chg-known'), change: { changeId: 'chg-known' } });

    const unknown = (await findSuspect(await ledgerWith(routeChange('chg-unknown', 20, { before: undefined, detail: 'previous spec unknown: meshgov held no copy of it' })), { service: ['appmesh:prod-mesh/payments-api-v2'], ...window }))!;
    const manual = rollbackOf(unknown);
    expect(manual).toMatchObject({ mode: 'manual', change: { changeId: 'chg-unknown' } });
    expect(manual.reason).toContain('the configuration before it is unknown (previous spec unknown: meshgov held no copy of it)');

    const created = (await findSuspect(await ledgerWith(routeChange('chg-created', 20, { action: 'appmesh.route.create', before: null })), { service: ['appmesh:prod-mesh/payments-api-v2'], ...window }))!;
    expect(rollbackOf(created)).toMatchObject({ mode: 'manual', reason: expect.stringContaining('created a resource') });
  });
});

/** The App Mesh SLO of payments-api, with autoRollbackOwnChanges on. */
const [BURNING_SLO] = parseSlos([
  { name: 'payments-api-latency', service: 'payments-api', mesh: 'appmesh', meshName: 'prod-mesh', objective: 99, thresholdMs: 250, autoRollbackOwnChanges: true, source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus' } } },
]);

/** A page at 15:12: 40× over 5m, 17.3× over 1h, so the burn began about 26 minutes earlier. */
function burnReport(): ScopedReport {
  const resource = { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' };
  const finding: Finding = {
    // The id the rule gives it: made with the SLO's name, which is how a finding is matched to its SLO.
    id: findingId('slo-latency-burn', 'cloudwatch', resource, sloIndicatorId('payments-api-latency')),
    rule: 'slo-latency-burn',
    severity: 'critical',
    provider: 'cloudwatch',
    resource,
    message: 'payments-api-latency burns its error budget at 40× (5m) and 17× (1h).',
    detail: { windows: [{ long: '1h', short: '5m', burnLong: 40 * (26 / 60), burnShort: 40, factor: 14.4, severity: 'critical', kind: 'page' }] },
    remediation: null,
  };
  const trigger = { source: 'cloudwatch-alarm' as const, eventId: 'evt-alarm', eventTime: NOW.toISOString(), summary: 'meshgov-slo-payments-api-latency-page-1h-5m ALARM' };
  return { trigger, scope: { kind: 'all', providers: ['appmesh'] }, report: buildReport([finding], 1, NOW), auditedResources: [] };
}

describe('the burn onset in the suspect search', () => {
  const slo = BURNING_SLO!;
  const deps = (ledger: MemoryLedger) => ({ ledger, policy: shippedPolicy(), clock: () => NOW });

  it("blames the change that preceded the burn, not meshgov's own fix a minute before the alarm", async () => {
    const ledger = await ledgerWith(change('chg-person', 30, PAYMENTS, { approvalId: undefined, trigger: { source: 'cloudtrail', eventId: 'evt-p', eventTime: NOW.toISOString(), actor: 'erin@example.com', summary: 'UpdateVirtualNode payments-api' } }), change('chg-meshgov-fix', 1, PAYMENTS, { findingId: 'f-payments-api-8080' }));
    const { scoped } = await blameSloBurns(burnReport(), [slo], deps(ledger));
    const finding = scoped.report.findings[0]!;
    expect(finding.detail.suspect).toMatchObject({ changeId: 'chg-person' });
    expect(finding.detail.burnOnset).toEqual({ at: '2026-11-20T14:46:00.000Z', basis: '1h burn 17× ÷ 5m burn 40× = 43 % of 1h' });
    expect(finding.message).toContain('The burn most likely began about 2026-11-20T14:46:00.000Z');
    expect(finding.message).not.toContain('may not be the cause');
  });

  it('names a change made after the onset only when there is no other, says so, and does not roll it back on its own', async () => {
    const ledger = await ledgerWith(change('chg-meshgov-fix', 1, PAYMENTS, { findingId: 'f-payments-api-8080' }));
    const { scoped, proposals } = await blameSloBurns(burnReport(), [slo], deps(ledger));
    const finding = scoped.report.findings[0]!;
    expect(finding.detail.suspect).toMatchObject({ changeId: 'chg-meshgov-fix', byMeshgov: true, afterOnset: true });
    expect(finding.message).toContain('it came after the burn began, so it may not be the cause');
    expect(finding.remediation).toMatchObject({ mode: 'approval', reason: expect.stringContaining('though it came after the burn began') });
    // autoRollbackOwnChanges is on, but a change after the onset waits for a person.
    expect(proposals).toEqual([expect.objectContaining({ automatic: false })]);
    expect((await ledger.getApproval(proposals[0]!.approval.id))?.state).toBe('PENDING');
  });
});

describe("the rule's remediation mode caps the rollback", () => {
  const slo = BURNING_SLO!;
  /** meshgov's own set-strict of payments-api, 30 minutes before the alarm (before the onset), with the spec to restore. */
  const ownChange = () => ledgerWith(change('chg-meshgov', 30, PAYMENTS, { findingId: 'f-payments-api-8080' }));
  function depsWith(ledger: MemoryLedger, remediation: 'auto' | 'approval' | 'manual') {
    const policy = shippedPolicy();
    policy.rules['slo-latency-burn'].remediation = remediation;
    return { ledger, policy, clock: () => NOW };
  }

  it('manual: the finding names the suspected change and its Undo, but no approval is offered and nothing runs, autoRollbackOwnChanges or not', async () => {
    const ledger = await ownChange();
    const { scoped, proposals } = await blameSloBurns(burnReport(), [slo], depsWith(ledger, 'manual'));
    const finding = scoped.report.findings[0]!;
    expect(finding.detail.suspect).toMatchObject({ changeId: 'chg-meshgov', byMeshgov: true });
    expect(finding.message).toContain('chg-meshgov');
    expect(finding.remediation).toEqual({
      action: 'appmesh.listener.set-strict.undo',
      mode: 'manual',
      reason: expect.stringContaining('rule slo-latency-burn allows only manual remediation'),
      change: { changeId: 'chg-meshgov' },
    });
    expect(finding.remediation!.reason).toContain('change chg-meshgov (appmesh.listener.set-strict at');
    expect(proposals).toEqual([]);
    expect(await ledger.findOpenApproval(finding.id)).toBeUndefined();
  });

  it('approval: the rollback waits for a person even with autoRollbackOwnChanges, and says why', async () => {
    const ledger = await ownChange();
    const { scoped, proposals } = await blameSloBurns(burnReport(), [slo], depsWith(ledger, 'approval'));
    const finding = scoped.report.findings[0]!;
    expect(finding.remediation).toMatchObject({ action: 'appmesh.listener.set-strict.undo', mode: 'approval', change: { changeId: 'chg-meshgov' } });
    expect(finding.remediation!.reason).toContain('autoRollbackOwnChanges is set on SLO payments-api-latency, but rule slo-latency-burn allows at most approval remediation');
    expect(proposals).toEqual([expect.objectContaining({ automatic: false })]);
    expect(proposals[0]!.approval).toMatchObject({ state: 'PENDING', undoOf: 'chg-meshgov' });
  });

  it("auto: meshgov's own change is approved by meshgov at once, as before", async () => {
    const ledger = await ownChange();
    const { scoped, proposals } = await blameSloBurns(burnReport(), [slo], depsWith(ledger, 'auto'));
    expect(scoped.report.findings[0]!.remediation).toMatchObject({ mode: 'approval', reason: expect.not.stringContaining('autoRollbackOwnChanges') });
    expect(proposals).toEqual([expect.objectContaining({ automatic: true })]);
    expect(proposals[0]!.approval).toMatchObject({ state: 'APPROVED', decidedBy: 'meshgov', undoOf: 'chg-meshgov', remediation: { action: 'appmesh.listener.set-strict.undo' } });
  });
});

describe('a change that failed after writing', () => {
  const slo = BURNING_SLO!;
  const deps = (ledger: MemoryLedger) => ({ ledger, policy: shippedPolicy(), clock: () => NOW });
  /** meshgov's set-strict whose PUT landed but whose read-back failed: App Mesh answered, then throttled the Describe. */
  const landedButFailed = (edit: Partial<ChangeRecord> = {}) =>
    change('chg-landed', 30, PAYMENTS, {
      findingId: 'f-payments-api-8080',
      outcome: 'failed',
      wrote: true,
      detail: 'updated, but the re-read failed: ThrottlingException: Rate exceeded',
      before: { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE' } }] },
      after: { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT' } }] },
      afterWritten: true,
      ...edit,
    });

  it('is a suspect, marked uncertain; one that failed before writing is not', async () => {
    const suspect = await findSuspect(await ledgerWith(landedButFailed()), { service: [PAYMENTS], ...window });
    expect(suspect).toMatchObject({ change: { id: 'chg-landed' }, uncertain: true, byMeshgov: true });
    expect(suspect!.what).toContain('it failed after writing, so it may be in effect: updated, but the re-read failed');
    // A record from before `wrote` that failed may have landed too.
    const older = landedButFailed();
    delete older.wrote;
    expect(await findSuspect(await ledgerWith(older), { service: [PAYMENTS], ...window })).toMatchObject({ uncertain: true });
    expect(await findSuspect(await ledgerWith(landedButFailed({ wrote: false, detail: 'AccessDeniedException' })), { service: [PAYMENTS], ...window })).toBeUndefined();
  });

  it('is offered for approval, never rolled back on its own, even with autoRollbackOwnChanges', async () => {
    const ledger = await ledgerWith(landedButFailed());
    const { scoped, proposals } = await blameSloBurns(burnReport(), [slo], deps(ledger));
    const finding = scoped.report.findings[0]!;
    expect(finding.detail.suspect).toMatchObject({ changeId: 'chg-landed', uncertain: true });
    expect(finding.message).toContain('it failed after writing, so it may or may not be in effect (updated, but the re-read failed');
    expect(finding.remediation).toMatchObject({ mode: 'approval', change: { changeId: 'chg-landed' }, reason: expect.stringContaining('failed after writing, so what it left in place is unknown and a person decides') });
    expect(proposals).toEqual([expect.objectContaining({ automatic: false })]);
    expect((await ledger.getApproval(proposals[0]!.approval.id))?.state).toBe('PENDING');
  });

  it('is rolled back only by hand when its record holds nothing from after it, or an after its executor does not vouch it wrote', async () => {
    const suspect = (await findSuspect(await ledgerWith(landedButFailed({ after: undefined, detail: 'patched, but the re-read failed: 503 Service Unavailable' })), { service: [PAYMENTS], ...window }))!;
    expect(rollbackOf(suspect)).toMatchObject({ mode: 'manual', reason: expect.stringContaining('its record does not hold what it wrote (nothing from after it, or an object read back)') });
    // A record from an executor or agent older than the mark: its after may be a re-read of someone else's edit.
    const unmarked = (await findSuspect(await ledgerWith(landedButFailed({ afterWritten: undefined })), { service: [PAYMENTS], ...window }))!;
    expect(rollbackOf(unmarked)).toMatchObject({ mode: 'manual', reason: expect.stringContaining('its record does not hold what it wrote') });
  });
});

describe('a late burn report', () => {
  const slo = BURNING_SLO!;

  it('blames and rolls back nothing when a run that measured after it already decided the burn (found it over)', async () => {
    const ledger = await ledgerWith(change('chg-meshgov', 30, PAYMENTS, { findingId: 'f-payments-api-8080' }));
    const policy = shippedPolicy();
    policy.rules['slo-latency-burn'].remediation = 'auto';
    const report = burnReport();
    const burn = report.report.findings[0]!;
    // The OK run measured at 15:20 and resolved the burn; this firing report measured at 15:12 and arrives after it (a retry, a redelivery).
    await ledger.createFinding({
      id: burn.id,
      status: 'resolved',
      finding: burn,
      firstSeen: '2026-11-20T15:05:00.000Z',
      lastSeen: '2026-11-20T15:05:00.000Z',
      resolvedAt: '2026-11-20T15:20:03.000Z',
      auditReadAt: '2026-11-20T15:20:00.000Z',
      trigger: report.trigger,
      notificationPending: false,
      version: 2,
      expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400,
    });
    const logged: string[] = [];
    const { scoped, proposals } = await blameSloBurns(report, [slo], { ledger, policy, clock: () => new Date('2026-11-20T15:21:00Z'), log: (m) => void logged.push(m) });
    expect(proposals).toEqual([]);
    expect(scoped.report.findings[0]!.detail.suspect).toBeUndefined();
    expect(await ledger.findOpenApproval(burn.id)).toBeUndefined();
    expect(logged).toEqual(['burn not blamed: a later run already decided it']);

    // In order, the same report blames meshgov's change and rolls it back on its own.
    const inOrder = await blameSloBurns(burnReport(), [slo], { ledger: await ledgerWith(change('chg-meshgov', 30, PAYMENTS, { findingId: 'f-payments-api-8080' })), policy, clock: () => NOW });
    expect(inOrder.proposals).toEqual([expect.objectContaining({ automatic: true })]);
  });
  it("measures the window from the reading, not from the report's arrival: a change made after the reading is never blamed", async () => {
    // The page was read at 15:12 and reaches the hub at 16:42 (the hub was down; the agent retried).
    const late = new Date(NOW.getTime() + 90 * MINUTE);
    const ledger = await ledgerWith(
      change('chg-cause', 25, PAYMENTS, { trigger: { source: 'cloudtrail', eventId: 'evt-bob', eventTime: NOW.toISOString(), actor: 'bob@example.com', summary: 'UpdateVirtualNode payments-api' } }),
      change('chg-later', -45, PAYMENTS, { trigger: { source: 'cloudtrail', eventId: 'evt-carol', eventTime: NOW.toISOString(), actor: 'carol@example.com', summary: 'UpdateVirtualNode payments-api' } }),
    );
    const { scoped } = await blameSloBurns(burnReport(), [slo], { ledger, policy: shippedPolicy(), clock: () => late });
    const finding = scoped.report.findings[0]!;
    expect(finding.detail.suspect).toMatchObject({ changeId: 'chg-cause' });
    expect(finding.detail.burnOnset).toEqual({ at: '2026-11-20T14:46:00.000Z', basis: '1h burn 17× ÷ 5m burn 40× = 43 % of 1h' });
  });
});

describe('two SLOs on one service', () => {
  it("a burn is blamed under its own SLO's autoRollbackOwnChanges, not under the other's", async () => {
    const [strict] = parseSlos([
      { name: 'payments-api-latency-500ms', service: 'payments-api', mesh: 'appmesh', meshName: 'prod-mesh', objective: 99, thresholdMs: 500, source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus' } } },
    ]);
    const policy = shippedPolicy();
    policy.rules['slo-latency-burn'].remediation = 'auto';
    // The burn is payments-api-latency's (autoRollbackOwnChanges on); payments-api-latency-500ms comes first in rules/ and leaves it off.
    const { proposals } = await blameSloBurns(burnReport(), [strict!, BURNING_SLO!], { ledger: await ledgerWith(change('chg-meshgov', 30, PAYMENTS, { findingId: 'f-payments-api-8080' })), policy, clock: () => NOW });
    expect(proposals).toEqual([expect.objectContaining({ automatic: true })]);
  });
});
