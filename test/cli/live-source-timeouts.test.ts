/**
 * Live sources whose endpoint takes the connection and never answers: the CLI's reads are
 * bounded by timeouts set in code (small here), and end in an error that says what happened.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { collectLive, LiveSourceError } from '../../functions/cli/live-sources';
import { appMeshSource, createAppMeshClient } from '../../functions/providers/appmesh/live';
import { kubeconfigFor, loadKubernetesClient } from '../emulators/kubernetes';

let server: Server;
let url: string;
const accepted: Socket[] = [];
let dir: string;
const savedKubeconfig = process.env['KUBECONFIG'];

beforeEach(async () => {
  server = createServer((socket) => void accepted.push(socket.resume()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'meshgov-live-timeouts-'));
});

afterEach(() => {
  for (const socket of accepted.splice(0)) socket.destroy();
  server.close();
  rmSync(dir, { recursive: true, force: true });
  if (savedKubeconfig === undefined) delete process.env['KUBECONFIG'];
  else process.env['KUBECONFIG'] = savedKubeconfig;
});

test('--kube-context: an API server that never answers is reported after the short first request, with its URL and context', async () => {
  const kubeconfig = path.join(dir, 'config');
  writeFileSync(kubeconfig, kubeconfigFor(url, { contextName: 'prod-gke' }));
  process.env['KUBECONFIG'] = kubeconfig;

  const failure = await collectLive({ kubeContext: 'prod-gke', kubeClient: await loadKubernetesClient(), timeouts: { kubeProbeMs: 100 }, notice: () => {} }).catch((e: unknown) => e);

  expect(failure).toBeInstanceOf(LiveSourceError);
  expect((failure as Error).message).toBe(`cannot reach the Kubernetes API server ${url} (context "prod-gke"): ETIMEDOUT: no answer within 100 ms`);
  // Two tries of the first request, not the reader's five of every request.
  expect(accepted).toHaveLength(2);
});

test('--appmesh-region: an App Mesh endpoint that never answers fails with a timeout instead of waiting forever', async () => {
  const client = createAppMeshClient({ region: 'us-west-2', endpoint: url, maxAttempts: 2, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
  const source = appMeshSource({ client, httpTimeouts: { connectionTimeoutMs: 100, requestTimeoutMs: 100 } });

  const failure = await source.collect({ kind: 'all', providers: ['appmesh'] }).catch((e: unknown) => e);

  expect(failure).toMatchObject({ operation: 'ListMeshes', errorName: 'TimeoutError' });
  expect(accepted).toHaveLength(2);
});
