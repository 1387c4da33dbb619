import { emptyInventory } from '../model/inventory';
import { shippedPolicy } from '../../../test/support/model';
import { auditScope, fleetReadAt } from './audit-scope';
import type { InventorySource } from './ports';

const at = (seconds: number) => new Date(Date.parse('2026-11-20T15:00:00Z') + seconds * 1000);

describe('when an audit read the fleet', () => {
  it('is stamped before the read: a sweep whose paginated reads take 90 s is dated by its start, its report by its end', async () => {
    let clock = 10;
    const sweep: InventorySource = {
      collect: async () => {
        clock = 100;
        return emptyInventory();
      },
    };
    const trigger = { source: 'cloud-scheduler' as const, eventId: 'sched-15-00', eventTime: at(0).toISOString(), summary: 'scheduled audit' };
    const scoped = await auditScope(trigger, { kind: 'all', providers: ['istio'] }, { source: sweep, builders: [], policy: shippedPolicy(), clock: () => at(clock) });
    expect(scoped.readStartedAt).toBe('2026-11-20T15:00:10.000Z');
    expect(scoped.report.generatedAt).toBe('2026-11-20T15:01:40.000Z');
    expect(fleetReadAt(scoped)).toBe(at(10).getTime());
  });

  it("falls back to the report's generatedAt for a report without the start (an agent older than the hub), and is unknown when neither reads", () => {
    const report = { generatedAt: '2026-11-20T15:01:40.000Z' } as Parameters<typeof fleetReadAt>[0]['report'];
    expect(fleetReadAt({ report })).toBe(at(100).getTime());
    expect(fleetReadAt({ report, readStartedAt: 'not a time' })).toBe(at(100).getTime());
    expect(fleetReadAt({ report: { ...report, generatedAt: 'yesterday' } })).toBeUndefined();
  });
});
