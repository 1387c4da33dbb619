/**
 * Shapes an object from a list response for the inventory: sets `apiVersion` and `kind`
 * (a typed list of a built-in kind omits them on its items), and drops what no model reads
 * and a large cluster has a lot of:
 * - `metadata.managedFields` and the `kubectl.kubernetes.io/last-applied-configuration`
 *   annotation, two copies of bookkeeping that are often larger than the spec itself;
 * - of a Pod, everything but what sidecar presence and standalone-pod ports need: metadata
 *   (labels, annotations such as `sidecar.istio.io/status`, ownerReferences), the names and
 *   ports of containers and init containers (with `restartPolicy`, which marks a native
 *   sidecar), and `status.phase` (a live Pod's containers are final once it has a status);
 * - of a Secret, every key but the certificates the x509 provider reads: CA private keys
 *   (`ca-key.pem`) and TLS keys (`tls.key`) are never kept in memory past the response. A
 *   trust-manager target (label `trust.cert-manager.io/bundle`) keeps its PEM under the key its
 *   Bundle names, any name: of it, every value that holds a certificate and no private key.
 */
import type { KubeObject } from '../../../core/model/inventory';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Public certificate keys of `cacerts`, `istio-ca-secret` and kubernetes.io/tls Secrets (x509 kubernetes-sources.ts). */
const SECRET_CERTIFICATE_KEYS = ['ca-cert.pem', 'cert-chain.pem', 'root-cert.pem', 'tls.crt', 'ca.crt'];
/** trust-manager's label on the ConfigMaps and Secrets it writes (x509 trust-manager-bundles.ts). */
const TRUST_BUNDLE_LABEL = 'trust.cert-manager.io/bundle';
const PEM_CERTIFICATE = /-----BEGIN (X509 |TRUSTED )?CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

export function slimObject(item: Record<string, any>, apiVersion: string, kind: string): KubeObject {
  const metadata = { ...(item['metadata'] ?? {}) };
  delete metadata['managedFields'];
  if (metadata['annotations'] && LAST_APPLIED in metadata['annotations']) {
    const { [LAST_APPLIED]: _dropped, ...annotations } = metadata['annotations'];
    metadata['annotations'] = annotations;
  }
  if (kind === 'Pod') return slimPod(item, apiVersion, metadata);
  if (kind === 'Secret') return slimSecret(item, apiVersion, metadata);
  return { ...item, apiVersion, kind, metadata } as KubeObject;
}

function slimSecret(item: Record<string, any>, apiVersion: string, metadata: Record<string, any>): KubeObject {
  const data: Record<string, string> = {};
  for (const key of SECRET_CERTIFICATE_KEYS) {
    const value = item['data']?.[key];
    if (typeof value === 'string') data[key] = value;
  }
  if (typeof metadata['labels']?.[TRUST_BUNDLE_LABEL] === 'string' && item['data'] && typeof item['data'] === 'object') {
    for (const [key, value] of Object.entries(item['data'] as Record<string, unknown>)) {
      if (typeof value !== 'string' || Object.hasOwn(data, key)) continue;
      const text = Buffer.from(value, 'base64').toString('utf8');
      if (PEM_CERTIFICATE.test(text) && !PEM_PRIVATE_KEY.test(text)) data[key] = value;
    }
  }
  const secret: KubeObject = { apiVersion, kind: 'Secret', metadata: metadata as KubeObject['metadata'], data };
  if (typeof item['type'] === 'string') secret.type = item['type'];
  return secret;
}

interface Container {
  name?: string;
  ports?: unknown;
  restartPolicy?: string;
}

function containerSkeleton(c: Container): Container {
  const out: Container = { name: c.name ?? '' };
  if (Array.isArray(c.ports) && c.ports.length > 0) out.ports = c.ports;
  if (c.restartPolicy !== undefined) out.restartPolicy = c.restartPolicy;
  return out;
}

function slimPod(item: Record<string, any>, apiVersion: string, metadata: Record<string, any>): KubeObject {
  const spec = item['spec'] ?? {};
  const slimSpec: Record<string, unknown> = { containers: (spec.containers ?? []).map(containerSkeleton) };
  if (Array.isArray(spec.initContainers) && spec.initContainers.length > 0) slimSpec['initContainers'] = spec.initContainers.map(containerSkeleton);
  // A pod on the node's network has no sidecar whatever it declares (workloads.ts).
  if (spec.hostNetwork === true) slimSpec['hostNetwork'] = true;
  const pod: KubeObject = { apiVersion, kind: 'Pod', metadata: metadata as KubeObject['metadata'], spec: slimSpec };
  if (item['status'] !== undefined && item['status'] !== null) pod.status = { phase: item['status'].phase };
  return pod;
}
