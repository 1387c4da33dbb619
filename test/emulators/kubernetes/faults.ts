/**
 * Failures a test arms before it drives the client: the next N requests that match answer
 * with an HTTP error and its real Status body instead of being served. Rules are consumed in
 * the order they were armed; a request uses at most one rule.
 */
import type { RecordedCall } from './types';

/**
 * Which requests a rule hits:
 * - a string `"<verb> <resource>"` (`"patch peerauthentications"`), `"<verb>"`, or `"* <resource>"`;
 * - an object whose given fields must all equal the request's;
 * - a predicate over the recorded call.
 */
export type RequestMatcher =
  | string
  | { verb?: string; resource?: string; namespace?: string; name?: string; group?: string }
  | ((call: Omit<RecordedCall, 'status'>) => boolean);

export interface FaultOptions {
  /** Seconds sent in Retry-After (429, 503) and Status details; default 1. */
  retryAfterSeconds?: number;
}

interface FaultRule {
  matches: (call: Omit<RecordedCall, 'status'>) => boolean;
  status: number;
  remaining: number;
  retryAfterSeconds: number;
}

function compileMatcher(matcher: RequestMatcher): (call: Omit<RecordedCall, 'status'>) => boolean {
  if (typeof matcher === 'function') return matcher;
  if (typeof matcher === 'string') {
    const [verb, resource] = matcher.trim().split(/\s+/);
    return (call) => (verb === '*' || verb === call.verb) && (resource === undefined || resource === '*' || resource === call.resource);
  }
  return (call) =>
    (matcher.verb === undefined || matcher.verb === call.verb) &&
    (matcher.resource === undefined || matcher.resource === call.resource) &&
    (matcher.namespace === undefined || matcher.namespace === call.namespace) &&
    (matcher.name === undefined || matcher.name === call.name) &&
    (matcher.group === undefined || matcher.group === call.group);
}

export class FaultInjector {
  private rules: FaultRule[] = [];

  arm(matcher: RequestMatcher, status: number, count: number, options: FaultOptions): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new Error(`kubernetes emulator: failNext needs an HTTP error status, got ${status}`);
    if (!Number.isInteger(count) || count < 1) throw new Error(`kubernetes emulator: failNext needs a positive count, got ${count}`);
    this.rules.push({ matches: compileMatcher(matcher), status, remaining: count, retryAfterSeconds: options.retryAfterSeconds ?? 1 });
  }

  /** The rule this request trips, consuming one use of it. */
  take(call: Omit<RecordedCall, 'status'>): { status: number; retryAfterSeconds: number } | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && r.matches(call));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return { status: rule.status, retryAfterSeconds: rule.retryAfterSeconds };
  }

  /** How many armed failures are still waiting for a request. */
  pending(): number {
    return this.rules.reduce((sum, r) => sum + r.remaining, 0);
  }

  clear(): void {
    this.rules = [];
  }
}
