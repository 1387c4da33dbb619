import type { ApprovalRecord } from '../../../../functions/core/ledger/types';
import type { StoredMessage } from '../../../emulators/slack';
import { CHANNEL } from './storyline';
import type { World } from './world';

/** The fingerprint of an open finding, by rule and resource name. */
export async function findingIdOf(world: World, rule: string, name: string): Promise<string> {
  const open = await world.ledger.listOpenFindings({ provider: 'appmesh' });
  const match = open.find((r) => r.finding.rule === rule && r.finding.resource.name === name);
  if (!match) throw new Error(`no open ${rule} finding on ${name}`);
  return match.id;
}

/** The approval govern asked for a finding's fix. */
export async function approvalOf(world: World, rule: string, name: string): Promise<ApprovalRecord> {
  const approval = await world.ledger.findOpenApproval(await findingIdOf(world, rule, name));
  if (!approval) throw new Error(`no open approval for ${rule} on ${name}`);
  return approval;
}

/** The Slack message an approval lives in, as the emulator holds it now. */
export function messageOf(world: World, approval: ApprovalRecord): StoredMessage {
  const message = world.slack.messages(CHANNEL).find((m) => m.ts === approval.slack?.ts);
  if (!message) throw new Error(`approval ${approval.id} has no message`);
  return message;
}

export const headerOf = (m: StoredMessage) => (m.blocks?.[0] as any)?.text?.text as string;
export const blockOf = (m: StoredMessage, id: string) => m.blocks?.find((b) => b.block_id === id) as any;
