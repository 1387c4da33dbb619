/**
 * Records to table items and back: each record's own fields at the top level (so conditions
 * can name `version`, `state` and `expiresAt`), plus the key attributes the key design in
 * dynamodb-ledger.ts gives it. The index keys are present only while a record must be listed,
 * which keeps the indexes sparse.
 */
import { awaitsExpirySweep, type ApprovalRecord, type ApprovalState, type ChangeRecord, type FindingRecord } from '../../core/ledger/types';
import type { Provider } from '../../core/model/types';
import { packIfLarge, PACKED_ATTRIBUTE, unpack, type FieldPath } from './packing';
import { LEDGER_KEYS } from './table-definition';

export type LedgerItem = Record<string, unknown>;

/** The sort key of every item: one item per record, so the entity name is enough. */
export const SORT_KEY = { finding: 'FINDING', approval: 'APPROVAL', change: 'CHANGE', changeSlot: 'CHANGE_SLOT' } as const;

export const PENDING_NOTIFICATIONS = 'PENDING_NOTIFICATIONS';
export const CHANGES_BY_TIME = 'CHANGES';
export const APPROVAL_DEADLINES = 'APPROVAL_DEADLINES';

/** States in which an approval may still act, so a run must not ask again (as MemoryLedger.findOpenApproval). */
export const OPEN_APPROVAL_STATES: readonly ApprovalState[] = ['PENDING', 'APPROVED', 'EXECUTING'];

/** Every provider, checked by the compiler against the Provider union so none is forgotten. */
const PROVIDER_SET: Record<Provider, true> = { istio: true, appmesh: true, envoy: true, x509: true, acm: true, cloudwatch: true, prometheus: true };
export const PROVIDERS = Object.keys(PROVIDER_SET) as Provider[];

/** Key parts are percent-encoded so a `#` in a name cannot shift the parts of a composite key. */
const part = (value: string | undefined): string => encodeURIComponent(value ?? '');

export const findingKey = (id: string) => ({ [LEDGER_KEYS.pk]: `FINDING#${id}`, [LEDGER_KEYS.sk]: SORT_KEY.finding });
export const approvalKey = (id: string) => ({ [LEDGER_KEYS.pk]: `APPROVAL#${id}`, [LEDGER_KEYS.sk]: SORT_KEY.approval });
export const changeKey = (id: string) => ({ [LEDGER_KEYS.pk]: `CHANGE#${id}`, [LEDGER_KEYS.sk]: SORT_KEY.change });
/** The blast-radius slots share one partition, so one strongly consistent Query reads them all. */
export const CHANGE_SLOTS = 'CHANGE_SLOTS';
export const changeSlotKey = (slot: number) => ({ [LEDGER_KEYS.pk]: CHANGE_SLOTS, [LEDGER_KEYS.sk]: `${SORT_KEY.changeSlot}#${slot}` });

export const openFindingsPartition = (provider: string) => `OPEN_FINDINGS#${provider}`;

/**
 * `MESH#<mesh>#NS#<namespace>#<id>` (an absent mesh or namespace is empty): a mesh filter, or a
 * mesh and namespace filter, is a begins_with on this key rather than a filter over the
 * provider's whole partition.
 */
export function openFindingSortKey(mesh: string | undefined, namespace: string | undefined, id: string): string {
  return `MESH#${part(mesh)}#NS#${part(namespace)}#${id}`;
}

/** The begins_with prefix of openFindingSortKey for a mesh, and optionally a namespace within it. */
export function openFindingSortKeyPrefix(mesh: string, namespace?: string): string {
  return namespace === undefined ? `MESH#${part(mesh)}#NS#` : `MESH#${part(mesh)}#NS#${part(namespace)}#`;
}

export const openApprovalsPartition = (findingId: string) => `OPEN_APPROVALS#${findingId}`;
export const openApprovalSortKey = (requestedAt: string, id: string) => `${requestedAt}#${id}`;
/**
 * `<approvalExpiresAt>#<id>`, the time in toISOString's one format so that deadlines sort as
 * strings; `#` sorts before every character of a time, so `key < <dueBy>$` exactly when the
 * deadline is at or before dueBy.
 */
export const approvalDeadlineSortKey = (approvalExpiresAt: string, id: string) => `${new Date(approvalExpiresAt).toISOString()}#${id}`;
export const approvalDeadlineUpperBound = (dueBy: string) => `${new Date(dueBy).toISOString()}$`;
export const serviceChangesPartition = (service: string) => `SERVICE_CHANGES#${service}`;
/** ISO times sort as strings, and `#` sorts before every character of one, so `<at>#<id> >= since` exactly when `at >= since`. */
export const changeSortKey = (at: string, id: string) => `${at}#${id}`;

/** What may be packed when an item nears 400 KB: bulk only, never a key, condition or filter attribute (status, state, version, expiresAt, finding.resource). */
const BULKY: Record<'finding' | 'approval' | 'change', readonly FieldPath[]> = {
  finding: [['finding', 'detail'], ['finding', 'remediation'], ['finding', 'message']],
  approval: [['remediation'], ['finding', 'detail'], ['finding', 'remediation'], ['finding', 'message']],
  change: [['before'], ['after'], ['target'], ['detail']],
};

export function findingItem(record: FindingRecord): LedgerItem {
  const resource = record.finding.resource;
  return packIfLarge({
    ...record,
    ...findingKey(record.id),
    ...(record.status === 'open'
      ? {
          [LEDGER_KEYS.gsi1pk]: openFindingsPartition(record.finding.provider),
          [LEDGER_KEYS.gsi1sk]: openFindingSortKey(resource.mesh, resource.namespace, record.id),
        }
      : {}),
    ...(record.notificationPending ? { [LEDGER_KEYS.gsi2pk]: PENDING_NOTIFICATIONS, [LEDGER_KEYS.gsi2sk]: record.id } : {}),
  }, BULKY.finding);
}

export function approvalItem(record: ApprovalRecord): LedgerItem {
  return packIfLarge({
    ...record,
    ...approvalKey(record.id),
    ...(OPEN_APPROVAL_STATES.includes(record.state)
      ? { [LEDGER_KEYS.gsi1pk]: openApprovalsPartition(record.findingId), [LEDGER_KEYS.gsi1sk]: openApprovalSortKey(record.requestedAt, record.id) }
      : {}),
    ...(awaitsExpirySweep(record)
      ? { [LEDGER_KEYS.gsi2pk]: APPROVAL_DEADLINES, [LEDGER_KEYS.gsi2sk]: approvalDeadlineSortKey(record.approvalExpiresAt, record.id) }
      : {}),
  }, BULKY.approval);
}

export function changeItem(change: ChangeRecord): LedgerItem {
  const byTime = changeSortKey(change.at, change.id);
  return packIfLarge({
    ...change,
    ...changeKey(change.id),
    // Changes are few (the blast-radius limits cap them per run and per hour), so one partition holds them all by time.
    [LEDGER_KEYS.gsi2pk]: CHANGES_BY_TIME,
    [LEDGER_KEYS.gsi2sk]: byTime,
    ...(change.service ? { [LEDGER_KEYS.gsi1pk]: serviceChangesPartition(change.service), [LEDGER_KEYS.gsi1sk]: byTime } : {}),
  }, BULKY.change);
}

const KEY_ATTRIBUTES = new Set<string>([...Object.values(LEDGER_KEYS), PACKED_ATTRIBUTE]);

/** The record an item holds: the item, its packed fields unpacked, without its key attributes. */
export function recordOf<T>(item: LedgerItem): T {
  const record: LedgerItem = {};
  for (const [name, value] of Object.entries(unpack(item))) if (!KEY_ATTRIBUTES.has(name)) record[name] = value;
  return record as T;
}
