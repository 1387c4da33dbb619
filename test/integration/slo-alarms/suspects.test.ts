import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import { parseSlos } from '../../../functions/core/slo/definition';
import { findSuspect, sloServiceKeys } from '../../../functions/core/slo/suspects';

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
