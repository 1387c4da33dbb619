import { awsJsonError, type AcmService, type AwsJsonError } from './awsJsonErrors';

/**
 * Input checks the AWS front end applies before an operation runs, with its wording
 * ("1 validation error detected: Value … at '…' failed to satisfy constraint: …"). Member
 * constraints are the models' (ACM `Arn`: 20-2048 characters; ACM-PCA `Arn`: 5-200).
 */

export const ACM_ARN_PATTERN = String.raw`arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*`;
export const PCA_ARN_PATTERN = String.raw`arn:[\w+=/,.@-]+:acm-pca:[\w+=/,.@-]*:[0-9]*:[\w+=,.@-]+(/[\w+=,.@-]+)*`;

export interface ArnConstraint {
  pattern: string;
  minLength: number;
  maxLength: number;
}

export const ACM_ARN: ArnConstraint = { pattern: ACM_ARN_PATTERN, minLength: 20, maxLength: 2048 };
export const PCA_ARN: ArnConstraint = { pattern: PCA_ARN_PATTERN, minLength: 5, maxLength: 200 };

function validationError(service: AcmService, value: unknown, member: string, constraint: string): AwsJsonError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return awsJsonError(service, 'ValidationException', `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** A required ARN member: present, a string of the right length, matching the pattern. Returns the ARN or throws. */
export function requireArn(service: AcmService, input: Record<string, unknown>, member: string, constraint: ArnConstraint): string {
  const value = input[member];
  // The front end names members in camelCase in its messages (`certificateArn`).
  const shownMember = member.charAt(0).toLowerCase() + member.slice(1);
  if (value === undefined || value === null) throw validationError(service, value, shownMember, 'Member must not be null');
  if (typeof value !== 'string') throw awsJsonError(service, 'SerializationException', `Unexpected value type for ${member}: expected a string`);
  if (value.length < constraint.minLength || value.length > constraint.maxLength) {
    throw validationError(service, value, shownMember, `Member must have length between ${constraint.minLength} and ${constraint.maxLength}`);
  }
  if (!new RegExp(`^(?:${constraint.pattern})$`).test(value)) {
    throw validationError(service, value, shownMember, `Member must satisfy regular expression pattern: ${constraint.pattern}`);
  }
  return value;
}

/** The parts of an ARN that matched the pattern: `arn:partition:service:region:account:resource`. */
export function arnParts(arn: string): { partition: string; region: string; account: string; resource: string } {
  const parts = arn.split(':');
  return { partition: parts[1], region: parts[3], account: parts[4], resource: parts.slice(5).join(':') };
}
