import * as yaml from 'js-yaml';
import { emptyInventory, type KubeObject } from '../../core/model/inventory';
import { buildCertificateModel } from './index';
import * as pem from './pem';
import { istioRootCa, istioWorkloadCertificate } from './testdata/openssl-certs';

const NOW = { now: new Date() };
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * Istio workload certificates have an empty subject: their identity is the SPIFFE URI SAN.
 * Node 20 gives `subject === undefined` for them, which used to crash the whole audit.
 */
describe('Istio workload certificates', () => {
  test('in a kubernetes.io/tls Secret: read, named by the SPIFFE id, no problem', () => {
    const root = istioRootCa();
    const workload = istioWorkloadCertificate(root, 'spiffe://cluster.local/ns/payments/sa/payments-api');
    const inventory = emptyInventory();
    const secret = `apiVersion: v1
kind: Secret
metadata:
  name: payments-api-workload-cert
  namespace: payments
type: kubernetes.io/tls
data:
  tls.crt: ${b64(workload.certPem)}
  ca.crt: ${b64(root.certPem)}
`;
    inventory.kubernetes.push({ doc: yaml.load(secret) as KubeObject, source: { file: 'payments/workload-cert.yaml', line: 1 } });
    inventory.pem.push({ doc: { text: `# exported from the sidecar\n${workload.certPem}` }, source: { file: 'payments/cert-chain.pem', line: 2 } });

    const model = buildCertificateModel(inventory, NOW);
    expect(model.problems).toEqual([]);
    expect(model.certificates.map((c) => [c.origin.kind, c.origin.key, c.subjectCN, c.subject, c.origin.source.line])).toEqual([
      ['File', undefined, 'spiffe://cluster.local/ns/payments/sa/payments-api', '', 2],
      ['Secret', 'tls.crt', 'spiffe://cluster.local/ns/payments/sa/payments-api', '', 1],
      ['Secret', 'ca.crt', '', 'O=cluster.local', 1],
    ]);
  });

  test('an input whose reading fails unexpectedly is a problem with its file and line; the others are still read', () => {
    const root = istioRootCa();
    const inventory = emptyInventory();
    inventory.pem.push({ doc: { text: root.certPem }, source: { file: 'mesh/broken.pem', line: 1 } });
    inventory.pem.push({ doc: { text: root.certPem }, source: { file: 'mesh/root-cert.pem', line: 1 } });
    const real = pem.certificatesFromPemFile;
    const spy = jest.spyOn(pem, 'certificatesFromPemFile').mockImplementation((file, provider) => {
      if (file.source.file === 'mesh/broken.pem') throw new TypeError("Cannot read properties of undefined (reading 'split')");
      return real(file, provider);
    });
    try {
      const model = buildCertificateModel(inventory, NOW);
      expect(model.problems).toEqual([expect.objectContaining({ file: 'mesh/broken.pem', line: 1 })]);
      expect(model.certificates.map((c) => c.origin.source.file)).toEqual(['mesh/root-cert.pem']);
    } finally {
      spy.mockRestore();
    }
  });
});
