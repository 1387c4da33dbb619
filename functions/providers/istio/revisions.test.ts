import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, serviceYaml } from './testInventory';

/*
 * A revisioned control plane (canary upgrades): istiod-<rev> reads only ConfigMap istio-<rev>
 * (istio-discovery chart, `istio{{- if .Values.revision }}-{{ .Values.revision }}`), and serves
 * the namespaces labelled `istio.io/rev: <rev>`. Auto mTLS can be on in one and off in the other.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

const meshConfig = (name: string, autoMtls: boolean) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: istio-system
data:
  mesh: |
    enableAutoMtls: ${autoMtls}
    rootNamespace: istio-system
`;

const fleet = (canaryAutoMtls: boolean, ...extra: string[]) =>
  docs(
    meshConfig('istio', true),
    meshConfig('istio-canary', canaryAutoMtls),
    namespace('shop', { 'istio-injection': 'enabled' }),
    namespace('web', { 'istio.io/rev': 'canary' }),
    namespace('batch', { 'istio-injection': 'enabled' }),
    `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
`,
    deployment('shop', 'api'),
    serviceYaml('shop', 'api'),
    deployment('web', 'frontend'),
    deployment('batch', 'reports'),
    ...extra,
  );

describe('MeshConfig per control plane revision', () => {
  it("callers in a canary namespace follow istio-canary's enableAutoMtls: false, and send plaintext", () => {
    const model = istioModelOf(fleet(false));
    const findings = evaluateModel(model, shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-conflict' || f.rule === 'mtls-client-not-enforced');
    expect(findings.map((f) => [f.rule, f.resource.kind, f.resource.name])).toEqual([
      ['mtls-conflict', 'ConfigMap', 'istio-canary'],
      ['mtls-client-not-enforced', 'ConfigMap', 'istio-canary'],
    ]);
    // Only web follows istio-canary; shop and batch keep auto mTLS from istio.
    const plaintext = model.clients.filter((c) => c.sends === 'PLAINTEXT') as Array<{ clientNamespaces?: string[] }>;
    expect(plaintext.map((c) => c.clientNamespaces)).toEqual([['web']]);
  });

  it('a DestinationRule without tls is judged per revision, and says which MeshConfig decided', () => {
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-pool
  namespace: istio-system
spec:
  host: api.shop.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 200
`;
    const model = istioModelOf(fleet(false, rule));
    const fromRule = model.clients.filter((c) => c.resource.kind === 'DestinationRule');
    expect(fromRule.map((c) => [c.id, c.sends])).toEqual([
      ['istio:istio-system/DestinationRule/api-pool->api.shop.svc.cluster.local:*', 'AUTO'],
      ['istio:istio-system/DestinationRule/api-pool->api.shop.svc.cluster.local:*@istio-system/istio-canary', 'PLAINTEXT'],
    ]);
    expect(fromRule[1]!.reason).toBe("no tls settings and enableAutoMtls is false (MeshConfig istio-system/istio-canary, which serves the callers' istio.io/rev)");
    const conflicts = evaluateModel(model, shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.resource).toMatchObject({ kind: 'DestinationRule', name: 'api-pool' });
  });

  describe('revision tags (istioctl tag set), resolved by their injector webhooks', () => {
    const tagWebhook = (tag: string, revision: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: istio-revision-tag-${tag}
  labels:
    app: sidecar-injector
    istio.io/rev: ${revision}
    istio.io/tag: ${tag}
webhooks:
  - name: rev.namespace.sidecar-injector.istio.io
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      service:
        name: istiod-${revision}
        namespace: istio-system
        path: /inject
    namespaceSelector:
      matchExpressions:
        - key: istio.io/rev
          operator: In
          values: [${tag}]
`;

    it('a namespace labelled with a tag follows the MeshConfig of the revision the tag points at', () => {
      const tagged = fleet(false).replace("istio.io/rev: canary", 'istio.io/rev: prod');
      expect(istioModelOf(tagged).clients.filter((c) => c.sends === 'PLAINTEXT')).toEqual([]);
      const model = istioModelOf(docs(tagged, tagWebhook('prod', 'canary')));
      const plaintext = model.clients.filter((c) => c.sends === 'PLAINTEXT') as Array<{ clientNamespaces?: string[] }>;
      expect(plaintext.map((c) => c.clientNamespaces)).toEqual([['web']]);
    });

    it('the default tag serves namespaces labelled istio-injection=enabled', () => {
      const model = istioModelOf(docs(fleet(false), tagWebhook('default', 'canary')));
      const plaintext = model.clients.filter((c) => c.sends === 'PLAINTEXT') as Array<{ clientNamespaces?: string[] }>;
      expect(plaintext.map((c) => [...(c.clientNamespaces ?? [])].sort())).toEqual([['batch', 'shop', 'web']]);
    });
  });

  it('when the revisions agree, clients are computed once, as without revisions', () => {
    const model = istioModelOf(fleet(true));
    expect(model.clients.filter((c) => c.id.includes('@'))).toEqual([]);
    expect(evaluateModel(model, shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-conflict')).toEqual([]);
  });
});
