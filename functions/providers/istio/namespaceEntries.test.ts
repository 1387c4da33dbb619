import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, namespaceYaml, peerAuthenticationYaml, serviceYaml } from './testInventory';

/*
 * A namespace without injection is reported (and held against STRICT fixes as a plaintext
 * caller) only through a workload the inputs show outside the mesh.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

/** The gateway chart's Deployment (istio/gateway): the injector's gateway template makes it an Envoy of the mesh. */
const ingressGateway = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingressgateway
  namespace: istio-ingress
spec:
  selector:
    matchLabels:
      app: istio-ingressgateway
      istio: ingressgateway
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
      labels:
        sidecar.istio.io/inject: "true"
        app: istio-ingressgateway
        istio: ingressgateway
    spec:
      containers:
      - name: istio-proxy
        image: auto
        ports:
        - containerPort: 15090
          name: http-envoy-prom
          protocol: TCP
`;

/** The reviewer's probe/ns.yaml, plus a PERMISSIVE shop server to fix. */
const quietNamespaces = [
  namespaceYaml('legacy', { 'istio-injection': 'disabled' }),
  namespaceYaml('empty-team', {}),
  namespaceYaml('istio-ingress', {}),
  ingressGateway,
  namespaceYaml('shop'),
  peerAuthenticationYaml('istio-system', 'default', 'PERMISSIVE'),
  deployment('shop', 'cart'),
  serviceYaml('shop', 'cart'),
];

describe('namespace-level mesh-sidecar-missing entries', () => {
  it('leaves out empty namespaces, an istio-injection=disabled one without workloads, and the gateway chart’s namespace', () => {
    expect(istioModelOf(docs(...quietNamespaces)).membership).toEqual([]);
  });

  it('keeps the STRICT fix automatic when those are the only namespaces without injection', () => {
    const fix = evaluateModel(istioModelOf(docs(...quietNamespaces)), shippedPolicy(), NOW).find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'cart')!.remediation!;
    expect(fix.mode).toBe('auto');
  });

  it('still reports a namespace without injection that runs a workload, and holds the STRICT fix for a person', () => {
    const model = istioModelOf(docs(...quietNamespaces, deployment('empty-team', 'report-worker', { ports: [9102] })));
    expect(model.membership.map((m) => m.id)).toEqual(['istio:empty-team/Namespace/empty-team']);
    const fix = evaluateModel(model, shippedPolicy(), NOW).find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'cart')!.remediation!;
    expect(fix).toMatchObject({ mode: 'approval', reason: expect.stringContaining('Namespace empty-team') });
  });

  it('reports an istio-injection=disabled namespace once it runs a workload: that workload may still call in plaintext', () => {
    const model = istioModelOf(docs(...quietNamespaces, deployment('legacy', 'reconcile-worker', { ports: [9102] })));
    expect(model.membership.map((m) => m.id)).toEqual(['istio:legacy/Namespace/legacy']);
  });
});

describe('a namespace whose injection label was removed', () => {
  const pod = (labels: string) => `apiVersion: v1
kind: Pod
metadata:
  name: payments-api-7d9c6b5f4-x2k8p
  namespace: payments
  labels:
    app: payments-api
${labels}  annotations:
    sidecar.istio.io/status: '{"initContainers":["istio-init"],"containers":["istio-proxy"]}'
spec:
  containers:
  - name: payments-api
    image: registry.example.com/payments/payments-api:3.1.0
    ports:
    - containerPort: 8080
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.2
status:
  phase: Running
`;
  const entries = (yaml: string) => istioModelOf(docs(namespaceYaml('payments', {}), namespaceYaml('shop'), yaml)).membership.map((m) => m.resource.kind);

  it('is reported while its running pods keep sidecars they got from the label: they lose them at their next restart', () => {
    expect(entries(pod(''))).toEqual(['Namespace']);
  });

  it('is not, when the pods enrol themselves with the label sidecar.istio.io/inject: "true"', () => {
    expect(entries(pod('    sidecar.istio.io/inject: "true"\n'))).toEqual([]);
  });
});

