/**
 * A stand-in for the hub's findings endpoint: a node:http server on loopback that checks each
 * request's link signature exactly as the hub must (verifyRequest over the raw body), records
 * the reports it accepts, and can be told to fail the next requests or to stop answering.
 */
import { createServer, type Server } from 'node:http';
import { closeServer, listenOnLoopback, readRequestBody } from '../../support/loopback-server';
import { MemoryNonceStore, verifyRequest, type AgentReport, type LinkVerification } from '../../../functions/core/link';

export interface HubRequest {
  status: number;
  verification: LinkVerification;
  contentType?: string;
}

export interface HubStandIn {
  /** The findings endpoint URL (MESHGOV_HUB_URL). */
  readonly url: string;
  /** Reports accepted (signature valid, 2xx answered), in order. */
  readonly reports: AgentReport[];
  /** Every request, accepted or not. */
  readonly requests: HubRequest[];
  /** The next `count` validly signed requests get `status` (with optional headers, e.g. Retry-After). */
  failNext(status: number, count: number, headers?: Record<string, string>): void;
  /** Forgets reports, requests and armed failures. */
  reset(): void;
  /** Resolves when `reports` has at least `count` entries. */
  waitForReports(count: number, timeoutMs?: number): Promise<AgentReport[]>;
  stop(): Promise<void>;
}

export async function startHubStandIn(options: { secret: string; path?: string }): Promise<HubStandIn> {
  const reports: AgentReport[] = [];
  const requests: HubRequest[] = [];
  const nonces = new MemoryNonceStore();
  const failures: Array<{ status: number; headers: Record<string, string> }> = [];
  const path = options.path ?? '/agent/findings';

  const server: Server = createServer((req, res) => {
    readRequestBody(req).then(async (raw) => {
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}, verification?: LinkVerification): void => {
        requests.push({ status, verification: verification ?? { ok: false, reason: 'missing-header', message: 'not checked' }, ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}) });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== path) return answer(404, { error: 'not-found' });
      const verification = await verifyRequest(req.headers, raw, options.secret, new Date(), nonces);
      if (!verification.ok) return answer(401, { error: verification.reason }, {}, verification);
      const failure = failures.shift();
      if (failure) return answer(failure.status, { error: 'injected' }, failure.headers, verification);
      reports.push(JSON.parse(raw.toString('utf8')) as AgentReport);
      answer(202, { accepted: true }, {}, verification);
    }, () => res.destroy());
  });
  const port = await listenOnLoopback(server);

  return {
    url: `http://127.0.0.1:${port}${path}`,
    reports,
    requests,
    failNext: (status, count, headers = {}) => {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    reset: () => {
      reports.length = 0;
      requests.length = 0;
      failures.length = 0;
    },
    waitForReports: async (count, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (reports.length < count) {
        if (Date.now() > deadline) throw new Error(`hub stand-in: ${reports.length} report(s) after ${timeoutMs} ms, expected ${count}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return reports;
    },
    stop: () => closeServer(server),
  };
}
