import type { Finding } from '../../functions/core/findings';
import type { ApprovalRecord, ChangeRecord, FindingRecord, SlackRef } from '../../functions/core/ledger/types';
import type { Notifier, Route } from '../../functions/core/pipeline/ports';
import type { Trigger } from '../../functions/core/pipeline/trigger';

/**
 * A Notifier that records what it was asked to send, for tests of the pipeline's decisions.
 * The Slack notifier itself is tested against the Slack emulator.
 */
export class RecordingNotifier implements Notifier {
  readonly sent: Array<{ type: string; id: string; kind?: string; channel?: string; count?: number }> = [];
  down = false;
  private ts = 0;

  private ref(channel: string): SlackRef {
    if (this.down) throw new Error('slack unreachable');
    return { channel, ts: `1795186890.${String(++this.ts).padStart(6, '0')}` };
  }

  async notifyFinding(record: FindingRecord, route: Route, change: string) {
    const ref = this.ref(route.channel);
    this.sent.push({ type: 'finding', id: record.id, kind: change, channel: route.channel });
    return record.slack ?? ref;
  }
  async postDigest(route: Route, records: FindingRecord[], _trigger: Trigger) {
    const ref = this.ref(route.channel);
    this.sent.push({ type: 'digest', id: records.map((r) => r.id).join(','), channel: route.channel, count: records.length });
    return ref;
  }
  async requestApproval(approval: ApprovalRecord, route: Route) {
    const ref = this.ref(route.channel);
    this.sent.push({ type: 'approval', id: approval.id, channel: route.channel });
    return ref;
  }
  async updateApproval(approval: ApprovalRecord) {
    this.ref('C0');
    this.sent.push({ type: 'approval-update', id: approval.id, kind: approval.state });
  }
  async announceChange(change: ChangeRecord, _finding: Finding, route: Route, undoApprovalId?: string) {
    const ref = this.ref(route.channel);
    this.sent.push({ type: 'change', id: change.id, kind: undoApprovalId ?? change.outcome, channel: route.channel });
    return ref;
  }
}
