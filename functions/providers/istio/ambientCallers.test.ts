import { evaluateModel } from '../../core/rules/engine';
import type { Finding } from '../../core/findings';
import { shippedPolicy } from '../../../test/support/model';
import type { IstioClientPolicy } from './clients';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml as service } from './testInventory';

/*
 * Ambient mode: a pod without a sidecar whose traffic ztunnel captures sends HBONE mTLS to every
 * in-mesh destination, whatever DestinationRules or MeshConfig auto mTLS say (istio.io, "Ambient
 * data plane"); only waypoints apply DestinationRule TLS, and meshgov does not model them.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const ambient = { 'istio.io/dataplane-mode': 'ambient' };

function audit(yaml: string): Finding[] {
  return evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);
}

const clientFindings = (findings: Finding[]) =>
  findings.filter((f) => f.rule === 'mtls-conflict' || f.rule === 'mtls-client-not-enforced').map((f) => [f.rule, f.resource.kind, f.resource.namespace, f.resource.name]);

const plainRule = (namespace: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-plain
  namespace: ${namespace}
spec:
  host: api.api.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
`;

const meshConfigWithoutAutoMtls = `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    enableAutoMtls: false
    rootNamespace: istio-system
`;

/** A STRICT mesh; api is ambient; web's labels decide how its callers reach api. */
const fleet = (web: Record<string, string>, ...extra: string[]) =>
  docs(
    peerAuthentication('istio-system', 'default', 'STRICT'),
    namespace('api', ambient),
    deployment('api', 'api'),
    service('api', 'api'),
    namespace('web', web),
    deployment('web', 'web'),
    ...extra,
  );

describe('ambient callers (ztunnel, no sidecar)', () => {
  it('a DestinationRule DISABLE in an ambient namespace decides nothing: ztunnel sends HBONE mTLS', () => {
    expect(clientFindings(audit(fleet(ambient, plainRule('web'))))).toEqual([]);
  });

  it('nor does auto mTLS turned off in the MeshConfig', () => {
    expect(clientFindings(audit(fleet(ambient, meshConfigWithoutAutoMtls)))).toEqual([]);
  });

  it('sidecar callers are still judged by the same rule', () => {
    expect(clientFindings(audit(fleet({ 'istio-injection': 'enabled' }, plainRule('web'))))).toEqual([
      ['mtls-conflict', 'DestinationRule', 'web', 'api-plain'],
      ['mtls-client-not-enforced', 'DestinationRule', 'web', 'api-plain'],
    ]);
  });

  it('an ambient namespace labelled for injection too has sidecar callers, judged as such', () => {
    expect(clientFindings(audit(fleet({ ...ambient, 'istio-injection': 'enabled' }, plainRule('web'))))).toHaveLength(2);
  });

  it('a namespace where one workload has a sidecar keeps being judged, for that one', () => {
    // istioctl kube-inject output: the template holds the sidecar, so ztunnel leaves its pods alone.
    const sidecar = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: admin
  namespace: web
spec:
  selector:
    matchLabels:
      app: admin
  template:
    metadata:
      labels:
        app: admin
      annotations:
        sidecar.istio.io/status: '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy"]}'
    spec:
      containers:
      - name: admin
        image: registry.example.com/web/admin:1.4.2
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.24.2
`;
    expect(clientFindings(audit(fleet(ambient, plainRule('web'), sidecar)))).toHaveLength(2);
  });

  it("a rule in the server's namespace still reaches sidecar callers elsewhere, and not the ambient ones", () => {
    const model = istioModelOf(fleet(ambient, plainRule('api'), namespace('shop'), deployment('shop', 'cart')));
    const rule = (model.clients as IstioClientPolicy[]).find((c) => c.resource.name === 'api-plain');
    expect(rule?.clientNamespaces).toEqual(['shop']);
  });
});
