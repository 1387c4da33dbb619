import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request to an AWS JSON-protocol service: the operation from `X-Amz-Target` and the parsed body. */
export interface AwsJsonCall {
  target: string;
  body: Record<string, any>;
  contentType?: string;
}

/**
 * A tiny AWS JSON-protocol endpoint (POST / with `X-Amz-Target: <Service>.<Operation>`, JSON
 * in and out, errors as `{"__type": …}` with HTTP 400), for the few calls of Secrets Manager
 * (awsJson1_1) and SQS (awsJson1_0) the Slack functions make, so that the real SDK clients run
 * against it via their `endpoint`. It answers only what `answer` knows.
 */
export async function startFakeAwsJsonService(
  answer: (call: AwsJsonCall) => { status?: number; body: Record<string, unknown> },
): Promise<{ url: string; calls: AwsJsonCall[]; stop(): Promise<void> }> {
  const calls: AwsJsonCall[] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await readAll(req);
    const call: AwsJsonCall = { target: String(req.headers['x-amz-target'] ?? ''), body: text ? JSON.parse(text) : {}, contentType: req.headers['content-type'] };
    calls.push(call);
    const { status = 200, body } = answer(call);
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': req.headers['content-type'] ?? 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}`, 'content-length': Buffer.byteLength(json) });
    res.end(json);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
