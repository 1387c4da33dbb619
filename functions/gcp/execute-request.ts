import * as z from 'zod';
import type { ExecuteRequest } from '../core/link';

/**
 * The body of a request to `executeRemediation`, validated after its signature: the hub is
 * trusted to be who it says, not to be free of bugs. A problem names the field.
 */

const TRIGGER_SOURCES = ['cloudtrail', 'aws-config', 'schedule', 'acm', 'cloudwatch-alarm', 'gke-audit', 'cloud-scheduler', 'cloud-monitoring', 'slack', 'cli'] as const;

const executeRequestFields = z.object({
  remediation: z.object({
    action: z.string().min(1),
    // A manual remediation is a person's job; the hub must never dispatch one.
    mode: z.enum(['auto', 'approval'], { error: 'must be auto or approval (a manual remediation is made by a person)' }),
    reason: z.string(),
    change: z.record(z.string(), z.unknown()),
    // The approved plan's full blocker list, which the re-plan compares (its reason shows five).
    blockers: z.array(z.string()).optional(),
  }),
  trigger: z.object({
    source: z.enum(TRIGGER_SOURCES),
    eventId: z.string().min(1),
    eventTime: z.string().min(1),
    actor: z.string().optional(),
    summary: z.string(),
  }),
  changeId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits, dots, colons, dashes or underscores'),
  // An Undo: the recorded change to restore; the executor checks it still owns the resource.
  revert: z
    .object({
      id: z.string().min(1),
      provider: z.literal('istio'),
      action: z.string().min(1),
      target: z.record(z.string(), z.unknown()),
      before: z.unknown(),
      after: z.unknown(),
    })
    .passthrough()
    .optional(),
  // The agent plans an apply again before writing it (replan-change.ts): it needs the finding and
  // who decided. A revert restores a recorded `before` and is not planned, so it carries neither.
  findingId: z.string().min(1).max(512).optional(),
  approved: z.boolean().optional(),
});

const executeRequestSchema = executeRequestFields.superRefine((request, ctx) => {
  const revert = request.revert !== undefined;
  for (const field of ['findingId', 'approved'] as const) {
    if (revert && request[field] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [field], message: 'must be absent on a revert (an Undo restores a recorded change; nothing is planned again)' });
    } else if (!revert && request[field] === undefined) {
      const what = field === 'findingId' ? 'the id of the finding the change fixes' : 'true when a person approved the change, false for an auto fix';
      ctx.addIssue({ code: 'custom', path: [field], message: `is required to apply a change (${what}): the agent plans it again before applying` });
    }
  }
});

export type ParsedExecuteRequest = { ok: true; request: ExecuteRequest } | { ok: false; field: string; message: string };

export function parseExecuteRequest(rawBody: Uint8Array): ParsedExecuteRequest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(rawBody).toString('utf8'));
  } catch (error) {
    return { ok: false, field: '(body)', message: `body is not JSON: ${(error as Error).message}` };
  }
  const parsed = executeRequestSchema.safeParse(json);
  if (parsed.success) return { ok: true, request: parsed.data as ExecuteRequest };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.');
  return { ok: false, field, message: `${field}: ${issue.message}` };
}
