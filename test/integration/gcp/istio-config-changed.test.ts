/**
 * istioConfigChanged on the real functions-framework server (the production entry, run by
 * functions-framework's own main.js), fed real-shaped Pub/Sub CloudEvents from the GKE audit
 * log sink, reading the Kubernetes emulator with the live Istio reader and reporting to a hub
 * stand-in that verifies the link signature.
 */
import type { Finding } from '../../../functions/core/findings';
import { agentWorldPerFile } from './agent-world';
import { wholeCluster } from '../istio/cluster-fixture';
import { agentEnvironment, AGENT_SA } from './agent-environment';
import { auditEvent, auditLogEntry, deliver, sampleEvent, withRawData, type LogEntry } from './cloud-events';
import { freePort, startFunctionsServer, type FunctionsServer } from './functions-server';

const world = agentWorldPerFile('istioConfigChanged', { seed: wholeCluster });

/**
 * The shared entry pointed at another object, as GKE writes resourceName and methodName for
 * it; an update carries the whole object as request and response (taken from the emulator).
 */
function entryFor(resourceName: string, verb: string, vary: (e: LogEntry) => void = () => {}): LogEntry {
  const entry = auditLogEntry();
  const [group, version, , , plural] = resourceName.split('/');
  const methodName = `io.istio.${group!.split('.')[0]}.${version}.${plural}.${verb}`;
  entry.protoPayload.resourceName = resourceName;
  entry.protoPayload.methodName = methodName;
  entry.protoPayload.authorizationInfo = [{ granted: true, permission: methodName, resource: resourceName }];
  if (verb === 'update') {
    const [, , , namespace, , name] = resourceName.split('/');
    const stored = world.emulator.list(plural!, namespace).find((o) => o.metadata.name === name)!;
    const type = `${group}/${version}.${stored.kind}`;
    entry.protoPayload.request = { '@type': type, ...stored, apiVersion: `${group}/${version}` };
    entry.protoPayload.response = { '@type': type, ...stored, apiVersion: `${group}/${version}` };
  }
  if (verb === 'delete') {
    entry.protoPayload.request = { '@type': 'k8s.io/DeleteOptions', apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' };
    entry.protoPayload.response = { '@type': 'core.k8s.io/v1.Status', apiVersion: 'v1', kind: 'Status', status: 'Success', details: { group, kind: plural, name: resourceName.split('/').pop() } };
  }
  vary(entry);
  return entry;
}

function writes(): number {
  return Object.entries(world.emulator.calls())
    .filter(([key]) => /^(patch|create|update|delete|apply)\b/.test(key))
    .reduce((n, [, count]) => n + count, 0);
}

function reads(): number {
  return Object.values(world.emulator.calls()).reduce((n, c) => n + c, 0);
}

test('a namespace PeerAuthentication patched to PERMISSIVE: payments is audited and the finding reaches the hub, signed', async () => {
  const event = auditEvent();
  const delivery = await deliver(world.server.url, event);

  expect(delivery.status).toBeGreaterThanOrEqual(200);
  expect(delivery.status).toBeLessThan(300);
  expect(world.hub.reports).toHaveLength(1);
  expect(world.hub.requests[0]!.verification).toMatchObject({ ok: true });
  const report = world.hub.reports[0]!;
  expect(report.agent).toEqual({ project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' });
  expect(report.scopedReport.trigger).toEqual({
    source: 'gke-audit',
    eventId: event.data.message.messageId,
    eventTime: '2026-11-20T14:47:12.483917Z',
    actor: 'bob@example.com',
    summary: 'patch PeerAuthentication payments/default by bob@example.com',
  });
  expect(report.scopedReport.scope).toEqual({ kind: 'istio-namespace', namespace: 'payments' });

  const permissive = report.scopedReport.report.findings.find((f: Finding) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api');
  expect(permissive).toMatchObject({ provider: 'istio', resource: { namespace: 'payments', port: 8080 }, detail: { mode: 'PERMISSIVE' } });
  const stored = world.emulator.get('PeerAuthentication', 'payments', 'default')!;
  expect(permissive!.remediation).toMatchObject({
    action: 'istio.peerauthentication.set-strict',
    change: { operation: 'merge-patch', target: { kind: 'PeerAuthentication', namespace: 'payments', name: 'default', resourceVersion: stored.metadata.resourceVersion }, patch: { spec: { mtls: { mode: 'STRICT' } } } },
  });
  expect(report.scopedReport.auditedResources).toContain('istio|Deployment|payments||payments-api');

  // A scoped audit reads the namespace, and writes nothing.
  expect(world.emulator.calls()['list peerauthentications']).toBeGreaterThan(0);
  expect(writes()).toBe(0);
  await world.server.waitForLog((l) => l.message === 'report delivered to the hub' && l.eventId === event.id);
});

test('a DestinationRule updated in orders toward payments audits both namespaces, and reports the plaintext rule', async () => {
  const entry = entryFor('networking.istio.io/v1beta1/namespaces/orders/destinationrules/payments-api-plaintext', 'update', (e) => {
    e.protoPayload.authenticationInfo.principalEmail = 'dana@example.com';
  });
  expect((await deliver(world.server.url, auditEvent(entry))).status).toBeLessThan(300);

  const report = world.hub.reports[0]!.scopedReport;
  expect(report.scope).toEqual({ kind: 'all', providers: ['istio', 'x509'], namespaces: ['orders', 'payments'] });
  expect(report.trigger.summary).toBe('update DestinationRule orders/payments-api-plaintext by dana@example.com');
  expect(report.report.findings).toContainEqual(
    expect.objectContaining({ resource: expect.objectContaining({ kind: 'DestinationRule', namespace: 'orders', name: 'payments-api-plaintext' }) }),
  );
});

test('a delete of payments/default: the audit of payments sees the mesh-wide STRICT again', async () => {
  // The delete happened before its audit log entry reached the sink.
  const stored = world.emulator.get('PeerAuthentication', 'payments', 'default')!;
  expect(stored.spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  await deleteInEmulator('security.istio.io/v1', 'peerauthentications', 'payments', 'default');

  const delivery = await deliver(world.server.url, auditEvent(entryFor('security.istio.io/v1/namespaces/payments/peerauthentications/default', 'delete')));
  expect(delivery.status).toBeLessThan(300);
  const report = world.hub.reports[0]!.scopedReport;
  expect(report.trigger.summary).toBe('delete PeerAuthentication payments/default by bob@example.com');
  expect(report.report.findings.filter((f: Finding) => f.rule === 'mtls-not-strict' && f.resource.namespace === 'payments')).toEqual([]);
  // Still audited: the hub resolves the open finding instead of leaving it "not looked at".
  expect(report.auditedResources).toContain('istio|Deployment|payments||payments-api');
});

test('a resourceName without the version (security.istio.io/namespaces/payments/…) is the same change: payments is audited and reported', async () => {
  const entry = auditLogEntry();
  entry.protoPayload.resourceName = 'security.istio.io/namespaces/payments/peerauthentications/default';
  entry.protoPayload.authorizationInfo[0].resource = entry.protoPayload.resourceName;
  const event = auditEvent(entry);
  const delivery = await deliver(world.server.url, event);
  expect(delivery.status).toBeGreaterThanOrEqual(200);
  expect(delivery.status).toBeLessThan(300);
  expect(world.hub.reports).toHaveLength(1);
  const report = world.hub.reports[0]!;
  expect(report.scopedReport.scope).toEqual({ kind: 'istio-namespace', namespace: 'payments' });
  expect(report.scopedReport.trigger.summary).toBe('patch PeerAuthentication payments/default by bob@example.com');
  expect(report.scopedReport.report.findings).toContainEqual(expect.objectContaining({ rule: 'mtls-not-strict', resource: expect.objectContaining({ namespace: 'payments', name: 'payments-api' }) }));
  // The ledger's record keeps the version the API server answered with.
  expect(report.observedChange).toMatchObject({ kind: 'PeerAuthentication', apiVersion: 'security.istio.io/v1', namespace: 'payments', name: 'default' });
});

test('a Namespace patched out of the mesh (istio-injection removed): that namespace is audited at once and reported, not recorded as a policy change', async () => {
  world.emulator.bumpResourceVersion('Namespace', undefined, 'payments', (ns) => {
    delete ns.metadata.labels!['istio-injection'];
  });
  const entry = auditLogEntry();
  entry.protoPayload.resourceName = 'core/v1/namespaces/payments';
  entry.protoPayload.methodName = 'io.k8s.core.v1.namespaces.patch';
  entry.protoPayload.authorizationInfo = [{ granted: true, permission: 'io.k8s.core.v1.namespaces.patch', resource: 'core/v1/namespaces/payments' }];
  delete entry.protoPayload.request;
  delete entry.protoPayload.response;
  const event = auditEvent(entry);
  const delivery = await deliver(world.server.url, event);
  expect(delivery.status).toBeLessThan(300);
  expect(world.hub.reports).toHaveLength(1);
  const report = world.hub.reports[0]!;
  expect(report.scopedReport.scope).toEqual({ kind: 'istio-namespace', namespace: 'payments' });
  expect(report.scopedReport.trigger.summary).toBe('patch Namespace payments by bob@example.com');
  expect(report.scopedReport.report.findings).toContainEqual(expect.objectContaining({ rule: 'mesh-sidecar-missing', resource: expect.objectContaining({ kind: 'Namespace', name: 'payments' }) }));
  expect(report.observedChange).toBeUndefined();
  expect(writes()).toBe(0);
});

test('a write inside a namespace that is not an Istio kind (a Pod) is acknowledged and not audited', async () => {
  const entry = auditLogEntry();
  entry.protoPayload.resourceName = 'core/v1/namespaces/payments/pods/payments-api-7d4b9c8f6-x2x9q';
  entry.protoPayload.methodName = 'io.k8s.core.v1.pods.delete';
  const event = auditEvent(entry);
  expect((await deliver(world.server.url, event)).status).toBeLessThan(300);
  await world.server.waitForLog((l) => l.eventId === event.id && /ignored: pods is not an Istio kind meshgov audits/.test(l.message));
  expect(world.hub.reports).toHaveLength(0);
  expect(reads()).toBe(0);
});

test('a change in the root namespace is mesh-wide, so the whole cluster is audited', async () => {
  const entry = entryFor('security.istio.io/v1/namespaces/istio-system/peerauthentications/default', 'patch');
  expect((await deliver(world.server.url, auditEvent(entry))).status).toBeLessThan(300);
  const report = world.hub.reports[0]!.scopedReport;
  expect(report.scope).toEqual({ kind: 'all', providers: ['istio', 'x509'] });
  const namespaces = new Set(report.report.findings.map((f: Finding) => f.resource.namespace));
  expect([...namespaces]).toEqual(expect.arrayContaining(['payments', 'orders']));
});

test("meshgov's own change (its service account) is acknowledged, logged and not audited: no loop", async () => {
  const entry = auditLogEntry();
  entry.protoPayload.authenticationInfo.principalEmail = AGENT_SA;
  const event = auditEvent(entry);
  const delivery = await deliver(world.server.url, event);
  expect(delivery.status).toBeLessThan(300);
  const line = await world.server.waitForLog((l) => l.eventId === event.id && l.message.startsWith('ignored'));
  expect(line).toMatchObject({ severity: 'INFO', message: `ignored: change made by meshgov itself (${AGENT_SA})`, actor: AGENT_SA });
  expect(world.hub.requests).toHaveLength(0);
  expect(reads()).toBe(0);
});

test("a change on another cluster of the project is not this agent's to audit", async () => {
  const entry = auditLogEntry();
  entry.resource.labels.cluster_name = 'staging-gke';
  const event = auditEvent(entry);
  expect((await deliver(world.server.url, event)).status).toBeLessThan(300);
  await world.server.waitForLog((l) => l.eventId === event.id && /ignored: the change is on cluster staging-gke/.test(l.message));
  expect(world.hub.requests).toHaveLength(0);
  expect(reads()).toBe(0);
});

const malformed: Array<{ name: string; event: () => ReturnType<typeof auditEvent>; message: RegExp; field: string }> = [
  {
    name: 'a Cloud Storage CloudEvent routed here by mistake',
    event: () => ({ ...auditEvent(), type: 'google.cloud.storage.object.v1.finalized', source: '//storage.googleapis.com/projects/_/buckets/meshgov-demo-reports' }),
    message: /^malformed event, not acknowledged: type is google\.cloud\.storage\.object\.v1\.finalized, not a Pub\/Sub message/,
    field: 'type',
  },
  { name: 'data that is not base64', event: () => withRawData(auditEvent(), '{"protoPayload":{}}'), message: /^malformed event, not acknowledged: data\.message\.data is not base64/, field: 'data.message.data' },
  // base64 of a kubectl command line, not of a LogEntry
  { name: 'base64 of text that is not JSON', event: () => withRawData(auditEvent(), Buffer.from('kubectl patch pa default').toString('base64')), message: /^malformed event, not acknowledged: data\.message\.data is not JSON/, field: 'data.message.data' },
  { name: 'a message without data', event: () => withRawData(auditEvent(), undefined), message: /data\.message\.data is missing/, field: 'data.message.data' },
  { name: 'a Cloud Monitoring incident sent to the wrong topic', event: () => sampleEvent('pubsub-cloudevent-monitoring-incident-open.json'), message: /^malformed audit log entry, not acknowledged: protoPayload is missing/, field: 'protoPayload' },
  { name: 'an audit entry without resourceName', event: () => auditEvent(entryWithout('resourceName')), message: /protoPayload\.resourceName is missing/, field: 'protoPayload.resourceName' },
  {
    name: 'a LogEntry whose protoPayload is no AuditLog',
    event: () => auditEvent(withPayloadType('type.googleapis.com/google.appengine.logging.v1.RequestLog')),
    message: /^malformed audit log entry, not acknowledged: protoPayload\.@type is "type\.googleapis\.com\/google\.appengine\.logging\.v1\.RequestLog", not type\.googleapis\.com\/google\.cloud\.audit\.AuditLog/,
    field: 'protoPayload.@type',
  },
  { name: 'an audit entry without serviceName', event: () => auditEvent(entryWithout('serviceName')), message: /protoPayload\.serviceName is missing/, field: 'protoPayload.serviceName' },
];

test.each(malformed)('$name: not acknowledged (non-2xx, so Pub/Sub redelivers, then dead-letters it), one ERROR line naming the field', async ({ event: make, message, field }) => {
  const event = make();
  const delivery = await deliver(world.server.url, event);
  expect(delivery.status).toBeGreaterThanOrEqual(400);
  const line = await world.server.waitForLog((l) => l.eventId === event.id);
  expect(line).toMatchObject({ severity: 'ERROR', function: 'istioConfigChanged', field, ack: false, message: expect.stringMatching(message) });
  expect(line.message).toContain('Pub/Sub redelivers it, then dead-letters it');
  expect(world.server.logs().filter((l) => l.eventId === event.id)).toHaveLength(1);
  expect(world.hub.requests).toHaveLength(0);
  expect(reads()).toBe(0);
  // Redelivered, it fails the same way: it is kept until the dead-letter topic takes it.
  expect((await deliver(world.server.url, event)).status).toBeGreaterThanOrEqual(400);
});

const ignored: Array<{ name: string; event: () => ReturnType<typeof auditEvent>; message: RegExp }> = [
  { name: 'a Deployment rollout', event: () => auditEvent(deploymentEntry()), message: /^ignored: apps deployments is not an Istio kind meshgov audits$/ },
  { name: 'a Cloud Storage audit entry', event: () => auditEvent(storageEntry()), message: /^ignored: serviceName is storage\.googleapis\.com, not k8s\.io/ },
  { name: "istiod's status update", event: () => auditEvent(entryFor('security.istio.io/v1/namespaces/payments/peerauthentications/default/status', 'update')), message: /^ignored: a change to the status subresource/ },
  { name: 'a patch the API server refused', event: () => auditEvent(refusedEntry()), message: /^ignored: the request failed \(status code 7/ },
  {
    name: 'a server-side dry-run delete (kubectl delete --dry-run=server)',
    event: () =>
      auditEvent(
        entryFor('networking.istio.io/v1/namespaces/orders/destinationrules/payments-api-plaintext', 'delete', (e) => {
          e.protoPayload.methodName = 'io.k8s.networking.istio.v1.destinationrules.delete';
          e.protoPayload.request.dryRun = ['All'];
        }),
      ),
    message: /^ignored: a dry run \(request\.dryRun \["All"\]\) persists nothing$/,
  },
  {
    // The dryRun query parameter is not in the entry; GKE labels the entry instead.
    name: "bob's patch sent with kubectl patch --dry-run=server",
    event: () => auditEvent(dryRunEntry()),
    message: /^ignored: a dry run \(label command\.gke\.io\/dryRun "true"\) persists nothing$/,
  },
];

test.each(ignored)('$name: ignored on purpose, so acknowledged (2xx) with one INFO line, nothing read or reported', async ({ event: make, message }) => {
  const event = make();
  const delivery = await deliver(world.server.url, event);
  expect(delivery.status).toBeGreaterThanOrEqual(200);
  expect(delivery.status).toBeLessThan(300);
  const line = await world.server.waitForLog((l) => l.eventId === event.id);
  expect(line).toMatchObject({ severity: 'INFO', function: 'istioConfigChanged', message: expect.stringMatching(message) });
  expect(world.server.logs().filter((l) => l.eventId === event.id)).toHaveLength(1);
  expect(world.hub.requests).toHaveLength(0);
  expect(reads()).toBe(0);
});

describe('Pub/Sub delivers at least once: the same messageId again', () => {
  test('after it was handled: acknowledged with one INFO line, the cluster is not read again and the hub gets no second report', async () => {
    const event = auditEvent();
    expect((await deliver(world.server.url, event)).status).toBeLessThan(300);
    expect(world.hub.reports).toHaveLength(1);
    const readsOfFirst = reads();

    const again = await deliver(world.server.url, structuredClone(event));
    expect(again.status).toBeGreaterThanOrEqual(200);
    expect(again.status).toBeLessThan(300);
    const line = await world.server.waitForLog((l) => l.eventId === event.id && l.duplicate === true);
    expect(line).toMatchObject({ severity: 'INFO', messageId: event.data.message.messageId, message: expect.stringMatching(/^ignored: duplicate delivery of message 13268925375185\d+, already handled at /) });
    expect(world.hub.requests).toHaveLength(1);
    expect(reads()).toBe(readsOfFirst);
  });

  test('while the first is still running: both are acknowledged, and only one report reaches the hub', async () => {
    const event = auditEvent();
    const [first, second] = await Promise.all([deliver(world.server.url, event), deliver(world.server.url, structuredClone(event))]);
    expect(first.status).toBeLessThan(300);
    expect(second.status).toBeLessThan(300);
    expect(world.hub.reports).toHaveLength(1);
    expect(world.hub.requests).toHaveLength(1);
  });

  test('another message about the same entry (another messageId) is its own delivery', async () => {
    const entry = auditLogEntry();
    expect((await deliver(world.server.url, auditEvent(entry))).status).toBeLessThan(300);
    expect((await deliver(world.server.url, auditEvent(entry))).status).toBeLessThan(300);
    expect(world.hub.reports).toHaveLength(2);
  });
});

test('a hub answering 503 fails the delivery (Pub/Sub redelivers); the redelivered message then arrives, nothing lost', async () => {
  world.hub.failNext(503, 2); // MESHGOV_HUB_ATTEMPTS=2: both attempts of the first delivery fail
  const event = auditEvent();
  const first = await deliver(world.server.url, event);
  expect(first.status).toBeGreaterThanOrEqual(500);
  expect(world.hub.reports).toHaveLength(0);
  await world.server.waitForLog((l) => l.eventId === event.id && l.severity === 'ERROR' && /report not delivered to the hub/.test(l.message));

  const redelivery = await deliver(world.server.url, event);
  expect(redelivery.status).toBeLessThan(300);
  expect(world.hub.reports).toHaveLength(1);
  expect(world.hub.reports[0]!.scopedReport.trigger.eventId).toBe(event.data.message.messageId);
  expect(world.hub.requests.map((r) => r.status)).toEqual([503, 503, 202]);
});

describe('with the hub down', () => {
  let downServer: FunctionsServer;
  beforeAll(async () => {
    const closed = await freePort();
    downServer = await startFunctionsServer({ target: 'istioConfigChanged', env: agentEnvironment({ kubeconfig: world.kubeconfig, hubUrl: `http://127.0.0.1:${closed}/agent/findings` }) });
  });
  afterAll(() => downServer?.stop());

  test('the function fails (non-2xx to Pub/Sub push), after bounded retries, so the message is redelivered', async () => {
    const event = auditEvent();
    const delivery = await deliver(downServer.url, event);
    expect(delivery.status).toBe(500);
    // Bounded: one retry, then the failure (counted, not timed).
    const retries = downServer.logs().filter((l) => l.eventId === event.id && l.message === 'hub not reached; retrying');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ severity: 'WARNING', problem: expect.stringContaining('ECONNREFUSED') });
    await downServer.waitForLog((l) => l.eventId === event.id && l.severity === 'ERROR' && /report not delivered to the hub; failing so Pub\/Sub redelivers/.test(l.message));
  });
});

describe('without its configuration', () => {
  let unconfigured: FunctionsServer;
  beforeAll(async () => {
    const env = agentEnvironment({ kubeconfig: world.kubeconfig, hubUrl: world.hub.url });
    delete env.MESHGOV_LINK_SECRET;
    unconfigured = await startFunctionsServer({ target: 'istioConfigChanged', env });
  });
  afterAll(() => unconfigured?.stop());

  test('an Istio change fails (kept by Pub/Sub until the deployment is fixed), with a log line naming the variable', async () => {
    const event = auditEvent();
    expect((await deliver(unconfigured.url, event)).status).toBe(500);
    const line = await unconfigured.waitForLog((l) => l.eventId === event.id && l.severity === 'ERROR');
    expect(line).toMatchObject({ variables: ['MESHGOV_LINK_SECRET'], message: expect.stringContaining('MESHGOV_LINK_SECRET is not set') });
    expect(world.hub.requests).toHaveLength(0);
  });

  test('a malformed event fails naming its field before any setting is needed: redelivered, then dead-lettered', async () => {
    const event = withRawData(auditEvent(), 'not base64!');
    expect((await deliver(unconfigured.url, event)).status).toBe(500);
    const line = await unconfigured.waitForLog((l) => l.eventId === event.id && l.severity === 'ERROR');
    expect(line).toMatchObject({ field: 'data.message.data', ack: false });
    expect(line.variables).toBeUndefined();
  });
});

function entryWithout(field: 'resourceName' | 'serviceName'): LogEntry {
  const entry = auditLogEntry();
  delete entry.protoPayload[field];
  return entry;
}

function withPayloadType(type: string): LogEntry {
  const entry = auditLogEntry();
  entry.protoPayload['@type'] = type;
  return entry;
}

function deploymentEntry(): LogEntry {
  const entry = auditLogEntry();
  entry.protoPayload.resourceName = 'apps/v1/namespaces/payments/deployments/payments-api';
  entry.protoPayload.methodName = 'io.k8s.apps.v1.deployments.patch';
  entry.protoPayload.request = { '@type': 'k8s.io/Patch', spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-20T14:50:02Z' } } } } };
  delete entry.protoPayload.response;
  return entry;
}

function storageEntry(): LogEntry {
  const entry = auditLogEntry();
  entry.protoPayload.serviceName = 'storage.googleapis.com';
  entry.protoPayload.methodName = 'storage.objects.create';
  entry.protoPayload.resourceName = 'projects/_/buckets/meshgov-demo-reports/objects/2026-11-20.json';
  entry.resource = { type: 'gcs_bucket', labels: { project_id: 'meshgov-demo', bucket_name: 'meshgov-demo-reports', location: 'us-central1' } };
  return entry;
}

function refusedEntry(): LogEntry {
  const entry = auditLogEntry();
  entry.labels['authorization.k8s.io/decision'] = 'forbid';
  entry.protoPayload.authorizationInfo[0].granted = false;
  entry.protoPayload.status = { code: 7, message: 'PERMISSION_DENIED' };
  delete entry.protoPayload.response;
  return entry;
}

function dryRunEntry(): LogEntry {
  const entry = auditLogEntry();
  entry.labels['command.gke.io/dryRun'] = 'true';
  return entry;
}

async function deleteInEmulator(apiVersion: string, plural: string, namespace: string, name: string): Promise<void> {
  const response = await fetch(`${world.emulator.url}/apis/${apiVersion}/namespaces/${namespace}/${plural}/${name}`, { method: 'DELETE', headers: { authorization: `Bearer ${world.emulator.token}` } });
  expect(response.status).toBe(200);
  world.emulator.resetCalls();
}
