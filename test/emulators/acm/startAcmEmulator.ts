import type { CertificateDetail } from '@aws-sdk/client-acm';
import type { CertificateAuthority } from '@aws-sdk/client-acm-pca';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describeCertificate, listCertificates, type Caller } from './acmOperations';
import { AwsJsonError, awsJsonError, errorBody, type AcmService } from './awsJsonErrors';
import { CertificateStore, type AcmCertificateSeed, type CertificateAuthoritySeed } from './certificateStore';
import { FaultInjector, type OperationSelector, type ThrottleOptions } from './faultInjector';
import { OPERATION_NAMES, operationOfTarget, serviceOfTarget, type OperationName } from './operationTargets';
import { describeCertificateAuthority, getCertificateAuthorityCertificate } from './pcaOperations';
import { toWire } from './wireFormat';
import { closeServer, listenOnLoopback, readRequestBody } from '../../support/loopback-server';

export const DEFAULT_ACCOUNT_ID = '111122223333';
export const DEFAULT_REGION = 'us-west-2';

export interface AcmEmulatorOptions {
  /** The callers' account, owner of what is seeded; default 111122223333. */
  accountId?: string;
  /** Region of seeded ARNs; default us-west-2. Requests are answered for the region they are signed for. */
  region?: string;
  /** Clock in epoch milliseconds, for seed defaults and the token bucket. */
  now?: () => number;
  throttle?: ThrottleOptions;
  latencyMs?: number;
}

/** One request as received. */
export interface RecordedCall {
  /** `X-Amz-Target`, e.g. `CertificateManager.DescribeCertificate`. */
  target: string;
  operation?: OperationName;
  /** The ARN the request names (`CertificateArn` / `CertificateAuthorityArn`), when it names one. */
  arn?: string;
  status: number;
  errorName?: string;
  /** Region of the SigV4 credential scope. */
  region?: string;
}

export interface AcmEmulator {
  /** The endpoint for both `new ACMClient({ endpoint })` and `new ACMPCAClient({ endpoint })`. */
  readonly url: string;
  readonly accountId: string;
  readonly region: string;
  stop(): Promise<void>;
  /** Adds (or replaces) an ACM certificate; returns it as DescribeCertificate will. */
  seedCertificate(seed: AcmCertificateSeed): CertificateDetail;
  /** Adds (or replaces) a private CA; returns it as DescribeCertificateAuthority will. */
  seedCertificateAuthority(seed: CertificateAuthoritySeed): CertificateAuthority;
  /** Attempts received per operation, failed ones included. */
  calls(): Record<OperationName, number>;
  /** Every request, in order of arrival. */
  requests(): RecordedCall[];
  /** The most requests that were in progress at once (with latency set, this shows a client's concurrency). */
  peakConcurrency(): number;
  resetCalls(): void;
  /** The next `count` calls of `operation` ('*': any) fail with this status (400, 403, 500, 503) or error name. */
  failNext(operation: OperationSelector, statusOrError: number | string, count?: number, message?: string): void;
  /** Token-bucket throttling (ThrottlingException, "Rate exceeded"); `null` turns it off. */
  setThrottle(options: ThrottleOptions | null): void;
  setLatency(ms: number, operation?: OperationSelector): void;
  /** Empties the store and forgets calls and faults. */
  reset(): void;
}

/** `Credential=AKID/20261120/us-west-2/acm/aws4_request` → region and signing name. */
function credentialScope(authorization: string | undefined): { region: string; service: string } | undefined {
  const match = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return match ? { region: match[1], service: match[2] } : undefined;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(body);
}

/**
 * Starts an ACM + ACM-PCA emulator on a free loopback port. Both services speak awsJson1_1:
 * `POST /` with `X-Amz-Target: CertificateManager.<Operation>` or `ACMPrivateCA.<Operation>`,
 * a JSON body, and JSON answers with epoch-second timestamps.
 *
 * @example
 *   const emulator = await startAcmEmulator();
 *   const cert = emulator.seedCertificate({ DomainName: 'payments-api.payments.svc.cluster.local', NotAfter: new Date('2026-12-02Z') });
 *   const acm = new ACMClient({ endpoint: emulator.url, region: 'us-west-2', credentials });
 *   await acm.send(new DescribeCertificateCommand({ CertificateArn: cert.CertificateArn }));
 *   await emulator.stop();
 */
export async function startAcmEmulator(options: AcmEmulatorOptions = {}): Promise<AcmEmulator> {
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const region = options.region ?? DEFAULT_REGION;
  const now = options.now ?? Date.now;
  const store = new CertificateStore(accountId, region, now);
  const faults = new FaultInjector(now);
  if (options.throttle) faults.setThrottle(options.throttle);
  if (options.latencyMs) faults.setLatency(options.latencyMs);

  let counts = zeroCounts();
  let log: RecordedCall[] = [];
  let inFlight = 0;
  let peak = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readRequestBody(req)).toString('utf8');
    const target = String(req.headers['x-amz-target'] ?? '');
    const scope = credentialScope(req.headers.authorization);
    const found = operationOfTarget(target);
    const service: AcmService = found?.service ?? serviceOfTarget(target) ?? 'acm';
    const call: RecordedCall = { target, status: 200, ...(found ? { operation: found.operation } : {}), ...(scope ? { region: scope.region } : {}) };
    log.push(call);
    if (found) counts[found.operation] += 1;

    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
        throw awsJsonError(service, 'UnknownOperationException', `${req.method} ${req.url} is not an operation`);
      }
      if (!scope) throw awsJsonError(service, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      if (!found) throw awsJsonError(service, 'UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
      const latency = faults.latencyFor(found.operation);
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      const fault = faults.throttled(service, found.operation) ?? faults.scripted(service, found.operation);
      if (fault) throw fault;

      let input: Record<string, unknown>;
      try {
        const parsed: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
        input = parsed as Record<string, unknown>;
      } catch (err) {
        throw awsJsonError(service, 'SerializationException', `Could not parse the request body: ${(err as Error).message}`);
      }
      const named = input.CertificateArn ?? input.CertificateAuthorityArn;
      if (typeof named === 'string') call.arn = named;

      const caller: Caller = { accountId, region: scope.region };
      const output = dispatch(found.operation, caller, input);
      send(res, 200, JSON.stringify(toWire(output)));
    } catch (err) {
      const error = err instanceof AwsJsonError ? err : new AwsJsonError('InternalFailure', 500, (err as Error).message);
      call.status = error.statusCode;
      call.errorName = error.errorName;
      send(res, error.statusCode, errorBody(service, error));
    } finally {
      inFlight -= 1;
    }
  }

  function dispatch(operation: OperationName, caller: Caller, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'DescribeCertificate':
        return describeCertificate(store, caller, input);
      case 'ListCertificates':
        return listCertificates(store, caller, input);
      case 'DescribeCertificateAuthority':
        return describeCertificateAuthority(store, caller, input);
      case 'GetCertificateAuthorityCertificate':
        return getCertificateAuthorityCertificate(store, caller, input);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ __type: 'InternalFailure', message: String(err) }));
    });
  });
  // The SDK keeps connections alive; close them on stop so the test process can exit.
  server.keepAliveTimeout = 1000;
  const port = await listenOnLoopback(server);

  return {
    url: `http://127.0.0.1:${port}`,
    accountId,
    region,
    stop: () => closeServer(server),
    seedCertificate: (seed) => store.seedCertificate(seed),
    seedCertificateAuthority: (seed) => store.seedCertificateAuthority(seed),
    calls: () => ({ ...counts }),
    requests: () => log.map((c) => ({ ...c })),
    peakConcurrency: () => peak,
    resetCalls() {
      counts = zeroCounts();
      log = [];
      peak = 0;
    },
    failNext: (operation, statusOrError, count, message) => faults.failNext(operation, statusOrError, count, message),
    setThrottle: (throttle) => faults.setThrottle(throttle),
    setLatency: (ms, operation) => faults.setLatency(ms, operation),
    reset() {
      store.clear();
      faults.reset();
      counts = zeroCounts();
      log = [];
      peak = 0;
    },
  };
}

function zeroCounts(): Record<OperationName, number> {
  return Object.fromEntries(OPERATION_NAMES.map((name) => [name, 0])) as Record<OperationName, number>;
}
