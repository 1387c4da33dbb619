import type { Remediation } from '../../core/findings';
import type { ChangeRecord } from '../../core/ledger/types';
import { signRequest, type ExecuteRequest, type ExecuteResponse } from '../../core/link';
import type { RemediationExecutor, WriteReport } from '../../core/pipeline/ports';
import type { Trigger } from '../../core/pipeline/trigger';
import { undoActionOf } from '../../core/remediation/undo-action';

export interface AgentExecutorOptions {
  /** The agent's executeRemediation URL (MESHGOV_AGENT_URL). */
  url: string;
  /** The shared hub–agent key. */
  secret: () => Promise<string>;
  clock?: () => Date;
  /** Attempts for a network failure or a 5xx before the change is reported failed. */
  attempts?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The hub's executor for Istio changes: the agent on GCP holds the Kubernetes credentials,
 * so the hub sends it one signed request per change (HMAC over timestamp, nonce and body) and
 * records what the agent answers. The agent applies, verifies and rolls back itself.
 *
 * @example
 *   const executor = agentExecutor({ url: process.env.MESHGOV_AGENT_URL!, secret: () => linkSecret() });
 */
export function agentExecutor(options: AgentExecutorOptions): RemediationExecutor {
  const doFetch = options.fetch ?? fetch;
  const clock = options.clock ?? (() => new Date());
  const attempts = options.attempts ?? 3;

  async function send(request: ExecuteRequest): Promise<WriteReport> {
    const body = JSON.stringify(request);
    let lastError = '';
    // Whether an attempt so far may have reached the agent and written: its answer was lost.
    let mayHaveRun = false;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // A fresh nonce per attempt: the agent refuses a replayed one.
      const headers = signRequest(body, await options.secret(), clock());
      try {
        const res = await doFetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
        const text = await res.text();
        // 500 carries the agent's own "failed" outcome; a gateway error usually means it never ran: try
        // again (the change id lets a second run find the first one's write). It may also have cut
        // off an agent that went on to write, so it counts as a possible write.
        if (res.status === 502 || res.status === 503 || res.status === 504) {
          lastError = `agent answered ${res.status}`;
          mayHaveRun = true;
          continue;
        }
        // The agent checks the signature and the body before it runs anything: a 4xx of its own wrote nothing.
        const refusedBeforeRunning = res.status >= 400 && res.status < 500;
        let answer: Partial<ExecuteResponse> & { error?: string; message?: string } = {};
        try {
          answer = JSON.parse(text);
        } catch {
          return failed(request, `the agent answered ${res.status} with a body that is not JSON`, mayHaveRun || !refusedBeforeRunning);
        }
        // The agent answers this before it reads the request, let alone the cluster (execute-remediation.ts).
        if (!answer.outcome && answer.error === 'agent-misconfigured') {
          return failed(request, `the agent is not configured (${res.status}: ${answer.message ?? text}); see its logs`, mayHaveRun);
        }
        if (res.status === 401 || res.status === 400) {
          return failed(request, `the agent refused the request (${res.status} ${answer.error ?? ''}: ${answer.message ?? text})`, mayHaveRun);
        }
        if (answer.outcome) {
          return {
            outcome: answer.outcome,
            detail: answer.detail ?? '',
            before: answer.before,
            after: answer.after,
            target: answer.target ?? targetOf(request.remediation),
            // An agent from before `wrote`: 409 aborted changed nothing, a 500 failed may have landed.
            wrote: mayHaveRun || (answer.wrote ?? answer.outcome !== 'aborted'),
            // Only an agent that says so recorded `after` as what it wrote; an older one may have recorded a re-read.
            ...(answer.afterWritten === true ? { afterWritten: true } : {}),
          };
        }
        return failed(request, `the agent answered ${res.status} without an outcome`, mayHaveRun || !refusedBeforeRunning);
      } catch (err) {
        lastError = (err as Error).message;
        if (mayHaveBeenSent(err)) mayHaveRun = true;
      }
    }
    return failed(request, `the agent could not be reached after ${attempts} attempts: ${lastError}`, mayHaveRun);
  }

  return {
    handles: (remediation: Remediation) => remediation.action.startsWith('istio.'),
    // Without findingId and approved the agent cannot plan the change again, and refuses it (400).
    apply: (remediation, context) =>
      send({
        remediation,
        trigger: context.trigger,
        changeId: context.changeId,
        ...(context.findingId !== undefined ? { findingId: context.findingId } : {}),
        ...(context.approved !== undefined ? { approved: context.approved } : {}),
      }),
    revert: (change: ChangeRecord, context: { trigger: Trigger; changeId: string }) =>
      send({
        remediation: { action: undoActionOf(change.action), mode: 'approval', reason: `undo of ${change.id}`, change: { target: change.target } },
        trigger: context.trigger,
        changeId: context.changeId,
        revert: change,
      }),
  };
}

function targetOf(remediation: Remediation): Record<string, unknown> {
  const t = remediation.change.target;
  return typeof t === 'object' && t !== null ? (t as Record<string, unknown>) : {};
}

function failed(request: ExecuteRequest, detail: string, wrote: boolean): WriteReport {
  return { outcome: 'failed', detail, target: targetOf(request.remediation), wrote };
}

/** Failures of fetch before the request went out: no connection was made. */
const UNSENT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether a request that failed without an answer may have reached the agent: anything but a
 * connection never made (a timeout waiting for the answer, a connection dropped mid-request).
 */
function mayHaveBeenSent(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = cause?.code ?? (err as { code?: unknown } | undefined)?.code;
  return !(typeof code === 'string' && UNSENT_ERRORS.has(code));
}
