import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { receiveAgentReport, type AgentReportDeps } from './hub/receive-agent-report';
import { linkSecretLoader } from './hub/link-secret';
import { requiredEnv, wireHubDeps } from './hub/wire';
import { DynamoDbNonceStore } from './slack/dynamodb-nonce-store';

let deps: Promise<AgentReportDeps> | undefined;

async function wire(): Promise<AgentReportDeps> {
  const hub = await wireHubDeps();
  return {
    ...hub,
    linkSecret: linkSecretLoader(process.env),
    // Replays are refused across every container: the nonce is remembered in the ledger table.
    nonceStore: new DynamoDbNonceStore(new DynamoDBClient({ region: process.env.AWS_REGION }), requiredEnv(process.env, 'MESHGOV_LEDGER_TABLE')),
  };
}

/** API Gateway HTTP API POST /agent/findings: the GCP agent's signed ScopedReports. */
export const handler = async (event: APIGatewayProxyEventV2) => {
  try {
    return await receiveAgentReport(event, await (deps ??= wire()));
  } catch (err) {
    deps = undefined;
    console.error(JSON.stringify({ level: 'ERROR', message: 'agent report failed; the agent will retry', error: String(err) }));
    return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'hub-failure' }) };
  }
};
