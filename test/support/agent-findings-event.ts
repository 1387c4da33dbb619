import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { receiveAgentReport, type AgentReportDeps } from '../../functions/aws/hub/receive-agent-report';
import { MemoryNonceStore } from '../../functions/core/link';
import { RecordingNotifier } from './recording-notifier';
import { sharedEvent } from './shared-events';

/** The agent's POST /agent/findings as the hub's HTTP API (payload 2.0) hands it to the function. */
export function agentFindingsEvent(body: string, headers: Record<string, string>): APIGatewayProxyEventV2 {
  const template = sharedEvent<APIGatewayProxyEventV2>('aws/apigw-http-slack-block-actions.json');
  return {
    ...template,
    routeKey: 'POST /agent/findings',
    rawPath: '/agent/findings',
    headers,
    requestContext: { ...template.requestContext, routeKey: 'POST /agent/findings', http: { ...template.requestContext.http, path: '/agent/findings' } },
    body,
    isBase64Encoded: false,
  };
}

/** A fetch for the agent that hands each request to the hub's receive function, as API Gateway would. */
export function fetchIntoHub(hub: AgentReportDeps): typeof fetch {
  return (async (_url: string | URL | Request, init?: RequestInit) => {
    const answer = await receiveAgentReport(agentFindingsEvent(String(init?.body), Object.fromEntries(new Headers(init?.headers).entries())), hub);
    return new Response(answer.body ?? '', { status: answer.statusCode ?? 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

/**
 * The hub's receive function's dependencies in process: dry-run, nothing to execute with, the
 * clock fixed at `now`, a recording notifier and the link key `secret`. `parts` gives the
 * ledger and the policy, and replaces any of the rest.
 */
export function hubReportDeps(now: Date, secret: string, parts: Pick<AgentReportDeps, 'ledger' | 'policy'> & Partial<AgentReportDeps>): AgentReportDeps {
  return {
    notifier: new RecordingNotifier(),
    executors: [],
    clock: () => now,
    dryRun: true,
    newId: (prefix) => `${prefix}-0001`,
    log: () => undefined,
    linkSecret: async () => secret,
    nonceStore: new MemoryNonceStore({ clock: () => now }),
    ...parts,
  };
}
