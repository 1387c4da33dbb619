import { evaluateModel } from '../../core/rules/engine';
import type { Finding } from '../../core/findings';
import { shippedPolicy } from '../../../test/support/model';
import type { IstioClientPolicy } from './clients';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml as service } from './testInventory';

/*
 * Explicit SIMPLE or MUTUAL settings that a sidecar cannot turn into a TLS context. istiod then
 * leaves the cluster without a transport socket, so the sidecar sends plaintext
 * (pilot/pkg/networking/core/cluster_tls.go `buildUpstreamClusterTLSContext`):
 * - a `credentialName` in a DestinationRule without workloadSelector is not served to sidecars
 *   (only gateways, or sidecars a workloadSelector picks, fetch the secret);
 * - MUTUAL without `credentialName` needs `clientCertificate` and `privateKey` files, else the
 *   context fails to build (and Istio's validation rejects the rule: "client certificate
 *   required for mutual tls").
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const API = 'api.shop.svc.cluster.local';

const fleet = (...extra: string[]) =>
  docs(
    namespace('shop'),
    namespace('web'),
    deployment('shop', 'api', { ports: [8080] }),
    service('shop', 'api', [8080]),
    deployment('web', 'frontend', { labels: { app: 'frontend' } }),
    peerAuthentication('shop', 'default', 'STRICT'),
    ...extra,
  );

function rule(name: string, tls: Record<string, string>, opts: { host?: string; selector?: Record<string, string> } = {}): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
  namespace: web
spec:
  host: ${opts.host ?? API}
${opts.selector ? `  workloadSelector:\n    matchLabels:\n${Object.entries(opts.selector).map(([k, v]) => `      ${k}: ${v}`).join('\n')}\n` : ''}  trafficPolicy:
    tls:
${Object.entries(tls).map(([k, v]) => `      ${k}: ${v}`).join('\n')}
`;
}

const clientsFor = (yaml: string, host = API) => (istioModelOf(yaml).clients as IstioClientPolicy[]).filter((c) => c.destination.hosts.includes(host));
const audit = (yaml: string): Finding[] => evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);

describe('credentialName at sidecars', () => {
  it.each(['MUTUAL', 'SIMPLE'])('%s with credentialName in a rule without workloadSelector: sidecars build no TLS and send plaintext', (mode) => {
    const yaml = fleet(rule('api-client-cert', { mode, credentialName: 'api-client-cert' }));
    const [client] = clientsFor(yaml);
    expect(client).toMatchObject({ sends: 'PLAINTEXT', clientNamespaces: ['web'] });
    expect(client!.reason).toContain('credentialName api-client-cert');
    const conflict = audit(yaml).find((f) => f.rule === 'mtls-conflict');
    expect(conflict?.message).toContain('the client sends plaintext and the server requires mTLS');
  });

  it('the same rule with a workloadSelector is served to the sidecars it picks', () => {
    const [client] = clientsFor(fleet(rule('api-client-cert', { mode: 'MUTUAL', credentialName: 'api-client-cert' }, { selector: { app: 'frontend' } })));
    expect(client).toMatchObject({ sends: 'MTLS', reason: 'MUTUAL', clientWorkloads: ['web/Deployment/frontend'] });
  });

  it('a configmap:// credentialName holds only a CA, which every proxy may read: the TLS context is built', () => {
    const [client] = clientsFor(fleet(rule('api-ca', { mode: 'SIMPLE', credentialName: 'configmap://api-ca' })));
    expect(client).toMatchObject({ sends: 'TLS', reason: 'SIMPLE' });
  });

  it('a subset with credentialName in a rule without workloadSelector also sends plaintext', () => {
    const withSubset = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api
  namespace: web
spec:
  host: ${API}
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
  subsets:
  - name: v1
    labels:
      app: api
    trafficPolicy:
      tls:
        mode: MUTUAL
        credentialName: api-client-cert
`;
    const subset = clientsFor(fleet(withSubset)).find((c) => c.findingKey === 'subset v1');
    expect(subset).toMatchObject({ sends: 'PLAINTEXT' });
    expect(subset!.reason).toContain('credentialName api-client-cert');
  });
});

describe('MUTUAL without client certificate files', () => {
  it('is reported, as Istio validation rejects it, and a sidecar that has it sends plaintext', () => {
    const yaml = fleet(rule('api-mtls', { mode: 'MUTUAL', caCertificates: '/etc/certs/api-ca.pem' }));
    const model = istioModelOf(yaml);
    expect(model.problems).toEqual([
      expect.objectContaining({ kind: 'DestinationRule', name: 'api-mtls', field: 'spec.trafficPolicy.tls', message: expect.stringContaining('clientCertificate and privateKey') }),
    ]);
    const [client] = clientsFor(yaml);
    expect(client).toMatchObject({ sends: 'PLAINTEXT' });
    expect(client!.reason).toContain('clientCertificate and privateKey');
  });

  it('with clientCertificate and privateKey, MUTUAL sends mTLS', () => {
    const yaml = fleet(rule('api-mtls', { mode: 'MUTUAL', clientCertificate: '/etc/certs/client.pem', privateKey: '/etc/certs/client-key.pem' }));
    expect(istioModelOf(yaml).problems).toEqual([]);
    expect(clientsFor(yaml)[0]).toMatchObject({ sends: 'MTLS', reason: 'MUTUAL' });
  });

  it('a port-level MUTUAL without files is reported on its entry', () => {
    const yaml = fleet(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api
  namespace: web
spec:
  host: ${API}
  trafficPolicy:
    portLevelSettings:
    - port:
        number: 8080
      tls:
        mode: MUTUAL
        privateKey: /etc/certs/client-key.pem
`);
    expect(istioModelOf(yaml).problems.map((p) => p.field)).toEqual(['spec.trafficPolicy.portLevelSettings[0].tls']);
    expect(clientsFor(yaml).find((c) => c.destination.port === 8080)).toMatchObject({ sends: 'PLAINTEXT' });
  });
});
