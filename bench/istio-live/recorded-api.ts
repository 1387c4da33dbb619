/**
 * A recording of API answers and a server that replays them: the live benchmark records one
 * read of the emulator, then replays it to measure the reader against an API server that
 * answers at once (a real API server serves lists from its watch cache; the emulator
 * deep-copies the whole collection for every page, which would hide the reader's own cost).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers by `METHOD path?query`, as the client sent them. */
export type Recording = Record<string, { status: number; contentType: string; body: string }>;

function keyOf(method: string | undefined, url: string | undefined): string {
  return `${method ?? 'GET'} ${url ?? '/'}`;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A proxy to `upstream` that keeps every answer it passes on. */
export async function startRecordingProxy(upstream: string): Promise<{ url: string; recording: Recording; stop(): Promise<void> }> {
  const target = new URL(upstream);
  const recording: Recording = {};
  const server = createServer((incoming, outgoing) => {
    const forwarded = httpRequest({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const contentType = String(answer.headers['content-type'] ?? 'application/json');
        recording[keyOf(incoming.method, incoming.url)] = { status: answer.statusCode ?? 502, contentType, body };
        outgoing.writeHead(answer.statusCode ?? 502, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) }).end(body);
      });
    });
    incoming.pipe(forwarded);
  });
  const url = await listen(server);
  return { url, recording, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Serves a recording: each request gets the answer recorded for it, or a 404 Status. */
export async function startReplayServer(recording: Recording): Promise<{ url: string; requests(): number; stop(): Promise<void> }> {
  let requests = 0;
  const missing = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'not in the recording', reason: 'NotFound', code: 404 });
  const server = createServer((incoming, outgoing) => {
    requests++;
    incoming.resume();
    incoming.on('end', () => {
      const answer = recording[keyOf(incoming.method, incoming.url)];
      const body = answer?.body ?? missing;
      outgoing.writeHead(answer?.status ?? 404, { 'content-type': answer?.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
    });
  });
  const url = await listen(server);
  return { url, requests: () => requests, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
