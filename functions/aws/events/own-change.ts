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
  return candidates.some((arn) => remediatorRoleArns.some((role) => arn === role || roleName(arn) === roleName(role)));
}

/** `arn:aws:iam::1:role/path/name` and `arn:aws:sts::1:assumed-role/name/session` → `name`. */
function roleName(arn: string): string | undefined {
  const role = /:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (role) return role[1];
  const assumed = /:assumed-role\/([^/]+)\//.exec(arn);
  return assumed?.[1];
}

/** The person or principal behind a CloudTrail record, for messages and self-approval checks. */
export function actorOf(detail: any): string | undefined {
  const identity = detail?.userIdentity;
  return typeof identity?.arn === 'string' ? identity.arn : undefined;
}
