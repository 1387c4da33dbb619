/**
 * ACM and ACM Private CA ARNs (IAM Service Authorization Reference, "Resource types defined by
 * AWS Certificate Manager" and "… by AWS Private Certificate Authority"):
 *   `arn:${Partition}:acm:${Region}:${Account}:certificate/${CertificateId}`
 *   `arn:${Partition}:acm-pca:${Region}:${Account}:certificate-authority/${CertificateAuthorityId}`
 */

export type AcmResourceKind = 'AcmCertificate' | 'AcmPrivateCA';

export interface AcmArn {
  arn: string;
  kind: AcmResourceKind;
  partition: string;
  region: string;
  account: string;
  /** The last segment: the certificate or CA id (a UUID). */
  id: string;
}

const ARN_SHAPES: Array<{ service: string; resourceType: string; kind: AcmResourceKind }> = [
  { service: 'acm', resourceType: 'certificate', kind: 'AcmCertificate' },
  { service: 'acm-pca', resourceType: 'certificate-authority', kind: 'AcmPrivateCA' },
];

/**
 * Parses an ACM certificate or private CA ARN; undefined for anything else, including the
 * ARN of a certificate a private CA issued outside ACM (`…:certificate-authority/<ca>/certificate/<serial>`),
 * which no describe call covers.
 */
export function parseAcmArn(arn: string): AcmArn | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || !parts[1] || !parts[3] || !/^\d{12}$/.test(parts[4])) return undefined;
  const shape = ARN_SHAPES.find((s) => s.service === parts[2]);
  if (!shape) return undefined;
  const resource = parts[5].split('/');
  if (resource.length !== 2 || resource[0] !== shape.resourceType || !/^[\w+=,.@-]+$/.test(resource[1])) return undefined;
  return { arn, kind: shape.kind, partition: parts[1], region: parts[3], account: parts[4], id: resource[1] };
}
