import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleSlackAction, type SlackActionsDeps } from './slack/handle-slack-action';
import { slackActionsDepsFromEnv } from './slack/wire-slack';

/**
 * The Slack app's interactivity endpoint: API Gateway HTTP API (payload format 2.0),
 * `POST /slack/actions` → this Lambda. Verifies the request, decides the click, hands an
 * approved change to the approval worker over SQS, and answers Slack at once with an empty
 * 200 (see slack/handle-slack-action.ts). Dependencies are built on the first request and kept
 * for the container's life; a failed build is retried on the next request.
 */
export function createSlackActionsHandler(depsFactory: () => Promise<SlackActionsDeps>) {
  let deps: Promise<SlackActionsDeps> | undefined;
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      deps ??= depsFactory();
      deps.catch(() => (deps = undefined));
      return await handleSlackAction(event, await deps);
    } catch (err) {
      console.error(JSON.stringify({ level: 'ERROR', message: 'Slack action failed', requestId: event.requestContext?.requestId, error: (err as Error).message, name: (err as Error).name }));
      return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'internal-error' }) };
    }
  };
}

export const handler = createSlackActionsHandler(() => slackActionsDepsFromEnv(process.env));
