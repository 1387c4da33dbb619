import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handleSlackAction, type SlackActionsDeps } from './slack/handle-slack-action';
import { slackActionsDepsFromEnv } from './slack/wire-slack';

/**
 * The Slack app's interactivity endpoint: API Gateway HTTP API (payload format 2.0),
 * `POST /slack/actions` → this Lambda. Verifies the request, decides the click, hands an
 * approved change to the approval worker over SQS, and answers Slack at once with an empty
 * 200, or a 500 when the clicker could not be told what their click did (see
 * slack/handle-slack-action.ts). Dependencies are built on the first request and kept
 * for the container's life; a failed build is retried on the next request. Logs through
 * Powertools with API Gateway's request id as correlation id; the fields logged name the click
 * (approval, verb, user), never the body, the token or the signing secret.
 */
export function createSlackActionsHandler(depsFactory: (log: SlackActionsDeps['log']) => Promise<SlackActionsDeps>) {
  const logger = new Logger({ serviceName: 'meshgov-slack-actions' });
  const log: SlackActionsDeps['log'] = (level, message, fields) => logger[level](message, fields ?? {});
  let deps: Promise<SlackActionsDeps> | undefined;
  const loadDeps = (): Promise<SlackActionsDeps> => {
    // The factory wires `log` into the dependencies (a test may log elsewhere).
    deps ??= depsFactory(log);
    deps.catch(() => (deps = undefined));
    return deps;
  };
  return async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    if (context) logger.addContext(context);
    if (event.requestContext?.requestId) logger.setCorrelationId(event.requestContext.requestId);
    try {
      return await handleSlackAction(event, await loadDeps());
    } catch (err) {
      // The message and name only: an SDK error's metadata can echo request parameters.
      logger.error('Slack action failed', { error: (err as Error).message, name: (err as Error).name });
      return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'internal-error' }) };
    } finally {
      logger.removeKeys(['correlation_id']);
    }
  };
}

export const handler = createSlackActionsHandler(async (log) => ({ ...(await slackActionsDepsFromEnv(process.env)), log }));
