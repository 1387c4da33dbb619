import type { Remediation } from '../../core/findings';
import type { ChangeRecord } from '../../core/ledger/types';
import { signRequest, type ExecuteRequest, type ExecuteResponse } from '../../core/link';
import type { ApplyResult, RemediationExecutor } from '../../core/pipeline/ports';
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

  async function send(request: ExecuteRequest): Promise<ApplyResult> {
    const body = JSON.stringify(request);
    let lastError = '';
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
        // 500 carries the agent's own "failed" outcome; gateway errors mean it never ran: try again.
        if (res.status === 502 || res.status === 503 || res.status === 504) {
          lastError = `agent answered ${res.status}`;
          continue;
        }
        let answer: Partial<ExecuteResponse> & { error?: string; message?: string } = {};
        try {
          answer = JSON.parse(text);
        } catch {
          return failed(request, `the agent answered ${res.status} with a body that is not JSON`);
        }
        if (res.status === 401 || res.status === 400) {
          return failed(request, `the agent refused the request (${res.status} ${answer.error ?? ''}: ${answer.message ?? text})`);
        }
        if (answer.outcome) {
          return { outcome: answer.outcome, detail: answer.detail ?? '', before: answer.before, after: answer.after, target: answer.target ?? targetOf(request.remediation) };
        }
        return failed(request, `the agent answered ${res.status} without an outcome`);
      } catch (err) {
        lastError = (err as Error).message;
      }
    }
    return failed(request, `the agent could not be reached after ${attempts} attempts: ${lastError}`);
  }

  return {
    handles: (remediation: Remediation) => remediation.action.startsWith('istio.'),
    apply: (remediation, context) => send({ remediation, trigger: context.trigger, changeId: context.changeId }),
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

function failed(request: ExecuteRequest, detail: string): ApplyResult {
  return { outcome: 'failed', detail, target: targetOf(request.remediation) };
}
