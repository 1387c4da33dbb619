import type { Finding } from '../findings';
import { shippedPolicy } from '../../../test/support/model';
import { FALLBACK_CHANNEL, routeFor } from './route';

const ACM_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f1e4a-5b6d-4c3e-9f70-1a2b3c4d5e6f';

function policy() {
  const p = shippedPolicy();
  p.ownership.default = { channel: '#mesh-governance' };
  p.ownership.teams = [
    { name: 'checkout', match: { namespaces: ['checkout', 'orders'] }, slack: { channel: '#checkout-oncall' } },
    { name: 'payments', match: { meshes: ['prod-mesh'] }, slack: { channel: '#payments-oncall', approvers: { usergroups: ['S07PAYMENTS1'] } } },
    { name: 'edge', match: { labels: { 'app.kubernetes.io/part-of': 'edge' } }, slack: { channel: '#edge' } },
  ];
  return p;
}

function certFinding(usedBy?: Finding['resource'][]): Finding {
  return {
    id: 'f-cert-payments',
    rule: 'cert-expiring',
    severity: 'high',
    provider: 'acm',
    resource: { kind: 'Certificate', name: ACM_ARN },
    message: `ACM certificate ${ACM_ARN} expires in 10 days`,
    detail: { notAfter: '2026-12-06T00:00:00Z', daysLeft: 10, ...(usedBy ? { usedBy } : {}) },
    remediation: null,
  };
}

test('a finding goes to the team of its namespace or mesh', () => {
  const f = { ...certFinding(), provider: 'istio' as const, resource: { kind: 'Deployment', name: 'orders-api', namespace: 'orders', port: 8080 } };
  expect(routeFor(f, policy())).toMatchObject({ team: 'checkout', channel: '#checkout-oncall' });
});

test('an ACM certificate goes to the team that owns what uses it', () => {
  const route = routeFor(certFinding([{ kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 }]), policy());
  expect(route).toEqual({ team: 'payments', channel: '#payments-oncall', approvers: { users: [], usergroups: ['S07PAYMENTS1'] } });
});

test('the first user that a team owns decides; none owned, the default channel', () => {
  const users = [
    { kind: 'VirtualGateway', name: 'ingress-gw', mesh: 'staging-mesh', port: 443 },
    { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 },
  ];
  expect(routeFor(certFinding(users), policy()).team).toBe('payments');
  expect(routeFor(certFinding([users[0]!]), policy())).toEqual({ channel: '#mesh-governance', approvers: { users: [], usergroups: [] } });
  expect(routeFor(certFinding(), policy()).channel).toBe('#mesh-governance');
});

test('the users are not consulted when the finding has a namespace or mesh of its own', () => {
  const f = { ...certFinding([{ kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 }]), resource: { kind: 'Secret', name: 'cacerts', namespace: 'istio-system' } };
  expect(routeFor(f, policy()).channel).toBe('#mesh-governance');
});

test('without a default route, the fallback channel', () => {
  const p = policy();
  delete p.ownership.default;
  expect(routeFor(certFinding(), p).channel).toBe(FALLBACK_CHANNEL);
});
