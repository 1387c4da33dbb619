import { UpdateRouteCommand, UpdateVirtualNodeCommand, UpdateVirtualRouterCommand, type AppMeshClient, type RouteSpec, type VirtualNodeSpec, type VirtualRouterSpec } from '@aws-sdk/client-app-mesh';
import type { HubDeps } from '../../../../functions/aws/hub/hub-deps';
import type { LatencyAlarmDeps } from '../../../../functions/aws/latency-alarm';
import type { Ledger } from '../../../../functions/core/ledger/types';
import type { Policy } from '../../../../functions/core/policy/types';
import { SlackNotifier } from '../../../../functions/notify/slack/slack-notifier';
import { buildAppMeshModel } from '../../../../functions/providers/appmesh';
import { appMeshExecutor, appMeshSource, MeshSnapshotCache, scopeFromCloudTrail } from '../../../../functions/providers/appmesh/live';
import { APPMESH_LATENCY_METRIC, APPMESH_REQUEST_COUNT_METRIC } from '../../../../functions/providers/metrics/cloudwatch/appmesh-metrics';
import { cloudWatchSloSource } from '../../../../functions/providers/metrics/cloudwatch/source';
import { startAppMeshEmulator, type AppMeshEmulator, type AppMeshSeed } from '../../../emulators/appmesh';
import { appMeshClientFor } from '../../../emulators/appmesh/appMeshTestFixtures';
import { cloudWatchClientFor, startCloudWatchEmulator, type CloudWatchEmulator } from '../../../emulators/cloudwatch';
import { slackClientFor, startSlackEmulator, type SlackEmulator } from '../../../emulators/slack';
import { sharedEvent } from '../../../support/shared-events';
import { paymentsPolicy, USERS, WORKSPACE } from '../../slack/support/storyline';

/**
 * The route story's mesh and events: prod-mesh, where checkout-api calls the virtual service
 * payments-api.payments.svc.cluster.local, which the virtual router payments-api provides; its
 * route payments-api-canary sends 90 % to payments-api-v1 and 10 % to the canary
 * payments-api-v2. Every listener is STRICT with a trust for client certificates and every
 * backend sends mTLS with its own certificate, so the mesh itself raises no finding.
 */

export const MESH = 'prod-mesh';
export const ACCOUNT = '111122223333';
export const PAYMENTS_HOST = 'payments-api.payments.svc.cluster.local';
export const ROUTER = 'payments-api';
export const ROUTE = 'payments-api-canary';
export const NAMESPACE = 'ContainerInsights/Prometheus';
export const REMEDIATOR_ROLE = 'arn:aws:iam::111122223333:role/meshgov-remediator';

const CA_ARN = 'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';

/** A virtual node in the payments namespace: a STRICT listener on 8080 (SPIFFE trust through SDS), mTLS to each backend. */
export function nodeSpec(name: string, backends: string[] = []): VirtualNodeSpec {
  return {
    backendDefaults: {
      clientPolicy: {
        tls: {
          enforce: true,
          certificate: { sds: { secretName: `spiffe://prod-mesh.example.com/ns/payments/sa/${name}` } },
          validation: { trust: { acm: { certificateAuthorityArns: [CA_ARN] } } },
        },
      },
    },
    backends: backends.map((virtualServiceName) => ({ virtualService: { virtualServiceName } })),
    listeners: [
      {
        portMapping: { port: 8080, protocol: 'http' },
        healthCheck: { healthyThreshold: 2, intervalMillis: 5000, path: '/healthz', port: 8080, protocol: 'http', timeoutMillis: 2000, unhealthyThreshold: 3 },
        tls: {
          mode: 'STRICT',
          certificate: { sds: { secretName: `spiffe://prod-mesh.example.com/ns/payments/sa/${name}` } },
          validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.com' } } },
        },
      },
    ],
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
    serviceDiscovery: { dns: { hostname: `${name}.payments.svc.cluster.local` } },
  };
}

/** The canary route: an HTTP route on prefix `/` with the two weighted targets. */
export function routeSpec(v1: number, v2: number): RouteSpec {
  return {
    priority: 100,
    httpRoute: {
      match: { prefix: '/' },
      action: {
        weightedTargets: [
          { virtualNode: 'payments-api-v1', weight: v1, port: 8080 },
          { virtualNode: 'payments-api-v2', weight: v2, port: 8080 },
        ],
      },
      retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms', value: 500 }, httpRetryEvents: ['server-error', 'gateway-error'] },
    },
  };
}

export function meshSeed(): AppMeshSeed {
  return {
    meshes: [{ meshName: MESH, spec: { egressFilter: { type: 'DROP_ALL' } } }],
    virtualNodes: [
      { meshName: MESH, virtualNodeName: 'checkout-api', spec: nodeSpec('checkout-api', [PAYMENTS_HOST]) },
      { meshName: MESH, virtualNodeName: 'payments-api-v1', spec: nodeSpec('payments-api-v1') },
      { meshName: MESH, virtualNodeName: 'payments-api-v2', spec: nodeSpec('payments-api-v2') },
    ],
    virtualRouters: [{ meshName: MESH, virtualRouterName: ROUTER, spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } }],
    routes: [{ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec: routeSpec(90, 10) }],
    virtualServices: [{ meshName: MESH, virtualServiceName: PAYMENTS_HOST, spec: { provider: { virtualRouter: { virtualRouterName: ROUTER } } } }],
  };
}

/** The SLOs: the canary node's latency (the route change sends it nine times the traffic), and checkout-api's. */
export function storyPolicy(): Policy {
  const source = { cloudwatch: { namespace: NAMESPACE, region: 'us-west-2' } };
  return paymentsPolicy((p) => {
    p.slos = [
      { name: 'payments-api-latency', service: 'payments-api', mesh: 'appmesh', meshName: MESH, virtualNode: 'payments-api-v2', objective: 99, thresholdMs: 250, source },
      { name: 'checkout-api-latency', service: 'checkout-api', mesh: 'appmesh', meshName: MESH, objective: 99, thresholdMs: 250, source },
    ];
  });
}

/** The servers of one route-story test. */
export interface RouteStoryServers {
  cw: CloudWatchEmulator;
  slack: SlackEmulator;
  appmesh: AppMeshEmulator;
  client: AppMeshClient;
}

/**
 * Registers the hooks a route-story file needs: CloudWatch (seeded once with `seedMetrics`) and
 * Slack for the whole file, and for each test a fresh App Mesh emulator with the story's mesh and
 * a reset Slack, handed to `use` before the test runs. Call at the top level of the file.
 */
export function routeStoryServers(seedMetrics: (cw: CloudWatchEmulator) => void, use: (servers: RouteStoryServers) => void): void {
  let cw: CloudWatchEmulator | undefined;
  let slack: SlackEmulator | undefined;
  let appmesh: AppMeshEmulator | undefined;
  let client: AppMeshClient | undefined;
  beforeAll(async () => {
    cw = await startCloudWatchEmulator();
    slack = await startSlackEmulator({ workspace: WORKSPACE, users: USERS });
    seedMetrics(cw);
  });
  afterAll(async () => {
    await Promise.all([cw?.stop(), slack?.stop()]);
  });
  beforeEach(async () => {
    if (!cw || !slack) throw new Error('routeStoryServers: CloudWatch and Slack have not started (call it at the top level of the test file)');
    appmesh = await startAppMeshEmulator({ seed: meshSeed() });
    client = appMeshClientFor(appmesh);
    slack.reset();
    use({ cw, slack, appmesh, client });
  });
  afterEach(async () => {
    client?.destroy();
    await appmesh?.stop();
  });
}

/**
 * The latency alarm's dependencies over the story's servers, applying changes for real. With
 * `readMesh`, the run also reads prod-mesh, so the suspect search can follow dependencies.
 */
export function alarmDepsFor(
  servers: { client: AppMeshClient; cw: CloudWatchEmulator; slack: SlackEmulator },
  ledger: Ledger,
  clock: () => Date,
  options: { newId: (prefix: string) => string; readMesh?: boolean },
): LatencyAlarmDeps {
  const { client, cw, slack } = servers;
  return {
    ledger,
    policy: storyPolicy(),
    notifier: new SlackNotifier(slackClientFor(slack), { awsRegion: 'us-west-2' }),
    executors: [appMeshExecutor({ client, accountId: ACCOUNT })],
    clock,
    dryRun: false,
    newId: options.newId,
    log: () => undefined,
    cloudwatch: cloudWatchSloSource({ client: cloudWatchClientFor(cw) }),
    ...(options.readMesh ? { mesh: { source: appMeshSource({ client, accountId: ACCOUNT }), builders: [buildAppMeshModel] } } : {}),
  };
}

/** The hub's dependencies over the emulator: one snapshot cache shared by the reader and the writer, as wireHubDeps does. */
export function hubDepsFor(client: AppMeshClient, ledger: Ledger, clock: () => Date, options: { policy?: Policy; cache?: MeshSnapshotCache } = {}): HubDeps {
  const cache = options.cache ?? new MeshSnapshotCache();
  let ids = 0;
  return {
    source: appMeshSource({ client, cache, accountId: ACCOUNT }),
    builders: [buildAppMeshModel],
    policy: options.policy ?? storyPolicy(),
    ledger,
    executors: [appMeshExecutor({ client, cache, accountId: ACCOUNT })],
    clock,
    dryRun: true,
    newId: (prefix) => `${prefix}-hub${String(++ids).padStart(4, '0')}`,
    log: () => undefined,
    remediatorRoleArns: [REMEDIATOR_ROLE],
    meshes: [MESH],
    scopeFromCloudTrail,
  };
}

export function scheduledEvent(time: Date) {
  const event = sharedEvent('aws/scheduled-event.json');
  event.id = '3c5e7a9b-1d3f-4b5a-8c7e-9f1b3d5a7c61';
  event.time = time.toISOString().replace('.000', '');
  return event;
}

/** CloudTrail's rendering of dates inside responseElements ("Nov 20, 2026 2:31:42 PM", UTC; see shared/events README, caveat 2). */
export function cloudTrailDate(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const hours = date.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${month} ${date.getUTCDate()}, ${date.getUTCFullYear()} ${hours % 12 || 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

function withCloudTrailDates(data: any): any {
  const metadata = { ...data.metadata, createdAt: cloudTrailDate(data.metadata.createdAt), lastUpdatedAt: cloudTrailDate(data.metadata.lastUpdatedAt) };
  return JSON.parse(JSON.stringify({ ...data, metadata }));
}

/**
 * The EventBridge event of a person's App Mesh update, shaped like the shared UpdateVirtualNode
 * sample (alice's IAM Identity Center session, aws-cli): the request's path and body members in
 * requestParameters, the operation's output in responseElements (or null).
 */
export function cloudTrailUpdate(
  eventName: 'UpdateRoute' | 'UpdateVirtualNode' | 'UpdateVirtualRouter',
  request: Record<string, unknown>,
  response: Record<string, unknown> | null,
  at: Date,
  id: string,
): any {
  const event = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json');
  const time = at.toISOString().replace('.000', '');
  event.id = id;
  event.time = time;
  event.detail.eventTime = time;
  event.detail.eventName = eventName;
  event.detail.eventID = `${id.slice(0, 24)}e0e0e0e0e0e0`;
  event.detail.requestID = `${id.slice(0, 24)}f1f1f1f1f1f1`;
  event.detail.userAgent = event.detail.userAgent.replace('appmesh.update-virtual-node', `appmesh.${eventName.slice(6).replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase().replace(/^/, 'update-')}`);
  event.detail.requestParameters = request;
  event.detail.responseElements = response;
  return event;
}

/** alice changes the canary route's weights through the API, and the CloudTrail event that records it. */
export async function aliceUpdatesRoute(client: AppMeshClient, v1: number, v2: number, at: Date, id: string, options: { withResponse?: boolean } = {}) {
  const spec = routeSpec(v1, v2);
  const clientToken = `${id.slice(0, 8)}-3c94-4e58-8d1a-5e7c9f2b4a60`;
  const out = await client.send(new UpdateRouteCommand({ meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec, clientToken }));
  const request = { meshName: MESH, virtualRouterName: ROUTER, routeName: ROUTE, clientToken, spec };
  const response = options.withResponse === false ? null : { route: withCloudTrailDates(out.route) };
  return { event: cloudTrailUpdate('UpdateRoute', request, response, at, id), version: out.route!.metadata!.version! };
}

/** A person's update of a virtual node's spec, and its CloudTrail event. */
export async function aliceUpdatesNode(client: AppMeshClient, name: string, spec: VirtualNodeSpec, at: Date, id: string) {
  const clientToken = `${id.slice(0, 8)}-7d21-4e58-8d1a-5e7c9f2b4a60`;
  const out = await client.send(new UpdateVirtualNodeCommand({ meshName: MESH, virtualNodeName: name, spec, clientToken }));
  const request = { meshName: MESH, virtualNodeName: name, clientToken, spec };
  return { event: cloudTrailUpdate('UpdateVirtualNode', request, { virtualNode: withCloudTrailDates(out.virtualNode) }, at, id), version: out.virtualNode!.metadata!.version! };
}

/** A person's update of the router's listeners, and its CloudTrail event. */
export async function aliceUpdatesRouter(client: AppMeshClient, spec: VirtualRouterSpec, at: Date, id: string) {
  const clientToken = `${id.slice(0, 8)}-5b12-4e58-8d1a-5e7c9f2b4a60`;
  const out = await client.send(new UpdateVirtualRouterCommand({ meshName: MESH, virtualRouterName: ROUTER, spec, clientToken }));
  const request = { meshName: MESH, virtualRouterName: ROUTER, clientToken, spec };
  return { event: cloudTrailUpdate('UpdateVirtualRouter', request, { virtualRouter: withCloudTrailDates(out.virtualRouter) }, at, id), version: out.virtualRouter!.metadata!.version! };
}

/**
 * Minute-by-minute App Mesh Envoy metrics for one virtual node, as the CloudWatch agent publishes
 * them (a histogram of TargetResponseTime with values 80 and 400 ms, and RequestCount), from
 * `from` up to `to`: `traffic(t)` says how many requests that minute and which share is slow.
 */
export function seedEnvoyLatency(
  cw: CloudWatchEmulator,
  virtualNode: string,
  from: number,
  to: number,
  traffic: (t: number) => { perMinute: number; slowShare: number },
): void {
  const latency = [];
  const requests = [];
  for (let t = from; t < to; t += 60_000) {
    const { perMinute, slowShare } = traffic(t);
    const slow = Math.round(perMinute * slowShare);
    latency.push({ timestamp: t, values: [80, 400], counts: [perMinute - slow, slow] });
    requests.push({ timestamp: t, values: [perMinute], counts: [1] });
  }
  const dimensions = { Mesh: MESH, VirtualNode: virtualNode };
  cw.seedMetric({ namespace: NAMESPACE, metricName: APPMESH_LATENCY_METRIC, dimensions, points: latency });
  cw.seedMetric({ namespace: NAMESPACE, metricName: APPMESH_REQUEST_COUNT_METRIC, dimensions, points: requests });
}
