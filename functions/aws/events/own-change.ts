/**
 * Whether a CloudTrail record was written by meshgov's own remediator role, so that its own
 * fixes never trigger another run (no feedback loop). Keys on the session issuer's role ARN,
 * which is stable, rather than on the session name or user agent.
 */
export function isOwnChange(detail: any, remediatorRoleArns: string[]): boolean {
  const identity = detail?.userIdentity;
  if (!identity) return false;
  const issuer: unknown = identity.sessionContext?.sessionIssuer?.arn;
  const candidates = [issuer, identity.arn].filter((v): v is string => typeof v === 'string');
  return candidates.some((arn) => remediatorRoleArns.some((role) => arn === role || sameRole(arn, role)));
}

/**
 * Whether two ARNs name the same role: the same account and role name. The name alone is not
 * enough: another account may have a role of the same name, and its changes are not meshgov's.
 */
function sameRole(a: string, b: string): boolean {
  const x = roleOf(a);
  const y = roleOf(b);
  return x !== undefined && y !== undefined && x.account === y.account && x.name === y.name;
}

/**
 * `arn:aws:iam::1:role/path/name` and `arn:aws:sts::1:assumed-role/name/session` → account `1`
 * and name `name` (an assumed role's ARN carries no path, so the path is left out of both).
 */
function roleOf(arn: string): { account: string; name: string } | undefined {
  const role = /^arn:[\w-]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (role) return { account: role[1]!, name: role[2]! };
  const assumed = /^arn:[\w-]+:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  return assumed ? { account: assumed[1]!, name: assumed[2]! } : undefined;
}

/** The person or principal behind a CloudTrail record, for messages and self-approval checks. */
export function actorOf(detail: any): string | undefined {
  const identity = detail?.userIdentity;
  return typeof identity?.arn === 'string' ? identity.arn : undefined;
}
