import type { Finding } from '../core/findings';
import { routeFor } from '../core/pipeline/route';
import { deployedPolicy } from './deployed-policy';

const unowned = { rule: 'mtls-not-strict', resource: { kind: 'VirtualNode', name: 'ledger-api', mesh: 'staging-mesh' }, detail: {} } as unknown as Finding;

describe('deployedPolicy', () => {
  it('is rules/ as shipped when the deployment sets no channel', () => {
    expect(routeFor(unowned, deployedPolicy({})).channel).toBe('#mesh-governance');
  });

  it("sends what no team owns to the deployment's channel (meshgov:slackChannel), keeping the default's approvers", () => {
    const policy = deployedPolicy({ MESHGOV_DEFAULT_CHANNEL: '#mesh-governance-staging' });
    expect(routeFor(unowned, policy)).toMatchObject({ channel: '#mesh-governance-staging', approvers: { users: [], usergroups: [] } });
    expect(policy.rules).toEqual(deployedPolicy({}).rules);
  });
});
