/**
 * The email a cloud principal carries, lower-cased, or undefined when it carries none:
 * - an AWS STS assumed-role ARN whose session name is an email, as IAM Identity Center names
 *   sessions (`arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_…/alice@example.com`);
 * - an IAM user ARN whose user name is an email (IAM allows `@` in user names);
 * - a GKE audit `principalEmail` (`bob@example.com`), also as an IAM member (`user:bob@example.com`).
 * Kubernetes service accounts (`system:serviceaccount:…`) and plain IAM users carry none.
 */
export function actorEmail(actor: string): string | undefined {
  const value = actor.trim();
  const arn = /^arn:aws[\w-]*:(?:sts|iam)::\d{12}:(?:assumed-role\/[^/]+\/(.+)|user\/(?:.*\/)?([^/]+))$/.exec(value);
  const candidate = arn ? (arn[1] ?? arn[2] ?? '') : value.replace(/^user:/, '');
  return EMAIL.test(candidate) ? candidate.toLowerCase() : undefined;
}

// One @, no spaces, slashes or colons, and a dot in the domain: enough to tell an email from a name.
const EMAIL = /^[^\s@/:]+@[^\s@/:]+\.[^\s@/:]+$/;
