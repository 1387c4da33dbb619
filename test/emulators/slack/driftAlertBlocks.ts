import type { ChatPostMessageArguments } from '@slack/web-api';

/** Block Kit blocks as `@slack/web-api` types them (`(KnownBlock | Block)[]`). */
export type MessageBlocks = Extract<ChatPostMessageArguments, { blocks: unknown[] }>['blocks'];

/**
 * A realistic meshgov alert for tests: header, section with fields, context, and an
 * actions block with approve/reject buttons, in Block Kit's real JSON shape.
 * Source: https://docs.slack.dev/reference/block-kit/blocks
 */
export function driftAlertBlocks(status: 'open' | 'approved'): MessageBlocks {
  return [
    { type: 'header', text: { type: 'plain_text', text: 'mTLS drift: payments/ledger-api', emoji: true } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*mtls-not-strict* · PeerAuthentication `payments/default` sets `PERMISSIVE` on port 8443',
      },
      fields: [
        { type: 'mrkdwn', text: '*Mesh*\nistio-prod-eu-west-1' },
        { type: 'mrkdwn', text: `*Status*\n${status === 'open' ? 'Awaiting approval' : 'Approved by <@U0AB12CD34>'}` },
      ],
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Finding `f-7c1e9b42` · first seen 2026-11-20T08:14:03Z' }],
    },
    {
      type: 'actions',
      block_id: 'remediation_f-7c1e9b42',
      elements: [
        {
          type: 'button',
          action_id: 'approve_remediation',
          text: { type: 'plain_text', text: 'Approve STRICT' },
          style: 'primary',
          value: 'f-7c1e9b42',
        },
        {
          type: 'button',
          action_id: 'reject_remediation',
          text: { type: 'plain_text', text: 'Reject' },
          style: 'danger',
          value: 'f-7c1e9b42',
        },
      ],
    },
  ];
}
