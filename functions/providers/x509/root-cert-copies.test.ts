import { makeRootCa, type IssuedCertificate } from '../../../test/support/certs';
import { shippedPolicy } from '../../../test/support/model';
import { auditInventory } from '../audit-inventory';
import { inventoryFromYaml } from '../istio/testInventory';

/** istiod publishes its root into every namespace as `istio-ca-root-cert`: one root, one finding. */

const NOW = new Date('2026-11-26T00:00:00Z');
let root: IssuedCertificate;
beforeAll(() => {
  root = makeRootCa({ cn: 'cluster.local', notBefore: new Date('2025-12-01T00:00:00Z'), notAfter: new Date('2026-12-16T00:00:00Z') });
});

const indented = (pem: string) => pem.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');

function rootConfigMap(namespace: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-ca-root-cert
  namespace: ${namespace}
  labels:
    istio.io/config: "true"
data:
  root-cert.pem: |
${indented(root.certPem)}
`;
}

function caSecret(): string {
  const b64 = Buffer.from(root.certPem).toString('base64');
  return `apiVersion: v1
kind: Secret
metadata:
  name: istio-ca-secret
  namespace: istio-system
type: istio.io/ca-root
data:
  ca-cert.pem: ${b64}
`;
}

function certificateFindings(yaml: string) {
  return auditInventory(inventoryFromYaml(yaml, 'cluster.yaml'), { policy: shippedPolicy(), now: NOW }).findings.filter((f) => f.rule.startsWith('cert-'));
}

describe("istiod's copies of its root", () => {
  it('are one finding on the CA Secret that holds the root, listing the copies', () => {
    const findings = certificateFindings([caSecret(), rootConfigMap('istio-system'), rootConfigMap('shop'), rootConfigMap('payments')].join('---\n'));
    expect(findings.map((f) => [f.rule, f.resource.namespace, (f.detail.origin as { name: string }).name])).toEqual([['cert-expiring', 'istio-system', 'istio-ca-secret']]);
    expect((findings[0]!.detail.origin as { copies?: string[] }).copies).toEqual(['ConfigMap istio-system/istio-ca-root-cert', 'ConfigMap shop/istio-ca-root-cert', 'ConfigMap payments/istio-ca-root-cert']);
    expect(findings[0]!.message).toContain('in Secret istio-system/istio-ca-secret key ca-cert.pem (copied to 3 places: ConfigMap istio-system/istio-ca-root-cert, ConfigMap shop/istio-ca-root-cert, ConfigMap payments/istio-ca-root-cert)');
  });

  it("are one finding on the root namespace's copy when no CA Secret is read", () => {
    const findings = certificateFindings([rootConfigMap('shop'), rootConfigMap('istio-system'), rootConfigMap('payments')].join('---\n'));
    expect(findings.map((f) => [f.resource.namespace, (f.detail.origin as { copies?: string[] }).copies])).toEqual([
      ['istio-system', ['ConfigMap shop/istio-ca-root-cert', 'ConfigMap payments/istio-ca-root-cert']],
    ]);
  });

  it('leave a single copy as it was', () => {
    const findings = certificateFindings(rootConfigMap('shop'));
    expect(findings.map((f) => [f.resource.namespace, (f.detail.origin as { copies?: string[] }).copies])).toEqual([['shop', undefined]]);
  });
});
