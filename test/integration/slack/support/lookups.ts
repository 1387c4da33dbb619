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

/**
 * The approval govern asked for a finding's fix. One change that fixes several findings (an App
 * Mesh node's listener and client edits) is asked for once, on the first of them: the approval
 * of any finding carrying the same change is this finding's too.
 */
export async function approvalOf(world: World, rule: string, name: string): Promise<ApprovalRecord> {
  const open = await world.ledger.listOpenFindings({ provider: 'appmesh' });
  const record = open.find((r) => r.finding.rule === rule && r.finding.resource.name === name);
  if (!record) throw new Error(`no open ${rule} finding on ${name}`);
  const change = JSON.stringify(record.finding.remediation?.change);
  for (const other of [record, ...open.filter((r) => r !== record && JSON.stringify(r.finding.remediation?.change) === change)]) {
    const approval = await world.ledger.findOpenApproval(other.id);
    if (approval) return approval;
  }
  throw new Error(`no open approval for ${rule} on ${name}`);
}

/** The Slack message an approval lives in, as the emulator holds it now. */
export function messageOf(world: World, approval: ApprovalRecord): StoredMessage {
  const message = world.slack.messages(CHANNEL).find((m) => m.ts === approval.slack?.ts);
  if (!message) throw new Error(`approval ${approval.id} has no message`);
  return message;
}

export const headerOf = (m: StoredMessage) => (m.blocks?.[0] as any)?.text?.text as string;
export const blockOf = (m: StoredMessage, id: string) => m.blocks?.find((b) => b.block_id === id) as any;
