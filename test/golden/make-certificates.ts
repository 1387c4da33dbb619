/**
 * Writes the certificates of the `certificates` golden case, once:
 *
 *   npx tsx test/golden/make-certificates.ts
 *   UPDATE_GOLDEN=1 npx jest test/golden     # new serials and fingerprints: refresh expected.json
 *
 * Not run by the tests: the files it writes are committed, so the golden report stays the
 * same from run to run. Every date is fixed relative to the golden clock, 2026-11-26T00:00:00Z.
 *
 * Private keys never leave the temporary directories of test/support/certs.ts. The objects that
 * would carry one in a cluster (`cacerts` ca-key.pem, a kubernetes.io/tls Secret's tls.key)
 * are written without it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { issueCertificate, makeRootCa, type IssuedCertificate } from '../support/certs';

const INPUT = path.join(__dirname, 'cases', 'certificates', 'input');
const at = (iso: string): Date => new Date(iso);
const ORG = 'Example Corp';

function write(relative: string, text: string): void {
  const file = path.join(INPUT, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

const base64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

/** A PEM value as a YAML literal block, indented under its key. */
function literal(pem: string, indent: string): string {
  return `|\n${pem.trimEnd().split('\n').map((l) => `${indent}${l}`).join('\n')}`;
}

function leaf(issuer: IssuedCertificate, cn: string, notBefore: string, notAfter: string): IssuedCertificate {
  return issueCertificate(issuer, { cn, organization: ORG, dnsNames: [cn], notBefore: at(notBefore), notAfter: at(notAfter) });
}

// The corporate root every current chain ends in, and the previous root, still trusted during
// the rotation and three days from its end.
const root = makeRootCa({ cn: 'Example Corp Root CA 2024', organization: ORG, notBefore: at('2024-01-02T00:00:00Z'), notAfter: at('2034-01-02T00:00:00Z') });
const oldRoot = makeRootCa({ cn: 'Example Corp Root CA 2016', organization: ORG, notBefore: at('2016-11-29T00:00:00Z'), notAfter: at('2026-11-29T00:00:00Z') });

// The mesh intermediate that expired on 2026-10-01, and the one that replaced it.
const expiredIntermediate = issueCertificate(root, {
  cn: 'prod-mesh Intermediate CA 2024',
  organization: ORG,
  isCA: true,
  pathLength: 0,
  notBefore: at('2024-01-03T00:00:00Z'),
  notAfter: at('2026-10-01T00:00:00Z'),
});
const intermediate = issueCertificate(root, {
  cn: 'prod-mesh Intermediate CA 2026',
  organization: ORG,
  isCA: true,
  pathLength: 0,
  notBefore: at('2026-06-01T00:00:00Z'),
  notAfter: at('2029-06-01T00:00:00Z'),
});

// 1. A chain file: the leaf is valid, its intermediate expired (every certificate is checked).
const paymentsLeaf = leaf(expiredIntermediate, 'payments-api.payments.svc.cluster.local', '2026-09-01T00:00:00Z', '2027-03-01T00:00:00Z');
write('files/payments-api-cert-chain.pem', paymentsLeaf.certPem + expiredIntermediate.certPem + root.certPem);

// 2. Not yet valid: issued with a start date three weeks ahead.
write('files/ledger.crt', leaf(intermediate, 'ledger.payments.svc.cluster.local', '2026-12-15T00:00:00Z', '2027-12-15T00:00:00Z').certPem);

// 3. Five days left (critical) and twenty days left (high).
write('files/orders-api.pem', leaf(intermediate, 'orders-api.orders.svc.cluster.local', '2026-09-02T00:00:00Z', '2026-12-01T00:00:00Z').certPem);
write('files/checkout-web.crt', leaf(intermediate, 'checkout-web.checkout.svc.cluster.local', '2026-09-17T00:00:00Z', '2026-12-16T00:00:00Z').certPem);

// 4. Istio's plugged-in CA: its signing certificate has 25 days left.
const istioCa = issueCertificate(root, {
  cn: 'istio-ca prod-gke',
  organization: ORG,
  isCA: true,
  notBefore: at('2025-12-21T00:00:00Z'),
  notAfter: at('2026-12-21T00:00:00Z'),
});
write(
  'kubernetes/cacerts.yaml',
  `# Written by test/golden/make-certificates.ts — do not edit by hand.
# Istio plug-in CA (istiod reads ca-cert.pem, cert-chain.pem and root-cert.pem). ca-key.pem
# is left out on purpose: test data holds no private keys.
apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
type: Opaque
data:
  ca-cert.pem: ${base64(istioCa.certPem)}
  cert-chain.pem: ${base64(istioCa.certPem + root.certPem)}
  root-cert.pem: ${base64(root.certPem)}
`,
);

// 5. cert-manager's Secret for payments-api: the leaf ends exactly 30 days after the golden
// clock (the edge of the high window). tls.key is left out on purpose.
const paymentsTls = leaf(intermediate, 'payments-api.payments.svc.cluster.local', '2026-09-27T00:00:00Z', '2026-12-26T00:00:00Z');
write(
  'kubernetes/payments-api-tls.yaml',
  `# Written by test/golden/make-certificates.ts — do not edit by hand.
# The Secret cert-manager keeps for Certificate payments/payments-api. tls.key is left out on
# purpose: test data holds no private keys.
apiVersion: v1
kind: Secret
metadata:
  name: payments-api-tls
  namespace: payments
  annotations:
    cert-manager.io/alt-names: payments-api.payments.svc.cluster.local
    cert-manager.io/certificate-name: payments-api
    cert-manager.io/common-name: payments-api.payments.svc.cluster.local
    cert-manager.io/issuer-group: cert-manager.io
    cert-manager.io/issuer-kind: ClusterIssuer
    cert-manager.io/issuer-name: prod-mesh-ca
  labels:
    controller.cert-manager.io/fao: "true"
type: kubernetes.io/tls
data:
  tls.crt: ${base64(paymentsTls.certPem + intermediate.certPem)}
  ca.crt: ${base64(intermediate.certPem)}
`,
);

// 6. The root bundle istiod publishes into every namespace, mid-rotation: new root and old root.
write(
  'kubernetes/istio-ca-root-cert.yaml',
  `# Written by test/golden/make-certificates.ts — do not edit by hand.
# Published by istiod into every namespace. During the root rotation it holds the new root
# and the old one, which ends on 2026-11-29.
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-ca-root-cert
  namespace: orders
  labels:
    istio.io/config: "true"
data:
  root-cert.pem: ${literal(root.certPem + oldRoot.certPem, '    ')}
`,
);
