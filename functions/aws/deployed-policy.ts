import { loadPolicy } from '../core/policy/load';
import type { Policy } from '../core/policy/types';

/**
 * The policy a hub function governs with: rules/, with the deployment's channel for findings no
 * team owns when `cdk.json` sets one (context `meshgov:slackChannel`, passed as
 * MESHGOV_DEFAULT_CHANNEL). It replaces the channel of rules/ownership.yaml's `default` and keeps
 * its approvers, so one rules/ can serve a staging and a production hub that report to different
 * channels.
 */
export function deployedPolicy(env: NodeJS.ProcessEnv = process.env): Policy {
  const policy = loadPolicy();
  const channel = env.MESHGOV_DEFAULT_CHANNEL;
  if (!channel) return policy;
  return { ...policy, ownership: { ...policy.ownership, default: { ...policy.ownership.default, channel } } };
}
