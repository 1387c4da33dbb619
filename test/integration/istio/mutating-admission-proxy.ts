/**
 * A reverse proxy in front of the Kubernetes emulator that plays a mutating admission policy
 * (a Kyverno `mutate` rule, a Gatekeeper `Assign`): it rewrites the body of the writes it
 * matches before the API server stores them, so the object a write makes does not hold what
 * the writer sent, at the very resourceVersion that write made. The emulator has no admission
 * webhooks; this is the one way a write of meshgov's does not hold without anyone writing after it.
 * Everything else passes through unchanged.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MutatingAdmission {
  url: string;
  /** Writes whose body the policy rewrote. */
  mutated(): number;
  stop(): Promise<void>;
}

/** Returns the rewritten body of a write it mutates, or undefined to let it through. */
export type Mutation = (method: string, path: string, body: Record<string, any>) => Record<string, any> | undefined;

export async function startMutatingAdmission(upstreamUrl: string, mutate: Mutation): Promise<MutatingAdmission> {
  const upstream = new URL(upstreamUrl);
  let mutated = 0;
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      let body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(incoming.url ?? '/', 'http://proxy.invalid').pathname;
      if (body !== '' && (incoming.method === 'PATCH' || incoming.method === 'POST' || incoming.method === 'PUT')) {
        const rewritten = mutate(incoming.method, path, JSON.parse(body));
        if (rewritten !== undefined) {
          mutated++;
          body = JSON.stringify(rewritten);
        }
      }
      const headers = { ...incoming.headers, 'content-length': String(Buffer.byteLength(body)) };
      const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mutated: () => mutated,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
