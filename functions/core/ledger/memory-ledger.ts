import { APPROVAL_TRANSITIONS, awaitsExpirySweep, CHANGE_SLOT_SECONDS, type ApprovalRecord, type ApprovalState, type ChangeRecord, type FindingRecord, type Ledger, type SlackRef, type TransitionOptions } from './types';

/**
 * A ledger in memory, with the same conditional-write semantics as the DynamoDB one. For the
 * CLI, for tests of the pipeline, and as the reference the DynamoDB implementation is tested
 * against.
 */
export class MemoryLedger implements Ledger {
  private readonly findings = new Map<string, FindingRecord>();
  private readonly approvals = new Map<string, ApprovalRecord>();
  private readonly changes = new Map<string, ChangeRecord>();
  private readonly slots = new Map<number, { holder: string; expiresAt: number }>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** An item past its expiresAt counts as absent, as in DynamoDB before TTL removes it. */
  private live<T extends { expiresAt: number }>(item: T | undefined): T | undefined {
    return item && item.expiresAt * 1000 > this.clock().getTime() ? item : undefined;
  }

  async getFinding(id: string) {
    return clone(this.live(this.findings.get(id)));
  }

  async createFinding(record: FindingRecord) {
    if (this.live(this.findings.get(record.id))) return undefined;
    this.findings.set(record.id, clone(record)!);
    return clone(record);
  }

  async updateFinding(next: FindingRecord) {
    const current = this.live(this.findings.get(next.id));
    if (!current || current.version !== next.version - 1) return undefined;
    this.findings.set(next.id, clone(next)!);
    return clone(next);
  }

  async listOpenFindings(filter?: { provider?: string; namespace?: string; mesh?: string }) {
    return [...this.findings.values()]
      .filter((r) => this.live(r) && r.status === 'open')
      .filter((r) => !filter?.provider || r.finding.provider === filter.provider)
      .filter((r) => !filter?.namespace || r.finding.resource.namespace === filter.namespace)
      .filter((r) => !filter?.mesh || r.finding.resource.mesh === filter.mesh)
      .map((r) => clone(r)!);
  }

  async listPendingNotifications() {
    return [...this.findings.values()].filter((r) => this.live(r) && r.notificationPending).map((r) => clone(r)!);
  }

  async createApproval(record: ApprovalRecord) {
    if (this.live(this.approvals.get(record.id))) return undefined;
    this.approvals.set(record.id, clone(record)!);
    return clone(record);
  }

  async getApproval(id: string) {
    return clone(this.live(this.approvals.get(id)));
  }

  async transitionApproval(id: string, from: ApprovalState[], to: ApprovalState, patch: Partial<ApprovalRecord> = {}, options: TransitionOptions = {}) {
    const current = this.live(this.approvals.get(id));
    if (!current || !from.includes(current.state) || !APPROVAL_TRANSITIONS[current.state].includes(to)) return undefined;
    if (options.version !== undefined && current.version !== options.version) return undefined;
    const next: ApprovalRecord = { ...current, ...patch, id, state: to, version: current.version + 1 };
    this.approvals.set(id, clone(next)!);
    return clone(next);
  }

  async addApprovalCause(id: string, actor: string) {
    const current = this.live(this.approvals.get(id));
    if (!current || current.causedBy === actor || current.alsoCausedBy?.includes(actor)) return undefined;
    const next: ApprovalRecord = current.causedBy === undefined ? { ...current, causedBy: actor } : { ...current, alsoCausedBy: [...(current.alsoCausedBy ?? []), actor] };
    this.approvals.set(id, next);
    return clone(next);
  }

  async setApprovalSlack(id: string, slack: SlackRef) {
    const current = this.approvals.get(id);
    if (current) this.approvals.set(id, { ...current, slack });
  }

  async findOpenApproval(findingId: string) {
    return clone([...this.approvals.values()].find((a) => this.live(a) && a.findingId === findingId && (a.state === 'PENDING' || a.state === 'APPROVED' || a.state === 'EXECUTING')));
  }

  async listOverdueApprovals(dueBy: string) {
    const due = Date.parse(dueBy);
    return [...this.approvals.values()]
      .filter((a) => this.live(a) && awaitsExpirySweep(a) && Date.parse(a.approvalExpiresAt) <= due)
      .sort((a, b) => Date.parse(a.approvalExpiresAt) - Date.parse(b.approvalExpiresAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((a) => clone(a)!);
  }

  async markExpiryShown(id: string, version?: number, notShown?: string) {
    const current = this.live(this.approvals.get(id));
    if (current?.state !== 'EXPIRED' || (version !== undefined && current.version !== version)) return false;
    this.approvals.set(id, { ...current, expiryShown: true, ...(notShown !== undefined ? { expiryNotShown: notShown } : {}) });
    return true;
  }

  async recordExpiryRedrawFailure(id: string, version: number, failure: { at: string; error: string }) {
    const current = this.live(this.approvals.get(id));
    if (current?.state !== 'EXPIRED' || current.expiryShown === true || current.version !== version) return undefined;
    const next: ApprovalRecord = {
      ...current,
      expiryRedrawFailures: (current.expiryRedrawFailures ?? 0) + 1,
      expiryRedrawFirstFailedAt: current.expiryRedrawFirstFailedAt ?? failure.at,
      expiryRedrawError: failure.error,
    };
    this.approvals.set(id, next);
    return clone(next);
  }

  async recordChange(change: ChangeRecord) {
    this.changes.set(change.id, clone(change)!);
  }

  async getChange(id: string) {
    return clone(this.live(this.changes.get(id)));
  }

  async listChanges(since: string, filter?: { service?: string }) {
    return [...this.changes.values()]
      .filter((c) => this.live(c) && c.at >= since && (!filter?.service || c.service === filter.service))
      // Newest first, and among changes of the same time the higher id first: DynamoDB's order of `<at>#<id>`.
      .sort((a, b) => descending(a.at, b.at) || descending(a.id, b.id))
      .map((c) => clone(c)!);
  }

  async listPendingAnnouncements(since: string) {
    return (await this.listChanges(since)).filter((c) => c.announcementPending === true).reverse();
  }

  async markChangeAnnounced(id: string) {
    const current = this.live(this.changes.get(id));
    if (current?.announcementPending !== true) return false;
    const { announcementPending: _sent, ...rest } = current;
    this.changes.set(id, rest);
    return true;
  }

  async reserveChangeSlot(holder: string, slots: number) {
    for (const [slot, held] of this.slots) if (this.live(held)?.holder === holder) return slot;
    for (let slot = 0; slot < slots; slot++) {
      if (this.live(this.slots.get(slot))) continue;
      this.slots.set(slot, { holder, expiresAt: Math.floor(this.clock().getTime() / 1000) + CHANGE_SLOT_SECONDS });
      return slot;
    }
    return undefined;
  }

  async releaseChangeSlot(slot: number, holder: string) {
    if (this.slots.get(slot)?.holder === holder) this.slots.delete(slot);
  }
}

function descending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/** Records leave the ledger as copies, as they would from a database. */
function clone<T>(v: T | undefined): T | undefined {
  return v === undefined ? undefined : structuredClone(v);
}
