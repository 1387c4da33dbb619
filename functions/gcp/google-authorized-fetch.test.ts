import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchLike } from '../providers/metrics/prometheus/http-api';
import { instantQuery } from '../providers/metrics/prometheus/http-api';
import { googleAuthorizedFetch, isGoogleApi } from './google-authorized-fetch';

// A loopback stand-in for the Prometheus query API that records what each request carried.
let server: Server;
let base: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { destination_workload: 'payments-api' }, value: [1795186800, '0.0123'] }] } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (seen.length = 0));

const realFetch = globalThis.fetch as unknown as FetchLike;
const at = new Date('2026-11-20T15:11:00Z');

test('Managed Prometheus and other Google APIs need a token; a self-hosted Prometheus does not', () => {
  expect(isGoogleApi('https://monitoring.googleapis.com/v1/projects/acme-prod-gke/location/global/prometheus')).toBe(true);
  expect(isGoogleApi('http://127.0.0.1:9090')).toBe(false);
  expect(isGoogleApi('http://prometheus.istio-system.svc.cluster.local:9090')).toBe(false);
  // A look-alike host is not Google's.
  expect(isGoogleApi('https://monitoring.googleapis.com.evil.example/api')).toBe(false);
  expect(isGoogleApi('not a url')).toBe(false);
  // Plain http would hand the service account's token to anyone on the path.
  expect(isGoogleApi('http://monitoring.googleapis.com/v1/projects/acme-prod-gke/location/global/prometheus')).toBe(false);
});

test('each query to a Google API carries a current bearer token', async () => {
  let issued = 0;
  const fetch = googleAuthorizedFetch(realFetch, { accessToken: async () => `ya29.a0AfB_byC-token-${++issued}`, needsToken: () => true });
  const samples = await instantQuery(base, 'sum(rate(istio_requests_total[5m]))', at, { fetch });
  await instantQuery(base, 'up', at, { fetch });
  expect(samples).toHaveLength(1);
  expect(seen.map((h) => h.authorization)).toEqual(['Bearer ya29.a0AfB_byC-token-1', 'Bearer ya29.a0AfB_byC-token-2']);
  // The query's own headers are kept.
  expect(seen[0]!['content-type']).toBe('application/x-www-form-urlencoded');
});

test('a self-hosted Prometheus gets no token, and the token source is never made', async () => {
  const fetch = googleAuthorizedFetch(realFetch, {
    accessToken: async () => {
      throw new Error('a token was asked for a non-Google URL');
    },
  });
  await instantQuery(base, 'up', at, { fetch });
  expect(seen).toHaveLength(1);
  expect(seen[0]!.authorization).toBeUndefined();
});

test('a token that cannot be had fails the query, so the incident is redelivered', async () => {
  const fetch = googleAuthorizedFetch(realFetch, {
    needsToken: () => true,
    accessToken: async () => {
      throw new Error('Could not load the default credentials');
    },
  });
  await expect(instantQuery(base, 'up', at, { fetch })).rejects.toThrow(/default credentials/);
  expect(seen).toHaveLength(0);
});
