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

/** A full copy with keys renamed: every object becomes a plain object, every array a new array. */
function renameKeysDeep(value: unknown, names: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => renameKeysDeep(v, names));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[names[key] ?? key] = renameKeysDeep(v, names);
  }
  return out;
}

/**
 * The same result as `renameKeysDeep`, but subtrees it would copy unchanged are shared: most
 * TLS objects hold one key to rename or none, and copying every one of 10k specs dominated the
 * build. A subtree is copied exactly as `renameKeysDeep` copies it when it holds a key that
 * `names` answers for (including inherited names such as `constructor`: the deep copy renames
 * those too) or an object that is not plain (a YAML timestamp's Date becomes `{}` in the copy).
 */
function renameKeysShared(value: unknown, names: Record<string, string>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const renamed = typeof item === 'object' && item !== null ? renameKeysShared(item, names) : item;
      if (renamed === item) continue;
      copy ??= value.slice();
      copy[i] = renamed;
    }
    return copy ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return renameKeysDeep(value, names);
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    const child = record[key];
    // Most members are strings and numbers: no call for them.
    const renamed = typeof child === 'object' && child !== null ? renameKeysShared(child, names) : child;
    const name = names[key];
    if (!copy) {
      if (name === undefined && renamed === child) continue;
      // The first change: copy the keys before it (unchanged), then go on copying.
      copy = {};
      for (const earlier in record) {
        if (earlier === key) break;
        copy[earlier] = record[earlier];
      }
    }
    copy[name ?? key] = renamed;
  }
  return copy ?? value;
}

/** A TLS object (listener TLS, client policy) from CRD spelling to API spelling. */
export function tlsFromCrdSpelling<T>(value: T): T {
  return renameKeysShared(value, CRD_TO_API) as T;
}

/** A TLS object from API spelling to CRD spelling, for merge patches of CRDs. */
export function tlsToCrdSpelling<T>(value: T): T {
  return renameKeysShared(value, API_TO_CRD) as T;
}
