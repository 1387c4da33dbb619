import { createServer } from 'node:net';
import type { AgentReport } from '../core/link';
import { startHubStandIn, type HubStandIn } from '../../test/integration/gcp/hub-stand-in';
import { HubDeliveryError, reportToHub, type HubClientDeps } from './hub-client';
import { jsonLogger } from './log';

const SECRET = 'meshgov-test-link-secret-0123456789abcdef';

const report: AgentReport = {
  agent: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' },
  scopedReport: {
    trigger: { source: 'cloud-scheduler', eventId: '13268452210967733', eventTime: '2026-11-20T06:00:00.874Z', summary: 'scheduled full audit of prod-gke' },
    scope: { kind: 'all', providers: ['istio', 'x509'] },
    report: { version: 1, generatedAt: '2026-11-20T06:00:01.000Z', findings: [], summary: { resources: 0, findings: 0, bySeverity: {} } } as never,
    auditedResources: [],
  },
};

let hub: HubStandIn;
let lines: Array<Record<string, unknown>>;
let sleeps: number[];

function deps(overrides: Partial<HubClientDeps> = {}): HubClientDeps {
  return {
    fetch: globalThis.fetch,
    clock: () => new Date(),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    log: jsonLogger((line) => lines.push(JSON.parse(line))),
    ...overrides,
  };
}

const retry = { attempts: 4, backoffMs: 200, timeoutMs: 2000 };

beforeEach(async () => {
  hub = await startHubStandIn({ secret: SECRET });
  lines = [];
  sleeps = [];
});
afterEach(() => hub.stop());

test('one signed POST of the report, which the hub verifies and takes', async () => {
  await expect(reportToHub(report, { url: new URL(hub.url), secret: SECRET, retry }, deps())).resolves.toEqual({ status: 202, attempts: 1, bytes: Buffer.byteLength(JSON.stringify(report)) });
  expect(hub.reports).toEqual([report]);
  expect(hub.requests[0]).toMatchObject({ status: 202, verification: { ok: true }, contentType: 'application/json' });
  expect(sleeps).toEqual([]);
});

test('retries 503 and 429 with growing, jittered backoff (at least Retry-After), signing each attempt afresh', async () => {
  hub.failNext(503, 2);
  hub.failNext(429, 1, { 'retry-after': '3' });
  await expect(reportToHub(report, { url: new URL(hub.url), secret: SECRET, retry }, deps())).resolves.toMatchObject({ status: 202, attempts: 4 });
  expect(hub.reports).toHaveLength(1);
  // backoff 200, 400, 800 ms × jitter 0.75; the third wait is Retry-After's 3 s.
  expect(sleeps).toEqual([150, 300, 3000]);
  const nonces = hub.requests.map((r) => (r.verification.ok ? r.verification.nonce : ''));
  expect(new Set(nonces).size).toBe(4);
  expect(lines.filter((l) => l.message === 'hub not reached; retrying').map((l) => l.severity)).toEqual(['WARNING', 'WARNING', 'WARNING']);
});

test('throws after the last attempt when the hub stays unavailable, so the message is redelivered', async () => {
  hub.failNext(500, 10);
  const error = await reportToHub(report, { url: new URL(hub.url), secret: SECRET, retry: { ...retry, attempts: 3 } }, deps()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HubDeliveryError);
  expect(error).toMatchObject({ attempts: 3, retryable: true });
  expect((error as Error).message).toMatch(/^hub not reached after 3 attempt\(s\): hub answered 500/);
  expect(hub.requests).toHaveLength(3);
  expect(hub.reports).toHaveLength(0);
});

test('a refusal (401: the hub holds another secret) is not retried, and still throws', async () => {
  const error = await reportToHub(report, { url: new URL(hub.url), secret: 'another-secret-that-the-hub-does-not-know', retry }, deps()).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'HubDeliveryError', status: 401, retryable: false, attempts: 1 });
  expect(hub.requests).toEqual([expect.objectContaining({ status: 401, verification: expect.objectContaining({ reason: 'bad-signature' }) })]);
  expect(lines).toContainEqual(expect.objectContaining({ severity: 'ERROR', message: 'hub refused the report', hubStatus: 401 }));
});

test('a hub that refuses connections is retried, then reported as not reached', async () => {
  const closed = await closedPort();
  const error = await reportToHub(report, { url: new URL(`http://127.0.0.1:${closed}/agent/findings`), secret: SECRET, retry: { ...retry, attempts: 2 } }, deps()).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'HubDeliveryError', retryable: true, attempts: 2 });
  expect((error as Error).message).toContain('ECONNREFUSED');
  expect(sleeps).toHaveLength(1);
});

test('a hub that does not answer within the timeout counts as not reached', async () => {
  // Accepts connections and never answers; its sockets are destroyed at the end (keep-alive would hold close()).
  const sockets: Array<import('node:net').Socket> = [];
  const silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const error = await reportToHub(report, { url: new URL(`http://127.0.0.1:${port}/`), secret: SECRET, retry: { attempts: 1, backoffMs: 1, timeoutMs: 300 } }, deps()).catch((e: unknown) => e);
    expect((error as Error).message).toBe('hub not reached after 1 attempt(s): request timed out');
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => silent.close(r));
  }
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}
