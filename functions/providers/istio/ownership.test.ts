import { routeFor } from '../../core/pipeline/route';
import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, namespaceYaml, peerAuthenticationYaml, serviceYaml } from './testInventory';

/** rules/ownership.yaml: "Teams match by namespace, App Mesh mesh or workload label". */
test("a workload's findings reach the team its labels name", () => {
  const policy = shippedPolicy();
  policy.ownership.teams = [{ name: 'edge', match: { labels: { 'app.kubernetes.io/part-of': 'edge' } }, slack: { channel: '#edge' } }];
  const yaml = docs(
    namespaceYaml('edge-gateways'),
    peerAuthenticationYaml('edge-gateways', 'default', 'PERMISSIVE'),
    deployment('edge-gateways', 'front-proxy', { labels: { app: 'front-proxy', 'app.kubernetes.io/part-of': 'edge' } }),
    deployment('edge-gateways', 'legacy-admin', { labels: { app: 'legacy-admin', 'app.kubernetes.io/part-of': 'edge' }, annotations: { 'sidecar.istio.io/inject': 'false' } }),
    deployment('edge-gateways', 'status-page', { labels: { app: 'status-page' } }),
  );
  const findings = evaluateModel(istioModelOf(yaml), policy, new Date('2026-11-26T00:00:00Z'));
  const routed = findings.filter((f) => f.resource.kind === 'Deployment').map((f) => [f.rule, f.resource.name, routeFor(f, policy).channel]);
  expect(routed.sort()).toEqual([
    ['mesh-sidecar-missing', 'legacy-admin', '#edge'],
    ['mtls-not-strict', 'front-proxy', '#edge'],
    ['mtls-not-strict', 'status-page', '#mesh-governance'],
  ]);
});

// Approvals are decided by the same route: a DestinationRule's fix routed to the default team could be approved by none of its owners.
test("a DestinationRule's findings (not enforced, conflict) reach the team its own labels name", () => {
  const policy = shippedPolicy();
  policy.ownership.teams = [{ name: 'checkout', match: { labels: { team: 'checkout' } }, slack: { channel: '#checkout-oncall', approvers: { usergroups: ['S07CHECKOUT1'] } } }];
  const yaml = docs(
    namespaceYaml('checkout'),
    peerAuthenticationYaml('checkout', 'default', 'STRICT'),
    deployment('checkout', 'cart', { labels: { app: 'cart' } }),
    serviceYaml('checkout', 'cart', [7070]),
    `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: cart
  namespace: checkout
  labels:
    team: checkout
    app.kubernetes.io/managed-by: Helm
spec:
  host: cart.checkout.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
`,
  );
  const findings = evaluateModel(istioModelOf(yaml), policy, new Date('2026-11-26T00:00:00Z'));
  const routed = findings.filter((f) => f.resource.kind === 'DestinationRule').map((f) => [f.rule, routeFor(f, policy).channel]);
  expect(routed.sort()).toEqual([
    ['mtls-client-not-enforced', '#checkout-oncall'],
    ['mtls-conflict', '#checkout-oncall'],
  ]);
});
