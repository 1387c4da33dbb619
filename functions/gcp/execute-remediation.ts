import type { Request, Response } from '@google-cloud/functions-framework';
import { isRecord } from '../core/is-record';
import { verifyRequest, type ExecuteRequest, type ExecuteResponse } from '../core/link';
import type { ApplyResult } from '../core/pipeline/ports';
import type { AgentDeps, AgentDepsFactory } from './agent-deps';
import { parseExecuteRequest } from './execute-request';
import type { Logger } from './log';
import { replanChange, type ReplanVerdict } from './replan-change';
import { logStartupFailure } from './with-deps';

/** HTTP status by outcome (ExecuteResponse): 409 means nothing was changed on purpose. */
const STATUS_BY_OUTCOME: Record<ApplyResult['outcome'], number> = { verified: 200, 'rolled-back': 200, aborted: 409, failed: 500 };

/**
 * `executeRemediation`: the hub sends an approved change, signed over the raw body. Nothing is
 * read from the body before its signature, timestamp and nonce pass (401 otherwise); then the
 * body is validated (400 naming the field), the change is planned again on a full read of the
 * cluster (replan-change.ts: refused with 409 when it no longer holds, 500 when the cluster
 * cannot be read), and it goes through the executor that handles its action: a resourceVersion
 * conflict aborts it (409), a failure is 500.
 */
export function executeRemediation(deps: AgentDepsFactory, baseLog: Logger): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const log = baseLog.with({ function: 'executeRemediation', ...(req.executionId ? { executionId: req.executionId } : {}) });
    if (req.method !== 'POST') {
      res.status(405).set('allow', 'POST').json({ error: 'method-not-allowed', message: 'use POST' });
      return;
    }
    let agent: AgentDeps;
    try {
      agent = await deps();
    } catch (error) {
      logStartupFailure(log, error);
      res.status(500).json({ error: 'agent-misconfigured', message: 'the agent is not configured; see its logs' });
      return;
    }

    // functions-framework keeps the bytes as received in req.rawBody; re-serialising req.body would not match the signature.
    const raw = req.rawBody ?? Buffer.alloc(0);
    const verdict = await verifyRequest(req.headers, raw, agent.config.linkSecrets, agent.clock(), agent.nonceStore);
    if (!verdict.ok) {
      log.warning(`refused request: ${verdict.message}`, { reason: verdict.reason, header: verdict.header, sourceIp: req.ip });
      res.status(401).json({ error: verdict.reason, message: verdict.message });
      return;
    }

    const parsed = parseExecuteRequest(raw);
    if (!parsed.ok) {
      log.error(`malformed execute request: ${parsed.message}`, { field: parsed.field });
      res.status(400).json({ error: 'malformed-request', field: parsed.field, message: parsed.message });
      return;
    }
    const { remediation, trigger, changeId } = parsed.request;
    const context = { changeId, action: remediation.action, trigger: trigger.summary };
    const target = isRecord(remediation.change.target) ? remediation.change.target : {};

    // An Undo is handled by the executor of the change it reverts: asked about that change's
    // action on that change's target (the revert itself restores the recorded `before`).
    const revertOf = parsed.request.revert;
    const subject = revertOf
      ? { ...remediation, action: revertOf.action, change: { operation: 'merge-patch', target: revertOf.target, patch: { metadata: {} } } }
      : remediation;
    const executor = agent.executors.find((e) => e.handles(subject));
    if (!executor) {
      log.error(`no executor handles ${remediation.action}`, { ...context, field: 'remediation.action' });
      res.status(400).json({ error: 'unsupported-action', field: 'remediation.action', message: `this agent does not apply ${remediation.action}` });
      return;
    }
    if (agent.dryRun) {
      log.notice('dry-run: change not applied', context);
      const body: ExecuteResponse = { changeId, outcome: 'aborted', dryRun: true, detail: 'dry-run is on at the agent (MESHGOV_DRY_RUN): nothing was changed', target };
      res.status(409).json(body);
      return;
    }

    // An Undo restores a recorded `before`: there is no plan to repeat, and its executor checks it still owns the resource.
    if (!revertOf) {
      const replan = await replanOrAnswer(parsed.request, agent, res, log, context, target);
      if (!replan) return;
    }

    let result: ApplyResult;
    try {
      result = parsed.request.revert
        ? await executor.revert(parsed.request.revert, { trigger, changeId })
        : await executor.apply(remediation, { trigger, changeId });
    } catch (error) {
      log.error(`change failed: ${(error as Error).message}`, { ...context, error });
      const body: ExecuteResponse = { changeId, outcome: 'failed', detail: (error as Error).message, target };
      res.status(500).json(body);
      return;
    }
    const status = STATUS_BY_OUTCOME[result.outcome] ?? 500;
    const line = `change ${result.outcome}: ${result.detail}`;
    if (result.outcome === 'verified') log.notice(line, { ...context, target: result.target });
    else log.warning(line, { ...context, target: result.target });
    const body: ExecuteResponse = { ...result, changeId };
    res.status(status).json(body);
  };
}

/**
 * Plans the change again (replanChange) and, when it may not run, answers for it: 409 aborted
 * naming what failed, or 500 failed when the cluster could not be read. Nothing is written either
 * way. Returns whether the change may go on to its executor.
 */
async function replanOrAnswer(request: ExecuteRequest, agent: AgentDeps, res: Response, log: Logger, context: Record<string, unknown>, target: Record<string, unknown>): Promise<boolean> {
  const { remediation, trigger, changeId } = request;
  // parseExecuteRequest requires both on an apply.
  const change = { remediation, trigger, changeId, findingId: request.findingId!, approved: request.approved! };
  const fields = { ...context, findingId: change.findingId, approved: change.approved };
  const started = Date.now();
  let verdict: ReplanVerdict;
  try {
    verdict = await replanChange(change, { source: agent.source, builders: agent.builders, policy: agent.policy, clock: agent.clock });
  } catch (error) {
    const detail = `re-planning on the cluster failed (a read of the cluster, most likely), so nothing was applied: ${(error as Error).message}`;
    log.error(`change not applied: ${detail}`, { ...fields, error });
    const body: ExecuteResponse = { changeId, outcome: 'failed', detail, target, wrote: false };
    res.status(500).json(body);
    return false;
  }
  if (verdict.ok) {
    log.info(verdict.earlierAttempt ? 'change already carries this change id: its executor checks the earlier attempt' : 'change re-planned on the cluster: it still holds', { ...fields, replanMs: Date.now() - started });
    return true;
  }
  const detail = `re-planned on the cluster: ${verdict.reason}`;
  log.warning(`change refused: ${detail}`, { ...fields, replanMs: Date.now() - started });
  const body: ExecuteResponse = { changeId, outcome: 'aborted', detail, target, wrote: false };
  res.status(409).json(body);
  return false;
}
