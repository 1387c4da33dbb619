/**
 * An API server that takes the connection and never answers (a hung load balancer, a stuck
 * proxy): the reader gives the request up after its timeout and closes the connection, so a
 * CLI that has reported the failure can exit instead of waiting on the socket.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { istioSource, KubeApiError } from '../../../functions/providers/istio/live';
import { loadKubeConfigFor, loadKubernetesClient } from '../../emulators/kubernetes';

let server: Server;
const accepted: Socket[] = [];

beforeEach(async () => {
  server = createServer((socket) => void accepted.push(socket.resume()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});

afterEach(async () => {
  for (const socket of accepted.splice(0)) socket.destroy();
  server.close();
});

test('a request with no answer fails after the configured timeout and its connection is closed, not left open', async () => {
  const k8s = await loadKubernetesClient();
  const { port } = server.address() as { port: number };
  const kubeConfig = await loadKubeConfigFor(`http://127.0.0.1:${port}`);
  const source = istioSource({ kubeConfig, client: k8s, timeoutMs: 200, retry: { maxAttempts: 1 } });

  const failure = await source.collect({ kind: 'all', providers: ['istio'] }).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(KubeApiError);
  expect(failure).toMatchObject({ status: 0, reason: 'ETIMEDOUT' });

  // The server sees every connection it accepted closed by the client.
  expect(accepted.length).toBeGreaterThan(0);
  await Promise.all(accepted.map((socket) => (socket.destroyed ? undefined : once(socket, 'close'))));
  expect(accepted.every((socket) => socket.destroyed)).toBe(true);
});
