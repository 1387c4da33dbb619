/**
 * A fix meshgov made on its own and an SLO rollback then undid is not made again on its own by
 * the next scheduled run: the rollback's record names the burn's finding, so the hold finds the
 * fix it undid through its approval's `undoOf`. Without the hold, the fix and the rollback would
 * take turns. Real App Mesh emulator, writer and reader; the ledger in memory.
 */
import type { Finding } from '../../../functions/core/findings';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { auditScope, type ScopedReport } from '../../../functions/core/pipeline/audit-scope';
import { govern } from '../../../functions/core/pipeline/govern';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildReport } from '../../../functions/core/report/report';
import { findingId } from '../../../functions/core/rules/finding-id';
import { sloIndicatorId } from '../../../functions/core/slo/indicator';
import { governSloBurn } from '../../../functions/aws/slo/govern-slo-burn';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import { appMeshExecutor, appMeshSource, MeshSnapshotCache } from '../../../functions/providers/appmesh/live';
import { startAppMeshEmulator, type AppMeshEmulator } from '../../emulators/appmesh';
import { clientFor } from '../appmesh/support/harness';
import { RecordingNotifier } from '../../support/recording-notifier';

const MESH = 'prod-mesh';
const CA = '/etc/appmesh/certs/prod-mesh-ca-chain.pem';
const fileCert = (name: string) => ({ file: { certificateChain: `/etc/appmesh/certs/${name}.pem`, privateKey: `/etc/appmesh/certs/${name}.key` } });
const HOST = 'payments-api.payments.svc.cluster.local';

let emulator: AppMeshEmulator;
afterEach(async () => emulator?.stop());

test("an SLO rollback of meshgov's set-strict holds that fix for approval on the next scheduled run", async () => {
  emulator = await startAppMeshEmulator({
    seed: {
      meshes: [{ meshName: MESH }],
      virtualServices: [{ meshName: MESH, virtualServiceName: HOST, spec: { provider: { virtualNode: { virtualNodeName: 'payments-api' } } } }],
      virtualNodes: [
        { meshName: MESH, virtualNodeName: 'payments-api', spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: fileCert('payments-api'), validation: { trust: { file: { certificateChain: CA } } } } }], serviceDiscovery: { dns: { hostname: HOST } } } },
        {
          meshName: MESH,
          virtualNodeName: 'checkout-web',
          spec: {
            backends: [{ virtualService: { virtualServiceName: HOST } }],
            backendDefaults: { clientPolicy: { tls: { enforce: true, certificate: fileCert('checkout-web'), validation: { trust: { file: { certificateChain: CA } } } } } },
            serviceDiscovery: { dns: { hostname: 'checkout-web.orders.svc.cluster.local' } },
          },
        },
      ],
    } as never,
  });
  const client = clientFor(emulator);
  const cache = new MeshSnapshotCache();
  const source = appMeshSource({ client, cache, accountId: '111122223333' });
  const policy = loadPolicy();
  policy.rules['slo-latency-burn'].remediation = 'auto';
  policy.slos = [{ name: 'payments-api-latency', service: 'payments-api', mesh: 'appmesh', meshName: MESH, objective: 99, thresholdMs: 250, autoRollbackOwnChanges: true, source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus' } } }];
  let offset = 0;
  const clock = () => new Date(Date.parse('2026-11-20T06:00:00Z') + offset);
  const ledger = new MemoryLedger(clock);
  let ids = 0;
  const deps = { ledger, policy, notifier: new RecordingNotifier(), executors: [appMeshExecutor({ client, cache, accountId: '111122223333' })], clock, dryRun: false, newId: (p: string) => `${p}-${++ids}` };
  const mode = () => (emulator.state.describe('virtualNode', MESH, 'payments-api') as { spec: { listeners: Array<{ tls: { mode: string } }> } }).spec.listeners[0]!.tls.mode;
  const scheduled = async () => {
    const trigger = { source: 'schedule' as const, eventId: `sched-${++ids}`, eventTime: clock().toISOString(), summary: 'scheduled full audit' };
    return govern(await auditScope(trigger, { kind: 'all', providers: ['appmesh'] }, { source, builders: [buildAppMeshModel], policy, clock }), deps);
  };

  const first = await scheduled();
  expect(first.changes.map((c) => [c.action, c.outcome])).toEqual([['appmesh.listener.set-strict', 'verified']]);
  expect(mode()).toBe('STRICT');

  // 40 minutes later payments-api's latency SLO burns; meshgov rolls its own change back.
  offset += 40 * 60_000;
  const now = clock();
  const burnResource = { kind: 'VirtualNode', name: 'payments-api', mesh: MESH };
  const burn: Finding = {
    // The id rule slo-latency-burn gives it, made with the SLO's name: how the hub tells which SLO it is of.
    id: findingId('slo-latency-burn', 'cloudwatch', burnResource, sloIndicatorId('payments-api-latency')),
    rule: 'slo-latency-burn',
    severity: 'critical',
    provider: 'cloudwatch',
    resource: burnResource,
    message: 'payments-api-latency burns its error budget 17.3x too fast over 1h.',
    detail: { windows: [{ long: '1h', short: '5m', burnLong: 17.3, burnShort: 40, factor: 14.4, severity: 'critical', kind: 'page' }] },
    remediation: null,
  };
  const alarm: ScopedReport = {
    trigger: { source: 'cloudwatch-alarm', eventId: 'alarm-1', eventTime: now.toISOString(), summary: 'meshgov-slo-payments-api-latency-page ALARM' },
    scope: { kind: 'appmesh-resource', mesh: MESH, resourceType: 'virtualNode', name: 'payments-api' },
    report: buildReport([burn], 1, now),
    auditedResources: ['cloudwatch|VirtualNode||prod-mesh|payments-api'],
  };
  const rolledBack = await governSloBurn(alarm, { ...deps, log: () => undefined });
  expect(rolledBack.automatic).toEqual([expect.objectContaining({ status: 'finished', state: 'SUCCEEDED' })]);
  expect(mode()).toBe('PERMISSIVE');

  // An hour later the scheduled audit plans set-strict auto again: it asks instead, naming the rollback.
  offset += 60 * 60_000;
  const second = await scheduled();
  expect(second.changes).toEqual([]);
  expect(mode()).toBe('PERMISSIVE');
  expect(second.approvalsRequested).toHaveLength(1);
  const asked = await ledger.getApproval(second.approvalsRequested[0]!);
  expect(asked!.remediation).toMatchObject({ action: 'appmesh.listener.set-strict', mode: 'approval', reason: expect.stringMatching(/^meshgov's SLO rollback undid this fix at .* \(change chg-\d+\), so it is not made again without approval for 7 days$/) });
});
