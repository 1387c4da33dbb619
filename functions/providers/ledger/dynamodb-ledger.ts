/**
 * The ledger in one DynamoDB table (`@aws-sdk/lib-dynamodb`), with MemoryLedger's behaviour.
 *
 * Key design (single table; table-definition.ts declares it, items.ts builds the keys):
 *
 * | record   | pk                  | sk         | gsi1pk / gsi1sk (sparse)                                   | gsi2pk / gsi2sk (sparse)                 |
 * |----------|---------------------|------------|------------------------------------------------------------|------------------------------------------|
 * | finding  | `FINDING#<id>`      | `FINDING`  | while open: `OPEN_FINDINGS#<provider>` / `MESH#<mesh>#NS#<namespace>#<id>` | while a notification is owed: `PENDING_NOTIFICATIONS` / `<id>` |
 * | approval | `APPROVAL#<id>`     | `APPROVAL` | while PENDING, APPROVED or EXECUTING: `OPEN_APPROVALS#<findingId>` / `<requestedAt>#<id>` | while PENDING, APPROVED, or EXPIRED until the sweep is done with it (shown or given up): `APPROVAL_DEADLINES` / `<approvalExpiresAt>#<id>` |
 * | change   | `CHANGE#<id>`       | `CHANGE`   | with a service: `SERVICE_CHANGES#<service>` / `<at>#<id>`  | always: `CHANGES` / `<at>#<id>`          |
 * | slot     | `CHANGE_SLOTS`      | `CHANGE_SLOT#<n>` | none                                                   | none                                     |
 *
 * So every listing is a Query that reads only what it returns (plus items that expired but
 * TTL has not deleted yet), never a Scan:
 * - open findings: one partition per provider (all of them when no provider is given); a mesh,
 *   or mesh and namespace, filter is a begins_with on the sort key; a namespace alone is a filter
 *   within the provider's partition. Resolving a finding drops it from the index.
 * - owed notifications: one small partition, holding only what Slack has not taken yet.
 * - the open approval of a finding: its own partition, oldest request first.
 * - approvals past their deadline (for the expiry sweep): a range on `<approvalExpiresAt>#<id>`
 *   in one partition, which holds only approvals that can still be decided or run, a few
 *   hundred at most, plus expired ones until their message has been redrawn or the sweep gave up on it.
 * - changes since a time: a range on `<at>#<id>`, newest first, per service or overall. The
 *   overall partition is one, which is fine because the blast-radius limits cap changes per hour.
 *
 * Concurrency: every state change is one conditional write (no transactions, which dynalite
 * lacks): creation on `attribute_not_exists(pk)`, a finding update on the previous `version`,
 * an approval transition on `state IN (<states allowed to move to the target>)`. The loser of
 * a race gets `undefined`, exactly as from MemoryLedger.
 *
 * Blast radius: a change takes a free slot with a conditional put (absent, expired or already its
 * own), so two runs cannot both take the last one; the slot expires an hour later. A retry of the
 * same change finds the slot it holds first (one consistent Query of the slots' partition), and
 * two racing deliveries of one change keep the lower of the slots they took.
 *
 * Expiry: items carry `expiresAt` (epoch seconds, the TTL attribute). TTL deletion can lag by
 * days and does not happen at all in dynalite, so an item whose `expiresAt` has come (is not
 * later than now, as MemoryLedger has it) counts as absent: reads and listings skip it, and a
 * create may replace it.
 *
 * Consistency: gets are strongly consistent; listings come from GSIs, which are eventually
 * consistent and may lag a write by a moment. That is safe for the pipeline, because whatever
 * it does with a listed record is a write conditional on the stored version or state; and
 * findOpenApproval, whose answer decides whether to ask again, and listPendingNotifications,
 * whose answer is posted to Slack before any write, confirm on the item itself.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, paginateQuery, PutCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { APPROVAL_TRANSITIONS, awaitsExpirySweep, CHANGE_SLOT_SECONDS, type ApprovalRecord, type ApprovalState, type ChangeRecord, type FindingRecord, type Ledger, type SlackRef, type TransitionOptions } from '../../core/ledger/types';
import { ExpressionParts } from './expression';
import {
  APPROVAL_DEADLINES,
  approvalDeadlineSortKey,
  approvalDeadlineUpperBound,
  approvalItem,
  approvalKey,
  changeItem,
  changeKey,
  changeSlotKey,
  CHANGE_SLOTS,
  CHANGES_BY_TIME,
  findingItem,
  findingKey,
  OPEN_APPROVAL_STATES,
  openApprovalSortKey,
  openApprovalsPartition,
  openFindingSortKeyPrefix,
  openFindingsPartition,
  PENDING_NOTIFICATIONS,
  PROVIDERS,
  recordOf,
  serviceChangesPartition,
  type LedgerItem,
} from './items';
import { LEDGER_INDEXES, LEDGER_KEYS, LEDGER_TTL_ATTRIBUTE } from './table-definition';

export interface DynamoDbLedgerOptions {
  /** What "now" is when deciding whether an item has expired; the real clock by default. */
  clock?: () => Date;
}

export class DynamoDbLedger implements Ledger {
  private readonly doc: DynamoDBDocumentClient;
  private readonly clock: () => Date;

  /**
   * @param client a DynamoDB client; the ledger wraps it in a document client of its own, so
   *   that optional record fields left `undefined` are dropped rather than rejected.
   * @param tableName the ledger table (the Lambdas pass MESHGOV_LEDGER_TABLE).
   * @example
   *   const ledger = new DynamoDbLedger(new DynamoDBClient({}), process.env.MESHGOV_LEDGER_TABLE!);
   */
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoDbLedgerOptions = {},
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.clock = options.clock ?? (() => new Date());
  }

  // Findings

  async getFinding(id: string): Promise<FindingRecord | undefined> {
    return this.getLive<FindingRecord>(findingKey(id));
  }

  async createFinding(record: FindingRecord): Promise<FindingRecord | undefined> {
    const created = await this.putIf(findingItem(record), (x) => this.absentCondition(x));
    return created ? structuredClone(record) : undefined;
  }

  async updateFinding(next: FindingRecord): Promise<FindingRecord | undefined> {
    // The whole item is replaced, so index keys of a state it left (open, owed) disappear with it.
    const updated = await this.putIf(findingItem(next), (x) => `${x.name('version')} = ${x.value(next.version - 1)} AND ${this.liveCondition(x)}`);
    return updated ? structuredClone(next) : undefined;
  }

  async listOpenFindings(filter?: { provider?: string; namespace?: string; mesh?: string }): Promise<FindingRecord[]> {
    // Empty filter values mean "no filter", as in MemoryLedger.
    const mesh = filter?.mesh || undefined;
    const namespace = filter?.namespace || undefined;
    const providers: readonly string[] = filter?.provider ? [filter.provider] : PROVIDERS;
    const lists = await Promise.all(
      providers.map((provider) => {
        const x = new ExpressionParts();
        let keyCondition = `${x.name(LEDGER_KEYS.gsi1pk)} = ${x.value(openFindingsPartition(provider))}`;
        if (mesh !== undefined) keyCondition += ` AND begins_with(${x.name(LEDGER_KEYS.gsi1sk)}, ${x.value(openFindingSortKeyPrefix(mesh, namespace))})`;
        const conditions = [`${x.name('status')} = ${x.value('open')}`, this.liveCondition(x)];
        if (namespace !== undefined && mesh === undefined) conditions.push(`${x.path('finding', 'resource', 'namespace')} = ${x.value(namespace)}`);
        return this.queryAll<FindingRecord>(x, { IndexName: LEDGER_INDEXES.gsi1, KeyConditionExpression: keyCondition, FilterExpression: conditions.join(' AND ') });
      }),
    );
    return lists.flat();
  }

  async listPendingNotifications(): Promise<FindingRecord[]> {
    const x = new ExpressionParts();
    const candidates = await this.queryAll<FindingRecord>(x, {
      IndexName: LEDGER_INDEXES.gsi2,
      KeyConditionExpression: `${x.name(LEDGER_KEYS.gsi2pk)} = ${x.value(PENDING_NOTIFICATIONS)}`,
      FilterExpression: `${x.name('notificationPending')} = ${x.value(true)} AND ${this.liveCondition(x)}`,
    });
    // The caller posts to Slack from what it gets, before any conditional write: an index that
    // lags the write recording a post would make it post again. So each is confirmed on the item.
    const current = await Promise.all(candidates.map((c) => this.getFinding(c.id)));
    return current.filter((r): r is FindingRecord => r?.notificationPending === true);
  }

  // Approvals

  async createApproval(record: ApprovalRecord): Promise<ApprovalRecord | undefined> {
    const created = await this.putIf(approvalItem(record), (x) => this.absentCondition(x));
    return created ? structuredClone(record) : undefined;
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    return this.getLive<ApprovalRecord>(approvalKey(id));
  }

  async transitionApproval(id: string, from: ApprovalState[], to: ApprovalState, patch: Partial<ApprovalRecord> = {}, options: TransitionOptions = {}): Promise<ApprovalRecord | undefined> {
    // Only stored states that are in `from` and may move to `to`: an illegal move never matches the condition.
    const sources = from.filter((state) => APPROVAL_TRANSITIONS[state].includes(to));
    if (sources.length === 0) return undefined;

    const x = new ExpressionParts();
    const set = [`${x.name('state')} = ${x.value(to)}`, `${x.name('version')} = ${x.name('version')} + ${x.value(1)}`];
    const remove: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      // As in MemoryLedger, the transition alone decides these.
      if (field === 'id' || field === 'state' || field === 'version') continue;
      if (value === undefined) remove.push(x.name(field));
      else set.push(`${x.name(field)} = ${x.value(value)}`);
    }
    if (OPEN_APPROVAL_STATES.includes(to)) {
      // Still open: the index keys stay, unless the patch moved what they are made of.
      if (patch.findingId !== undefined) set.push(`${x.name(LEDGER_KEYS.gsi1pk)} = ${x.value(openApprovalsPartition(patch.findingId))}`);
      if (patch.requestedAt !== undefined) set.push(`${x.name(LEDGER_KEYS.gsi1sk)} = ${x.value(openApprovalSortKey(patch.requestedAt, id))}`);
    } else {
      remove.push(x.name(LEDGER_KEYS.gsi1pk), x.name(LEDGER_KEYS.gsi1sk));
    }
    // The deadline keys were written at creation and stay while the sweep may need the approval
    // (awaitsExpirySweep): an EXPIRED one keeps them until markExpiryShown.
    if (!awaitsExpirySweep({ state: to, expiryShown: patch.expiryShown })) remove.push(x.name(LEDGER_KEYS.gsi2pk), x.name(LEDGER_KEYS.gsi2sk));
    else if (patch.approvalExpiresAt !== undefined) {
      set.push(`${x.name(LEDGER_KEYS.gsi2pk)} = ${x.value(APPROVAL_DEADLINES)}`, `${x.name(LEDGER_KEYS.gsi2sk)} = ${x.value(approvalDeadlineSortKey(patch.approvalExpiresAt, id))}`);
    }

    const atVersion = this.atVersionCondition(x, options.version);
    const updated = await this.updateIf(
      approvalKey(id),
      x,
      `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      `${x.isOneOf('state', sources)}${atVersion} AND ${this.liveCondition(x)}`,
    );
    return updated ? recordOf<ApprovalRecord>(updated) : undefined;
  }

  async addApprovalCause(id: string, actor: string): Promise<ApprovalRecord | undefined> {
    const first = await this.setFirstCause(id, actor);
    return first ?? (await this.appendCause(id, actor));
  }

  /** `causedBy` = actor, only on a live approval that names no cause yet. */
  private async setFirstCause(id: string, actor: string): Promise<ApprovalRecord | undefined> {
    const x = new ExpressionParts();
    const updated = await this.updateIf(
      approvalKey(id),
      x,
      `SET ${x.name('causedBy')} = ${x.value(actor)}`,
      `attribute_exists(${x.name(LEDGER_KEYS.pk)}) AND attribute_not_exists(${x.name('causedBy')}) AND ${this.liveCondition(x)}`,
    );
    return updated ? recordOf<ApprovalRecord>(updated) : undefined;
  }

  /** Appends actor to `alsoCausedBy`, only on a live approval whose causes do not name it yet (of racing runs, each actor once). */
  private async appendCause(id: string, actor: string): Promise<ApprovalRecord | undefined> {
    const x = new ExpressionParts();
    const others = x.name('alsoCausedBy');
    const named = x.value(actor);
    const updated = await this.updateIf(
      approvalKey(id),
      x,
      `SET ${others} = list_append(if_not_exists(${others}, ${x.value([])}), ${x.value([actor])})`,
      `attribute_exists(${x.name(LEDGER_KEYS.pk)}) AND ${x.name('causedBy')} <> ${named} AND (attribute_not_exists(${others}) OR NOT contains(${others}, ${named})) AND ${this.liveCondition(x)}`,
    );
    return updated ? recordOf<ApprovalRecord>(updated) : undefined;
  }

  async setApprovalSlack(id: string, slack: SlackRef): Promise<void> {
    const x = new ExpressionParts();
    // A missing approval is left alone, as in MemoryLedger.
    await this.updateIf(approvalKey(id), x, `SET ${x.name('slack')} = ${x.value(slack)}`, `attribute_exists(${x.name(LEDGER_KEYS.pk)}) AND ${this.liveCondition(x)}`);
  }

  async findOpenApproval(findingId: string): Promise<ApprovalRecord | undefined> {
    const x = new ExpressionParts();
    const candidates = await this.queryAll<ApprovalRecord>(x, {
      IndexName: LEDGER_INDEXES.gsi1,
      KeyConditionExpression: `${x.name(LEDGER_KEYS.gsi1pk)} = ${x.value(openApprovalsPartition(findingId))}`,
      FilterExpression: `${x.isOneOf('state', OPEN_APPROVAL_STATES)} AND ${this.liveCondition(x)}`,
      ScanIndexForward: true,
    });
    // The index may lag a transition that just closed the approval: confirm on the item itself.
    for (const candidate of candidates) {
      const current = await this.getApproval(candidate.id);
      if (current && current.findingId === findingId && OPEN_APPROVAL_STATES.includes(current.state)) return current;
    }
    return undefined;
  }

  async listOverdueApprovals(dueBy: string): Promise<ApprovalRecord[]> {
    const x = new ExpressionParts();
    const candidates = await this.queryAll<ApprovalRecord>(x, {
      IndexName: LEDGER_INDEXES.gsi2,
      KeyConditionExpression: `${x.name(LEDGER_KEYS.gsi2pk)} = ${x.value(APPROVAL_DEADLINES)} AND ${x.name(LEDGER_KEYS.gsi2sk)} < ${x.value(approvalDeadlineUpperBound(dueBy))}`,
      FilterExpression: this.liveCondition(x),
      ScanIndexForward: true,
    });
    return candidates.filter(awaitsExpirySweep);
  }

  async markExpiryShown(id: string, version?: number, notShown?: string): Promise<boolean> {
    const x = new ExpressionParts();
    const atVersion = this.atVersionCondition(x, version);
    const set = [`${x.name('expiryShown')} = ${x.value(true)}`];
    if (notShown !== undefined) set.push(`${x.name('expiryNotShown')} = ${x.value(notShown)}`);
    const updated = await this.updateIf(
      approvalKey(id),
      x,
      `SET ${set.join(', ')} REMOVE ${x.name(LEDGER_KEYS.gsi2pk)}, ${x.name(LEDGER_KEYS.gsi2sk)}`,
      `${x.name('state')} = ${x.value('EXPIRED')}${atVersion} AND ${this.liveCondition(x)}`,
    );
    return updated !== undefined;
  }

  async recordExpiryRedrawFailure(id: string, version: number, failure: { at: string; error: string }): Promise<ApprovalRecord | undefined> {
    const x = new ExpressionParts();
    const first = x.name('expiryRedrawFirstFailedAt');
    // ADD counts from an absent attribute as 0, and concurrent runs' failures both count.
    const updated = await this.updateIf(
      approvalKey(id),
      x,
      `SET ${first} = if_not_exists(${first}, ${x.value(failure.at)}), ${x.name('expiryRedrawError')} = ${x.value(failure.error)} ADD ${x.name('expiryRedrawFailures')} ${x.value(1)}`,
      `${x.name('state')} = ${x.value('EXPIRED')} AND (attribute_not_exists(${x.name('expiryShown')}) OR ${x.name('expiryShown')} <> ${x.value(true)})${this.atVersionCondition(x, version)} AND ${this.liveCondition(x)}`,
    );
    return updated ? recordOf<ApprovalRecord>(updated) : undefined;
  }

  // Changes

  /**
   * Change ids are fresh per change, so this is a write once in practice. Writing an existing
   * id again replaces the record, as MemoryLedger does (e.g. an outcome known only after verification).
   */
  async recordChange(change: ChangeRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: changeItem(change) }));
  }

  async getChange(id: string): Promise<ChangeRecord | undefined> {
    return this.getLive<ChangeRecord>(changeKey(id));
  }

  async listChanges(since: string, filter?: { service?: string }): Promise<ChangeRecord[]> {
    const x = new ExpressionParts();
    const [index, partitionKey, sortKey, partition] = filter?.service
      ? [LEDGER_INDEXES.gsi1, LEDGER_KEYS.gsi1pk, LEDGER_KEYS.gsi1sk, serviceChangesPartition(filter.service)]
      : [LEDGER_INDEXES.gsi2, LEDGER_KEYS.gsi2pk, LEDGER_KEYS.gsi2sk, CHANGES_BY_TIME];
    return this.queryAll<ChangeRecord>(x, {
      IndexName: index,
      KeyConditionExpression: `${x.name(partitionKey)} = ${x.value(partition)} AND ${x.name(sortKey)} >= ${x.value(since)}`,
      FilterExpression: this.liveCondition(x),
      ScanIndexForward: false,
    });
  }

  async listPendingAnnouncements(since: string): Promise<ChangeRecord[]> {
    const x = new ExpressionParts();
    // Owed announcements are rare, and changes few (the blast-radius limits): the time partition, filtered.
    const candidates = await this.queryAll<ChangeRecord>(x, {
      IndexName: LEDGER_INDEXES.gsi2,
      KeyConditionExpression: `${x.name(LEDGER_KEYS.gsi2pk)} = ${x.value(CHANGES_BY_TIME)} AND ${x.name(LEDGER_KEYS.gsi2sk)} >= ${x.value(since)}`,
      FilterExpression: `${x.name('announcementPending')} = ${x.value(true)} AND ${this.liveCondition(x)}`,
      ScanIndexForward: true,
    });
    // Posted to Slack before any write: an index lagging the write that cleared it would post it twice.
    const current = await Promise.all(candidates.map((c) => this.getChange(c.id)));
    return current.filter((c): c is ChangeRecord => c?.announcementPending === true);
  }

  async markChangeAnnounced(id: string): Promise<boolean> {
    const x = new ExpressionParts();
    const updated = await this.updateIf(changeKey(id), x, `REMOVE ${x.name('announcementPending')}`, `${x.name('announcementPending')} = ${x.value(true)} AND ${this.liveCondition(x)}`);
    return updated !== undefined;
  }

  // Blast radius

  async reserveChangeSlot(holder: string, slots: number): Promise<number | undefined> {
    const held = await this.heldSlots();
    const own = held.find((h) => h.holder === holder);
    if (own) return own.slot;
    const taken = new Set(held.map((h) => h.slot));
    for (let slot = 0; slot < slots; slot++) {
      if (taken.has(slot)) continue;
      const item = { ...changeSlotKey(slot), slot, holder, [LEDGER_TTL_ATTRIBUTE]: this.nowEpochSeconds() + CHANGE_SLOT_SECONDS };
      if (await this.putIf(item, (x) => this.absentCondition(x))) return this.keepOneSlot(holder, slot);
    }
    return undefined;
  }

  /**
   * Two deliveries of the same change that reserve at once both miss its slot in their first
   * read and each take one. Each then reads again (after its own put, so the later reader sees
   * both) and keeps the lowest, giving the others back: the change ends up holding one slot.
   */
  private async keepOneSlot(holder: string, taken: number): Promise<number> {
    const mine = (await this.heldSlots()).filter((h) => h.holder === holder).map((h) => h.slot);
    const keep = Math.min(taken, ...mine);
    for (const slot of mine) if (slot !== keep) await this.releaseChangeSlot(slot, holder);
    return keep;
  }

  /** The live slots, read consistently from their one partition. */
  private async heldSlots(): Promise<Array<{ slot: number; holder: string }>> {
    const q = new ExpressionParts();
    return this.queryAll<{ slot: number; holder: string }>(q, {
      KeyConditionExpression: `${q.name(LEDGER_KEYS.pk)} = ${q.value(CHANGE_SLOTS)}`,
      FilterExpression: this.liveCondition(q),
      ConsistentRead: true,
    });
  }

  async releaseChangeSlot(slot: number, holder: string): Promise<void> {
    // Expired rather than deleted: the functions' role has no DeleteItem on the ledger. A slot
    // another change holds by now (this one's hour ran out) is not ours to give back.
    const x = new ExpressionParts();
    await this.updateIf(changeSlotKey(slot), x, `SET ${x.name(LEDGER_TTL_ATTRIBUTE)} = ${x.value(this.nowEpochSeconds() - 1)}`, `${x.name('holder')} = ${x.value(holder)}`);
  }

  // Plumbing

  private nowEpochSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  // Expired means expiresAt <= now, as MemoryLedger has it: for whole epoch seconds that is
  // expiresAt <= floor(now), so an item is never live a second longer here than there.

  /** The stored item has not expired (or carries no expiry). */
  private liveCondition(x: ExpressionParts): string {
    const ttl = x.name(LEDGER_TTL_ATTRIBUTE);
    return `(attribute_not_exists(${ttl}) OR ${ttl} > ${x.value(this.nowEpochSeconds())})`;
  }

  /** ` AND version = <version>` when a version is given: the write holds only while the record is the one read. */
  private atVersionCondition(x: ExpressionParts, version: number | undefined): string {
    return version !== undefined ? ` AND ${x.name('version')} = ${x.value(version)}` : '';
  }

  /** No item, or only an expired one that TTL has not deleted yet. */
  private absentCondition(x: ExpressionParts): string {
    return `attribute_not_exists(${x.name(LEDGER_KEYS.pk)}) OR ${x.name(LEDGER_TTL_ATTRIBUTE)} <= ${x.value(this.nowEpochSeconds())}`;
  }

  private isExpired(item: LedgerItem): boolean {
    const expiresAt = item[LEDGER_TTL_ATTRIBUTE];
    return typeof expiresAt === 'number' && expiresAt <= this.nowEpochSeconds();
  }

  private async getLive<T>(key: Record<string, string>): Promise<T | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item && !this.isExpired(Item) ? recordOf<T>(Item) : undefined;
  }

  /** Puts the item when the condition holds; false when it did not (another writer was first). */
  private async putIf(item: LedgerItem, condition: (x: ExpressionParts) => string): Promise<boolean> {
    const x = new ExpressionParts();
    const ConditionExpression = condition(x);
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression, ...x.attributes() }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Updates the item when the condition holds and returns it as stored; undefined when it did not. */
  private async updateIf(key: Record<string, string>, x: ExpressionParts, UpdateExpression: string, ConditionExpression: string): Promise<LedgerItem | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({ TableName: this.tableName, Key: key, UpdateExpression, ConditionExpression, ReturnValues: 'ALL_NEW', ...x.attributes() }),
      );
      return Attributes;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  }

  /** Every page of a query on the table's indexes, as records. */
  private async queryAll<T>(x: ExpressionParts, input: Omit<QueryCommandInput, 'TableName' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>): Promise<T[]> {
    const records: T[] = [];
    for await (const page of paginateQuery({ client: this.doc }, { TableName: this.tableName, ...input, ...x.attributes() })) {
      for (const item of page.Items ?? []) records.push(recordOf<T>(item));
    }
    return records;
  }
}

/** DynamoDB's answer when a ConditionExpression was false: the expected outcome of a lost race. */
function isConditionFailure(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}
