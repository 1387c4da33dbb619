import type { ApprovalVerb } from '../../../core/approvals/decision';

/**
 * The ids meshgov's buttons carry, shared by the message builders and the interactivity
 * endpoint. A button's `value` is `<verb>:<approvalId>`, as in the shared block_actions sample
 * (`approve:rmd-7c1e9a44d2b0`).
 */
export const ACTION_IDS: Record<ApprovalVerb, string> = {
  approve: 'meshgov_approve',
  reject: 'meshgov_reject',
  undo: 'meshgov_undo',
};

export const BLOCK_IDS = {
  title: 'meshgov_title',
  finding: 'meshgov_finding',
  cause: 'meshgov_cause',
  fix: 'meshgov_fix',
  evidence: 'meshgov_evidence',
  decision: 'meshgov_decision',
  undo: 'meshgov_undo',
  outcome: 'meshgov_outcome',
  meta: 'meshgov_meta',
} as const;

export function buttonValue(verb: ApprovalVerb, approvalId: string): string {
  return `${verb}:${approvalId}`;
}

const VERB_BY_ACTION_ID = new Map(Object.entries(ACTION_IDS).map(([verb, id]) => [id, verb as ApprovalVerb]));

/**
 * The verb and approval id of a clicked meshgov button, or undefined when the action is not
 * one of meshgov's or its value does not match its action id (so a crafted value cannot turn
 * a Reject button into an approval).
 */
export function parseButton(actionId: string, value: string | undefined): { verb: ApprovalVerb; approvalId: string } | undefined {
  const verb = VERB_BY_ACTION_ID.get(actionId);
  if (!verb || typeof value !== 'string') return undefined;
  const match = /^(approve|reject|undo):([A-Za-z0-9][A-Za-z0-9_.-]{0,199})$/.exec(value);
  if (!match || match[1] !== verb) return undefined;
  return { verb, approvalId: match[2] };
}
