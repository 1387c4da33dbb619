/**
 * Shared set-up of the live App Mesh tests: an emulator on a free port, a real SDK client
 * pointed at it, the engine over an inventory, and an inventory read straight from the
 * emulator's state (no SDK, no reader) to compare the live reader against.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { auditWithBuilders } from '../../../../functions/core/audit';
import type { Finding } from '../../../../functions/core/findings';
import { emptyInventory, type AppMeshApiType, type Inventory } from '../../../../functions/core/model/inventory';
import { loadPolicy } from '../../../../functions/core/policy/load';
import type { Policy } from '../../../../functions/core/policy/types';
import type { AuditReport } from '../../../../functions/core/report/report';
import { buildAppMeshModel } from '../../../../functions/providers/appmesh';
import { createAppMeshClient, type AppMeshClientOptions } from '../../../../functions/providers/appmesh/live';
import { startAppMeshEmulator, type AppMeshEmulator, type AppMeshEmulatorOptions, type OperationName } from '../../../emulators/appmesh';
import { REGION, TEST_CREDENTIALS } from '../../../emulators/appmesh/appMeshTestFixtures';

/** The audit clock of these tests: the afternoon of the shared events' storyline. */
export const NOW = new Date('2026-11-20T15:05:00Z');

let policy: Policy | undefined;

export async function startEmulator(options: AppMeshEmulatorOptions): Promise<AppMeshEmulator> {
  return startAppMeshEmulator(options);
}

/** A real client with the reader's retry settings, pointed at the emulator. */
export function clientFor(emulator: AppMeshEmulator, options: Omit<AppMeshClientOptions, 'endpoint'> = {}): AppMeshClient {
  return createAppMeshClient({ endpoint: emulator.url, region: REGION, credentials: TEST_CREDENTIALS, ...options });
}

/** The engine over an inventory, with the shipped rules and only the App Mesh provider. */
export function audit(inventory: Inventory): AuditReport {
  policy ??= loadPolicy();
  return auditWithBuilders(inventory, { policy, now: NOW, builders: [buildAppMeshModel] });
}

const TYPES: Array<{ type: AppMeshApiType; kind: Parameters<AppMeshEmulator['state']['list']>[0]; name: string; parent?: string }> = [
  { type: 'mesh', kind: 'mesh', name: 'meshName' },
  { type: 'virtualNode', kind: 'virtualNode', name: 'virtualNodeName' },
  { type: 'virtualGateway', kind: 'virtualGateway', name: 'virtualGatewayName' },
  { type: 'virtualService', kind: 'virtualService', name: 'virtualServiceName' },
  { type: 'virtualRouter', kind: 'virtualRouter', name: 'virtualRouterName' },
  { type: 'route', kind: 'route', name: 'routeName', parent: 'virtualRouterName' },
  { type: 'gatewayRoute', kind: 'gatewayRoute', name: 'gatewayRouteName', parent: 'virtualGatewayName' },
];

/** The emulator's current state of one mesh as an inventory, in the reader's order, located at each ARN. */
export function stateInventory(emulator: AppMeshEmulator, meshName: string): Inventory {
  const inventory = emptyInventory();
  for (const t of TYPES) {
    const items = emulator.state.list(t.kind, meshName).sort((a: any, b: any) => {
      const pa = t.parent ? String(a[t.parent]) : '';
      const pb = t.parent ? String(b[t.parent]) : '';
      return pa < pb ? -1 : pa > pb ? 1 : a[t.name] < b[t.name] ? -1 : a[t.name] > b[t.name] ? 1 : 0;
    });
    for (const data of items) inventory.appmeshApi.push({ doc: { type: t.type, data }, source: { file: String((data as any).metadata.arn), line: 1 } });
  }
  return inventory;
}

/** Findings in id order, for comparing two reports whole. */
export function sortedFindings(report: AuditReport): Finding[] {
  return [...report.findings].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Operations the emulator counted at least once. */
export function nonZeroCalls(emulator: AppMeshEmulator): Partial<Record<OperationName, number>> {
  return Object.fromEntries(Object.entries(emulator.calls()).filter(([, n]) => n > 0)) as Partial<Record<OperationName, number>>;
}

/** CloudTrail's rendering of a timestamp in responseElements: "Nov 20, 2026 3:00:49 PM" (UTC). */
export function cloudTrailDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const hours = d.getUTCHours();
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${month} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** A resource's `*Data` from the emulator as CloudTrail writes it into responseElements (dates as strings). */
export function asResponseElement(data: Record<string, any>): Record<string, any> {
  const copy = structuredClone(data);
  copy.metadata.createdAt = cloudTrailDate(copy.metadata.createdAt);
  copy.metadata.lastUpdatedAt = cloudTrailDate(copy.metadata.lastUpdatedAt);
  return copy;
}
