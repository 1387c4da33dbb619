import type { Finding } from '../../functions/core/findings';

/** `findings` and one `rule:<id>` count per rule, for the measurement line. */
export function findingCounts(findings: Finding[]): Record<string, number> {
  const counts: Record<string, number> = { findings: findings.length };
  for (const f of findings) counts[`rule:${f.rule}`] = (counts[`rule:${f.rule}`] ?? 0) + 1;
  return counts;
}

/** CPU time (user + system) this process spent since `start`, in ms: the client's own work, without waiting for the server. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
