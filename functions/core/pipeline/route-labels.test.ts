import { evaluateModel } from '../rules/engine';
import { certificate, client, model, server, shippedPolicy } from '../../../test/support/model';
import { routeFor } from './route';

const NOW = new Date('2026-11-26T00:00:00Z');

/** rules/ownership.yaml: teams matched by label alone, as a platform that labels every object `team:` writes them. */
function labelPolicy() {
  const p = shippedPolicy();
  p.ownership.default = { channel: '#mesh-governance' };
  p.ownership.teams = [
    { name: 'checkout', match: { labels: { team: 'checkout' } }, slack: { channel: '#checkout-oncall', approvers: { usergroups: ['S07CHECKOUT1'] } } },
    { name: 'orders', match: { labels: { team: 'orders' } }, slack: { channel: '#orders-oncall' } },
  ];
  return p;
}

// Approvals are decided by routeFor too: a finding routed to the default team could be approved by no one of its owners.
test("a client's findings (not enforced, conflict) reach the team its DestinationRule's labels name", () => {
  const strict = server({ name: 'cart', namespace: 'checkout', labels: { app: 'cart' } });
  const plain = client({ name: 'cart', sends: 'PLAINTEXT', reason: 'DISABLE', to: strict.hosts, labels: { team: 'checkout', 'app.kubernetes.io/managed-by': 'Helm' } });
  const policy = labelPolicy();
  const findings = evaluateModel(model({ servers: [strict], clients: [plain] }), policy, NOW);
  const routed = findings.map((f) => [f.rule, routeFor(f, policy).team]);
  expect(routed).toEqual(
    expect.arrayContaining([
      ['mtls-conflict', 'checkout'],
      ['mtls-client-not-enforced', 'checkout'],
    ]),
  );
});

test("a certificate finding reaches the team the labels of its Secret name", () => {
  const policy = labelPolicy();
  const expired = certificate({
    cn: 'reports.orders.svc.cluster.local',
    notAfter: '2026-10-14T08:00:00Z',
    origin: { kind: 'Secret', name: 'reports-tls', namespace: 'orders', key: 'tls.crt', source: { file: 'orders/reports-tls-secret.yaml', line: 1 }, labels: { team: 'orders' } },
  });
  const [finding] = evaluateModel(model({ certificates: [expired] }), policy, NOW);
  expect(finding!.rule).toBe('cert-expired');
  expect(finding!.detail.labels).toEqual({ team: 'orders' });
  expect(routeFor(finding!, policy)).toMatchObject({ team: 'orders', channel: '#orders-oncall' });
});

test('a client without labels still goes to the default route', () => {
  const strict = server({ name: 'cart', namespace: 'checkout' });
  const plain = client({ name: 'cart', sends: 'PLAINTEXT', reason: 'DISABLE', to: strict.hosts });
  const policy = labelPolicy();
  const findings = evaluateModel(model({ servers: [strict], clients: [plain] }), policy, NOW);
  for (const f of findings) expect(routeFor(f, policy).channel).toBe('#mesh-governance');
});
