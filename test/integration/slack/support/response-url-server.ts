import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST to a response_url, as Slack's hooks endpoint would receive it. */
export interface ResponseUrlPost {
  path: string;
  contentType?: string;
  body: any;
}

export interface ResponseUrlServer {
  url: string;
  posts: ResponseUrlPost[];
  /** Answer every later POST with this status and body (Slack: 404 `expired_url`, `used_url`). */
  answerWith(status: number, body: string): void;
  stop(): Promise<void>;
}

/**
 * A stand-in for Slack's `https://hooks.slack.com/actions/<team>/<id>/<token>` endpoint on
 * loopback: it takes JSON message posts (response_type, replace_original, text) and answers
 * `ok`, as Slack does (docs.slack.dev "Handling user interaction", response_url).
 */
export async function startResponseUrlServer(): Promise<ResponseUrlServer> {
  const posts: ResponseUrlPost[] = [];
  let answer = { status: 200, body: 'ok' };
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text: the test sees what arrived
    }
    if (req.method === 'POST') posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
    res.writeHead(req.method === 'POST' ? answer.status : 405, { 'content-type': 'text/html' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    answerWith: (status, body) => {
      answer = { status, body };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
