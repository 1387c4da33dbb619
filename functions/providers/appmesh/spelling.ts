/**
 * The App Mesh controller's CRDs spell two TLS fields differently from the API
 * (aws-app-mesh-controller-for-k8s apis/appmesh/v1beta2/virtualnode_types.go):
 * `ListenerTLSACMCertificate.certificateARN` (API `certificateArn`) and
 * `TLSValidationContextACMTrust.certificateAuthorityARNs` (API `certificateAuthorityArns`).
 * Everything else inside `tls` is spelled the same.
 */

const CRD_TO_API: Record<string, string> = {
  certificateARN: 'certificateArn',
  certificateAuthorityARNs: 'certificateAuthorityArns',
};

const API_TO_CRD: Record<string, string> = {
  certificateArn: 'certificateARN',
  certificateAuthorityArns: 'certificateAuthorityARNs',
};

function renameKeysDeep(value: unknown, names: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => renameKeysDeep(v, names));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[names[key] ?? key] = renameKeysDeep(v, names);
  }
  return out;
}

/** A TLS object (listener TLS, client policy) from CRD spelling to API spelling. */
export function tlsFromCrdSpelling<T>(value: T): T {
  return renameKeysDeep(value, CRD_TO_API) as T;
}

/** A TLS object from API spelling to CRD spelling, for merge patches of CRDs. */
export function tlsToCrdSpelling<T>(value: T): T {
  return renameKeysDeep(value, API_TO_CRD) as T;
}
