/**
 * istioConfigChanged on the real functions-framework server, fed entries shaped as GKE really
 * writes them for Istio kinds: GKE's audit policy (kube-up's configure-helper.sh, "Default level
 * for all other requests") logs resources outside the built-in API groups at the Metadata level,
 * so an entry for a DestinationRule or PeerAuthentication carries no `request` and no `response`;
 * and a request the API server answered with a timeout or an internal error may have been stored.
 */
import { wholeCluster } from '../istio/cluster-fixture';
import { agentWorldPerFile } from './agent-world';
import { auditEvent, auditLogEntry, deliver, type LogEntry } from './cloud-events';

const world = agentWorldPerFile('istioConfigChanged', { seed: wholeCluster });

/** A Metadata-level entry (no bodies) for `verb` on `resourceName` by dana. */
function metadataEntry(resourceName: string, verb: string, vary: (e: LogEntry) => void = () => {}): LogEntry {
  const entry = auditLogEntry();
  const [group, version, , , plural] = resourceName.split('/');
  const methodName = `io.k8s.${group!.replace(/\.io$/, '')}.${version}.${plural}.${verb}`; // io.k8s.networking.istio.v1.destinationrules.patch
  entry.protoPayload.resourceName = resourceName;
  entry.protoPayload.methodName = methodName;
  entry.protoPayload.authorizationInfo = [{ granted: true, permission: methodName, resource: resourceName }];
  entry.protoPayload.authenticationInfo.principalEmail = 'dana@example.com';
  delete entry.protoPayload.request;
  delete entry.protoPayload.response;
  vary(entry);
  return entry;
}

describe('a DestinationRule change logged without bodies (GKE Metadata level)', () => {
  test('toward a service in another namespace: both namespaces are audited, the host read from the cluster', async () => {
    const entry = metadataEntry('networking.istio.io/v1beta1/namespaces/orders/destinationrules/payments-api-plaintext', 'patch');
    expect((await deliver(world.server.url, auditEvent(entry))).status).toBeLessThan(300);

    const report = world.hub.reports[0]!.scopedReport;
    expect(report.scope).toEqual({ kind: 'all', providers: ['istio', 'x509'], namespaces: ['orders', 'payments'] });
    expect(report.trigger.summary).toBe('patch DestinationRule orders/payments-api-plaintext by dana@example.com');
    expect(report.report.findings).toContainEqual(expect.objectContaining({ resource: expect.objectContaining({ kind: 'DestinationRule', namespace: 'orders', name: 'payments-api-plaintext' }) }));
    expect(report.auditedResources).toContain('istio|Deployment|payments||payments-api');
  });

  test('toward a service of its own namespace: one namespace audited, read once', async () => {
    const withBodies = metadataEntry('networking.istio.io/v1/namespaces/payments/destinationrules/ledger', 'patch', (e) => {
      e.protoPayload.response = { '@type': 'networking.istio.io/v1.DestinationRule', ...world.emulator.get('DestinationRule', 'payments', 'ledger')! };
    });
    expect((await deliver(world.server.url, auditEvent(withBodies))).status).toBeLessThan(300);
    const readsWithHostLogged = world.emulator.calls();
    world.emulator.resetCalls();

    expect((await deliver(world.server.url, auditEvent(metadataEntry('networking.istio.io/v1/namespaces/payments/destinationrules/ledger', 'patch')))).status).toBeLessThan(300);
    expect(world.hub.reports.map((r) => r.scopedReport.scope)).toEqual([
      { kind: 'istio-namespace', namespace: 'payments' },
      { kind: 'istio-namespace', namespace: 'payments' },
    ]);
    // The read that found the host is the audit's read: the cluster is not read twice.
    expect(world.emulator.calls()).toEqual(readsWithHostLogged);
  });

  test('a delete (the rule is gone, its host unknown) audits its own namespace', async () => {
    const entry = metadataEntry('networking.istio.io/v1beta1/namespaces/orders/destinationrules/payments-api-plaintext', 'delete');
    expect((await deliver(world.server.url, auditEvent(entry))).status).toBeLessThan(300);
    expect(world.hub.reports[0]!.scopedReport.scope).toEqual({ kind: 'istio-namespace', namespace: 'orders' });
  });
});

describe('a request the API server answered with an error', () => {
  test('a timeout (status code 4) may have stored the patch: payments is audited, and the change is not recorded as done', async () => {
    const entry = auditLogEntry();
    entry.protoPayload.status = { code: 4, message: 'Timeout: request did not complete within requested timeout - context deadline exceeded' };
    delete entry.protoPayload.response;
    const event = auditEvent(entry);
    expect((await deliver(world.server.url, event)).status).toBeLessThan(300);

    expect(world.hub.reports).toHaveLength(1);
    const report = world.hub.reports[0]!;
    expect(report.scopedReport.scope).toEqual({ kind: 'istio-namespace', namespace: 'payments' });
    expect(report.scopedReport.trigger.summary).toBe('patch PeerAuthentication payments/default by bob@example.com (answered with status code 4, so it may or may not have been stored)');
    // The emulator holds payments/default PERMISSIVE: the audit reports what the cluster holds.
    expect(report.scopedReport.report.findings).toContainEqual(expect.objectContaining({ rule: 'mtls-not-strict', resource: expect.objectContaining({ namespace: 'payments', name: 'payments-api' }) }));
    expect(report.observedChange).toBeUndefined();
    await world.server.waitForLog((l) => l.eventId === event.id && /^change not recorded: the API server answered status code 4/.test(l.message));
  });

  test('a refusal (status code 7) changed nothing: acknowledged, nothing read or reported', async () => {
    const entry = auditLogEntry();
    entry.protoPayload.status = { code: 7, message: 'PERMISSION_DENIED' };
    delete entry.protoPayload.response;
    const event = auditEvent(entry);
    expect((await deliver(world.server.url, event)).status).toBeLessThan(300);
    await world.server.waitForLog((l) => l.eventId === event.id && /^ignored: the request failed/.test(l.message));
    expect(world.hub.requests).toHaveLength(0);
    expect(Object.keys(world.emulator.calls())).toEqual([]);
  });
});
