import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Refusal } from '../../core/approvals/decision';
import { PermanentRedrawError } from '../../core/approvals/redraw-error';
import type { Finding } from '../../core/findings';
import type { ApprovalRecord, ChangeRecord, FindingRecord, SlackRef } from '../../core/ledger/types';
import type { Notifier, Route } from '../../core/pipeline/ports';
import type { Trigger } from '../../core/pipeline/trigger';
import { platformError } from './approver-directory';
import { approvalOutcomeMessage } from './messages/approval-outcome-message';
import { approvalRequestMessage } from './messages/approval-request-message';
import type { SlackMessage } from './messages/block-kit';
import { changeAnnouncementMessage } from './messages/change-announcement-message';
import { digestMessage } from './messages/digest-message';
import type { EvidenceContext } from './messages/evidence';
import { findingMessage } from './messages/finding-message';
import { followUpText, type FollowUpKind } from './messages/follow-up';
import { refusalText } from './messages/refusal-message';
import { respondEphemeral } from './response-url';

type FindingChange = Parameters<Notifier['notifyFinding']>[2];

/** The thread reply each kind of news gets on an existing message, and whether the channel sees it too. */
const FOLLOW_UP: Partial<Record<FindingChange, { kind: FollowUpKind; broadcast: boolean }>> = {
  escalated: { kind: 'escalated', broadcast: true },
  reminder: { kind: 'reminder', broadcast: false },
  // A "new" finding that already has a message was resolved and came back.
  new: { kind: 'reopened', broadcast: true },
  updated: { kind: 'updated', broadcast: false },
};

/** Where a clicker can be answered: the message's channel, and the click's response_url. */
export interface RefusalAddress {
  channel?: string;
  user: string;
  responseUrl?: string;
}

/** Refusals are told within the click's 3-second answer, so the response_url gets 1 s. */
const RESPONSE_URL_TIMEOUT_MS = 1_000;

/** Codes of errors after which Slack answered without showing the message: an HTTP error status (a 5xx), or a 429 not waited out. */
const ANSWERED_NOT_POSTED: ReadonlySet<string> = new Set([ErrorCode.HTTPError, ErrorCode.RateLimitedError]);

/**
 * Slack answered, and not with the message posted: `{ ok: false }`, an HTTP error status, or a
 * 429 not waited out. Only a call that got no answer (a timeout, the network) is taken to have
 * maybe posted: a 5xx that did post after all shows the clicker the text twice, which beats never.
 */
function answeredNotPosted(err: unknown): boolean {
  return platformError(err) !== undefined || ANSWERED_NOT_POSTED.has((err as { code?: string })?.code ?? '');
}

/** Slack answers these when a message or its channel is gone: post a fresh message instead. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_update_message', 'is_archived']);

/** For an approval's message, only its deletion is gone: a channel left or archived still shows the buttons. */
const MESSAGE_DELETED: ReadonlySet<string> = new Set(['message_not_found']);

/**
 * chat.update answers (Slack's method reference, and its errors common to every method) that the
 * same call will get again however often it is repeated: the channel is gone, archived or closed
 * to the app; the message may not be edited by it any more; the token or its scopes are gone; the
 * content is refused. An approval's message keeps its buttons then, and nothing posts instead.
 * Anything else (ratelimited, fatal_error, service_unavailable, an HTTP 5xx, the network) may pass later.
 */
const NEVER_REDRAWN = new Set([
  'channel_not_found',
  'is_archived',
  'is_inactive',
  'not_in_channel',
  'cant_update_message',
  'edit_window_closed',
  'no_permission',
  'access_denied',
  'team_not_found',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_allowed_token_type',
  'msg_too_long',
  'no_text',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'block_mismatch',
]);

/**
 * The Notifier on Slack's Web API: one Block Kit message per finding in the owning team's
 * channel, redrawn in place (chat.update) as the finding changes or resolves, with escalations
 * and reminders as thread replies; one digest per channel for scheduled runs; approval
 * requests with Approve / Reject; change announcements with Undo; and ephemeral refusals.
 * Every method throws when Slack does not take the message (after the client's bounded
 * retries, 429 Retry-After included): the caller keeps it owed and a later run sends it.
 *
 * @example
 *   const notifier = new SlackNotifier(createSlackClient({ token, apiUrl: process.env.MESHGOV_SLACK_API_URL }), { awsRegion: process.env.AWS_REGION });
 *   const ref = await notifier.notifyFinding(record, routeFor(record.finding, policy), 'new'); // { channel: 'C07PLATSEC9', ts: '1795186890.000200' }
 */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly client: WebClient,
    private readonly evidence: EvidenceContext = {},
  ) {}

  async notifyFinding(record: FindingRecord, route: Route, change: FindingChange): Promise<SlackRef> {
    const state = change === 'resolved' || record.status === 'resolved' ? 'resolved' : 'open';
    const message = findingMessage(record, state, this.evidence);
    if (record.slack && (await this.update(record.slack, message))) {
      const followUp = FOLLOW_UP[change];
      if (followUp && state === 'open') {
        await this.client.chat.postMessage({
          channel: record.slack.channel,
          thread_ts: record.slack.ts,
          text: followUpText(record, followUp.kind),
          reply_broadcast: followUp.broadcast,
          unfurl_links: false,
        });
      }
      return record.slack;
    }
    return this.post(route.channel, message);
  }

  async postDigest(route: Route, records: FindingRecord[], trigger: Trigger): Promise<SlackRef> {
    return this.post(route.channel, digestMessage(records, trigger));
  }

  async requestApproval(approval: ApprovalRecord, route: Route): Promise<SlackRef> {
    return this.post(route.channel, approvalRequestMessage(approval, this.evidence));
  }

  /**
   * Redraws an approval's message with its state; nothing to do when the request was never
   * delivered, or its message was deleted (no buttons left to click). An expired Undo lives in
   * its change's announcement, which keeps saying what was changed and only loses its button.
   * Throws PermanentRedrawError when Slack will never take the redraw, any other error when it may.
   */
  async updateApproval(approval: ApprovalRecord, undone?: ChangeRecord): Promise<void> {
    if (!approval.slack) return;
    const message =
      approval.state === 'EXPIRED' && undone !== undefined && undone.id === approval.undoOf
        ? changeAnnouncementMessage(undone, approval.finding, approval.id, this.evidence, { undoExpiredAt: approval.approvalExpiresAt })
        : approvalOutcomeMessage(approval, this.evidence);
    try {
      // Only a deleted message is done with: no buttons are left to click.
      await this.update(approval.slack, message, MESSAGE_DELETED);
    } catch (err) {
      const error = platformError(err);
      if (error !== undefined && NEVER_REDRAWN.has(error)) throw new PermanentRedrawError(error, { cause: err });
      throw err;
    }
  }

  async announceChange(change: ChangeRecord, finding: Finding, route: Route, undoApprovalId?: string): Promise<SlackRef> {
    return this.post(route.channel, changeAnnouncementMessage(change, finding, undoApprovalId, this.evidence));
  }

  /**
   * Tells one person, and only them, why their click did nothing: chat.postEphemeral, and when
   * Slack will not take it there (the bot is not in the channel: it posts with chat:write.public;
   * Slack answers a 5xx) the interaction's response_url, which needs no membership.
   */
  async explainRefusal(where: RefusalAddress, refusal: Refusal): Promise<void> {
    const text = refusalText(refusal);
    if (where.channel) {
      try {
        await this.client.chat.postEphemeral({ channel: where.channel, user: where.user, text });
        return;
      } catch (err) {
        // Only when Slack answered that it did not show it: a timeout may have, and the clicker must not read it twice.
        if (!where.responseUrl || !answeredNotPosted(err)) throw err;
      }
    }
    if (!where.responseUrl) throw new Error('neither a channel nor a response_url to answer the clicker in');
    await respondEphemeral(where.responseUrl, text, RESPONSE_URL_TIMEOUT_MS);
  }

  private async post(channel: string, message: SlackMessage): Promise<SlackRef> {
    const posted = await this.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
    // Slack answers with the channel id even when posting to a `#name`; chat.update needs the id.
    if (!posted.channel || !posted.ts) throw new Error(`chat.postMessage to ${channel} answered without channel and ts`);
    return { channel: posted.channel, ts: posted.ts };
  }

  /** chat.update; false when Slack answers one of `gone` (by default: deleted, archived channel), so the caller posts anew. */
  private async update(ref: SlackRef, message: SlackMessage, gone: ReadonlySet<string> = GONE): Promise<boolean> {
    try {
      await this.client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks });
      return true;
    } catch (err) {
      if (gone.has(platformError(err) ?? '')) return false;
      throw err;
    }
  }
}
