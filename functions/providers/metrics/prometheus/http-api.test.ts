import { createServer, type Server } from 'node:http';
import { closeServer, listenOnLoopback, readRequestBody } from '../../../../test/support/loopback-server';
import { instantQuery, PrometheusQueryError } from './http-api';

/**
 * Errors as the two back ends word them, from a real HTTP server on loopback: Prometheus answers
 * `{status: "error", errorType, error: "<text>"}`; Google Managed Service for Prometheus is a
 * Google API, and its front end refuses a missing role or an expired token with Google's own
 * error body `{error: {code, message, status}}` (no `status: "error"` at the top).
 */

const AT = new Date('2026-11-20T15:00:00Z');

let server: Server;
let url: string;
let answer: { status: number; body: string } = { status: 200, body: '{}' };
let received: string[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    received.push((await readRequestBody(req)).toString('utf8'));
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(answer.body);
  });
  url = `http://127.0.0.1:${await listenOnLoopback(server)}/v1/projects/acme-prod-gke/location/global/prometheus`;
});
afterAll(async () => closeServer(server));
beforeEach(() => {
  received = [];
});

describe('instantQuery errors', () => {
  it('a Managed Prometheus 403 names Google’s reason and status, not [object Object]', async () => {
    answer = {
      status: 403,
      body: JSON.stringify({
        error: { code: 403, message: "Permission monitoring.timeSeries.list denied (or the resource may not exist).", status: 'PERMISSION_DENIED' },
      }),
    };
    const failure = instantQuery(url, 'up', AT).catch((e: unknown) => e);
    const error = (await failure) as PrometheusQueryError;
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect(error.message).not.toMatch(/object Object/);
    expect(error.message).toBe('Prometheus refused the query (PERMISSION_DENIED, HTTP 403): Permission monitoring.timeSeries.list denied (or the resource may not exist).');
    expect(error.errorType).toBe('PERMISSION_DENIED');
    expect(error.status).toBe(403);
    expect(new URLSearchParams(received[0]).get('time')).toBe('1795186800.000');
  });

  it('a Prometheus refusal keeps its own errorType and text', async () => {
    answer = { status: 400, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:14: parse error' }) };
    await expect(instantQuery(url, 'sum(rate(x[5m]', AT)).rejects.toThrow('Prometheus refused the query (bad_data): invalid parameter "query": 1:14: parse error');
  });
});
