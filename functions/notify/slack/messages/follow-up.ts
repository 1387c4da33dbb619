import type { FindingRecord } from '../../../core/ledger/types';
import { code, formatTime, prose } from './escape';

export type FollowUpKind = 'escalated' | 'reminder' | 'reopened' | 'updated';

/**
 * The thread reply that tells a channel why a known finding speaks again: it got more severe,
 * it is still open after the reminder interval, it came back after being resolved, or it changed.
 */
export function followUpText(record: FindingRecord, kind: FollowUpKind): string {
  const f = record.finding;
  const message = prose(f.message, 2500);
  switch (kind) {
    case 'escalated':
      return `:arrow_up: Escalated to *${f.severity}*${record.notifiedSeverity ? ` (was ${record.notifiedSeverity})` : ''}: ${message}`;
    case 'reminder':
      return `:alarm_clock: Still open, first seen ${formatTime(record.firstSeen)}, last seen ${formatTime(record.lastSeen)}: ${message}`;
    case 'reopened':
      return `:repeat: Open again (finding ${code(f.id)}): ${message}`;
    case 'updated':
      return `:pencil2: Changed: ${message}`;
  }
}
