import * as z from 'zod/mini';
import { EventError } from './event-error';

/**
 * The EventBridge envelope, field for field as Powertools' parser declares it
 * (@aws-lambda-powertools/parser/schemas EventBridgeSchema). Declared here with Zod Mini, the
 * tree-shakable build of the same library: that module imports zod whole (`{ z }`), which puts
 * zod's 40 locales, ~350 KB, in every bundle that parses an event, and the auditor's cold start
 * has little room under its 150 ms (bench/cold-start).
 */
const EventBridgeSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.optional(z.string()),
});

export interface EventBridgeEvent {
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: any;
}

/** Validates an EventBridge envelope; errors name the first bad field. */
export function parseEventBridge(value: unknown): EventBridgeEvent {
  const parsed = z.safeParse(EventBridgeSchema, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const id = typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : undefined;
    throw new EventError(issue.path.join('.') || '(event)', `not an EventBridge event: ${describeIssue(issue)}`, id);
  }
  return parsed.data as unknown as EventBridgeEvent;
}

/** Zod Mini ships no message locale: the issue's code and what it expected say it. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'invalid_format') return `not a valid ${issue.format}`;
  return issue.code;
}

/** Parses an SQS message body holding an EventBridge event (an EventBridge rule targeting the queue). */
export function parseEventBridgeBody(body: string): EventBridgeEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new EventError('body', `not JSON: ${(err as Error).message}`);
  }
  return parseEventBridge(value);
}
