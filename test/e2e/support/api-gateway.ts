/**
 * The hub's HTTP API (API Gateway HTTP API, payload format 2.0) on loopback: a real HTTP
 * server whose requests become the `APIGatewayProxyEventV2` that API Gateway hands a Lambda
 * (the shared event aws/apigw-http-slack-block-actions.json gives the envelope), answered with
 * what the handler returns. It can go down (the port closed: ECONNREFUSED, as when the agent
 * cannot reach AWS at all) and come back on the same port, or answer 503 without invoking the
 * Lambda (API Gateway's answer when the function is throttled or failing to start).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { RestartableListener } from '../../emulators/slack/restartableListener';
import { readRequestBody } from '../../support/loopback-server';
import { sharedEvent } from '../../support/shared-events';

export type HttpLambda = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface ApiGateway {
  /** `http://127.0.0.1:<port>`; routes are appended to it. */
  readonly url: string;
  /** Requests that reached a Lambda, with its status. */
  readonly invocations: Array<{ routeKey: string; statusCode: number }>;
  /** Every request the gateway answered, invoked or not. */
  readonly answered: Array<{ routeKey: string; statusCode: number }>;
  /** Closes the port: callers get ECONNREFUSED. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeUp(): Promise<void>;
  /** While set, every request is answered 503 and no Lambda runs. */
  setUnavailable(unavailable: boolean): void;
  stop(): Promise<void>;
}

let requests = 0;

export async function startApiGateway(routes: Record<string, HttpLambda>): Promise<ApiGateway> {
  const invocations: ApiGateway['invocations'] = [];
  const answered: ApiGateway['answered'] = [];
  let unavailable = false;

  const listener = new RestartableListener((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message: `gateway stand-in failure: ${String(error)}` }));
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readRequestBody(req);
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    const routeKey = `${req.method} ${path}`;
    const lambda = routes[routeKey];
    if (!lambda) {
      answered.push({ routeKey, statusCode: 404 });
      return send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));
    }
    if (unavailable) {
      answered.push({ routeKey, statusCode: 503 });
      return send(res, 503, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Service Unavailable' }));
    }
    const result = await lambda(eventOf(req, routeKey, path, body));
    const statusCode = result.statusCode ?? 200;
    invocations.push({ routeKey, statusCode });
    answered.push({ routeKey, statusCode });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
    send(res, statusCode, headers, result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? ''));
  }

  const port = await listener.listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    answered,
    goDown: () => listener.close(),
    comeUp: async () => {
      await listener.listen(port);
    },
    setUnavailable: (value) => {
      unavailable = value;
    },
    stop: () => listener.close(),
  };
}

/**
 * Payload format 2.0 as API Gateway builds it: header names lowercased, text bodies passed
 * as they came (a JSON body is not base64-encoded; HTTP APIs encode only binary media).
 */
function eventOf(req: IncomingMessage, routeKey: string, path: string, body: Buffer): APIGatewayProxyEventV2 {
  const template = sharedEvent<APIGatewayProxyEventV2>('aws/apigw-http-slack-block-actions.json');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const now = Date.now();
  const text = /json|text|x-www-form-urlencoded/i.test(headers['content-type'] ?? '');
  return {
    ...template,
    routeKey,
    rawPath: path,
    rawQueryString: new URL(req.url ?? '/', 'http://gateway').search.replace(/^\?/, ''),
    headers: { ...headers, 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', 'x-forwarded-for': '203.0.113.41' },
    requestContext: {
      ...template.requestContext,
      routeKey,
      requestId: `e2e${String(++requests).padStart(6, '0')}Qx=`,
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      http: { ...template.requestContext.http, method: req.method ?? 'POST', path, sourceIp: '203.0.113.41', userAgent: headers['user-agent'] ?? '' },
    },
    body: text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !text,
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}
