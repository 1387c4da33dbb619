import { evaluateModel } from '../../core/rules/engine';
import type { Finding } from '../../core/findings';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml } from './testInventory';

/*
 * Two port numbers meet in Istio: a DestinationRule's portLevelSettings name the Service port
 * (pilot util.GetPortLevelTrafficPolicy is given the cluster's Service port), while a
 * PeerAuthentication's portLevelMtls names the workload port the Service's targetPort resolves
 * to (inbound clusters are keyed by EndpointPort since Istio 1.8.1). CONTRACT.md puts the
 * workload port in every Istio finding's `resource.port`; the Service port stays in
 * `destination.port` (detail.destinationPort) and in the patch.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const HOST = 'catalog.shop.svc.cluster.local';

/** port 80 → targetPort http (8080), port 9090 → 9091. */
const catalogService = serviceYaml('shop', 'catalog', [
  { name: 'http', port: 80, targetPort: 'http' },
  { name: 'http-metrics', port: 9090, targetPort: 9091 },
]);

const rule = (portLevel: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: catalog
  namespace: shop
  resourceVersion: "7731"
spec:
  host: ${HOST}
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    portLevelSettings:
${portLevel}`;

const disableOn = (port: number) => `    - port:
        number: ${port}
      tls:
        mode: DISABLE
`;

const fleet = (...extra: string[]) =>
  docs(
    namespace('shop'),
    namespace('web'),
    peerAuthentication('istio-system', 'default', 'STRICT'),
    catalogService,
    deployment('shop', 'catalog', { ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9091, name: 'http-metrics' }] }),
    deployment('web', 'storefront'),
    ...extra,
  );

const audit = (yaml: string): Finding[] => evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);
const byRule = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule && f.resource.kind === 'DestinationRule');

describe('DestinationRule ports against workload ports', () => {
  it('a portLevelSettings entry for Service port 80 reaches the workload on targetPort 8080, and its findings name 8080', () => {
    const findings = audit(fleet(rule(disableOn(80))));
    const [conflict] = byRule(findings, 'mtls-conflict');
    expect(conflict!.resource).toMatchObject({ kind: 'DestinationRule', name: 'catalog', port: 8080 });
    expect(conflict!.detail.server).toMatchObject({ kind: 'Deployment', name: 'catalog', port: 8080 });
    const [notEnforced] = byRule(findings, 'mtls-client-not-enforced');
    expect(notEnforced!.resource.port).toBe(8080);
    expect(notEnforced!.detail.destinationPort).toBe(80);
  });

  it('the patch of that finding names the Service port, as portLevelSettings key it', () => {
    const model = istioModelOf(fleet(rule(disableOn(80))));
    const client = model.clients.find((c) => c.resource.kind === 'DestinationRule' && c.destination.port === 80)!;
    expect(client.destination).toMatchObject({ hosts: [HOST], port: 80, serverIds: ['istio:shop/Deployment/catalog:8080'] });
    expect(client.fix!.change).toMatchObject({
      patch: { spec: { trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] } } },
    });
  });

  it('an entry keyed by the targetPort (9091) matches no Service port, so Istio ignores it and the top level decides', () => {
    const model = istioModelOf(fleet(rule(disableOn(9091))));
    const ports = model.clients.filter((c) => c.resource.kind === 'DestinationRule').map((c) => c.destination.port);
    expect(ports).toEqual([undefined]);
    expect(byRule(audit(fleet(rule(disableOn(9091)))), 'mtls-conflict')).toEqual([]);
  });

  it('a named targetPort that resolves to different ports on two workloads gives one record per workload port', () => {
    const legacy = deployment('shop', 'catalog-legacy', { labels: { app: 'catalog', track: 'legacy' }, ports: [{ containerPort: 8000, name: 'http' }] });
    const findings = audit(fleet(legacy, rule(disableOn(80))));
    const conflicts = byRule(findings, 'mtls-conflict').map((f) => [f.resource.port, (f.detail.server as { name: string }).name]);
    expect(conflicts.sort()).toEqual([
      [8000, 'catalog-legacy'],
      [8080, 'catalog'],
    ]);
    expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
  });

  it('without known workloads the numeric targetPort stands for the workload port', () => {
    const yaml = docs(namespace('shop'), namespace('web'), catalogService, deployment('web', 'storefront'), rule(disableOn(9090)));
    const client = istioModelOf(yaml).clients.find((c) => c.destination.port === 9090)!;
    expect(client.resource.port).toBe(9091);
  });
});
