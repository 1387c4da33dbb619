import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppMeshModel } from './index';
import { certificatesFromPemFile } from '../x509/pem';
import { samePathBySuffix } from './pem-certificates';
import { MESH, NOW, TESTDATA, apiNode, dns, inventoryOf, listener } from './testdata/fixtures';

// A leaf for payments-api.payments.svc.cluster.local followed by its CA, made with openssl.
const CHAIN_FILE = 'functions/providers/appmesh/testdata/certs/payments-api/cert_chain.pem';
const CA_FILE = 'functions/providers/appmesh/testdata/certs/ca_cert.pem';
const chainText = readFileSync(join(TESTDATA, 'certs/payments-api/cert_chain.pem'), 'utf8');
const caText = readFileSync(join(TESTDATA, 'certs/ca_cert.pem'), 'utf8');

function fileListenerNode() {
  return apiNode('payments-api', {
    listeners: [
      listener(8080, {
        mode: 'STRICT',
        certificate: { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } },
        validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } },
      }),
    ],
    serviceDiscovery: dns('payments-api.payments.svc.cluster.local'),
  });
}

describe('samePathBySuffix', () => {
  test.each([
    ['examples/appmesh/certs/payments-api/cert_chain.pem', '/certs/payments-api/cert_chain.pem', true],
    ['cert_chain.pem', '/certs/payments-api/cert_chain.pem', true],
    ['.\\certs\\payments-api\\cert_chain.pem', '/certs/payments-api/cert_chain.pem', true],
    ['examples/certs/ledger/cert_chain.pem', '/certs/payments-api/cert_chain.pem', false],
    ['examples/certs/payments-api/key.pem', '/certs/payments-api/cert_chain.pem', false],
  ])('%s vs %s', (a, b, same) => {
    expect(samePathBySuffix(a, b)).toBe(same);
  });
});

describe('PEM → CertificateRecord', () => {
  test('every block of a chain, leaf first, with the real X.509 fields', () => {
    const { certificates: records, problems } = certificatesFromPemFile({ doc: { text: chainText }, source: { file: CHAIN_FILE, line: 1 } });
    expect(problems).toEqual([]);
    expect(records).toHaveLength(2);
    const leaf = new X509Certificate(chainText);
    expect(records[0]).toMatchObject({
      provider: 'x509',
      subjectCN: 'payments-api.payments.svc.cluster.local',
      fingerprint256: leaf.fingerprint256,
      serialNumber: leaf.serialNumber,
      notAfter: new Date(leaf.validTo),
      isCA: false,
      chainIndex: 0,
      origin: { kind: 'File', name: 'cert_chain.pem', source: { file: CHAIN_FILE, line: 1 } },
    });
    expect(records[1]).toMatchObject({ subjectCN: 'prod-mesh root CA', isCA: true, chainIndex: 1 });
  });

  test('a damaged block is a problem with the file', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nTUlJQm9q\n-----END CERTIFICATE-----\n';
    const { certificates, problems } = certificatesFromPemFile({ doc: { text: broken }, source: { file: 'certs/broken.pem', line: 1 } });
    expect(certificates).toEqual([]);
    expect(problems[0]).toMatchObject({ file: 'certs/broken.pem', line: 1 });
  });
});

describe('certificate files linked to App Mesh listeners', () => {
  test('the PEM files a listener names become CertificateRecords used by that listener', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [fileListenerNode()],
        pem: [
          { file: CHAIN_FILE, text: chainText },
          { file: CA_FILE, text: caText },
          // Same basename, other directory: not the listener's file.
          { file: 'functions/providers/appmesh/testdata/certs/ledger/cert_chain.pem', text: caText },
        ],
      }),
      { now: NOW },
    );
    const listenerRef = { kind: 'VirtualNode', name: 'payments-api', mesh: MESH, port: 8080, file: 'appmesh/payments-api.json', line: 1 };
    const byFile = (file: string) => model.certificates.filter((c) => c.origin.source.file === file);
    expect(byFile(CHAIN_FILE).map((c) => c.subjectCN)).toEqual(['payments-api.payments.svc.cluster.local', 'prod-mesh root CA']);
    expect(byFile(CHAIN_FILE)[0].usedBy).toEqual([listenerRef]);
    expect(byFile(CA_FILE)).toHaveLength(1);
    expect(byFile(CA_FILE)[0]).toMatchObject({ isCA: true, usedBy: [listenerRef], origin: { kind: 'File', name: 'ca_cert.pem' } });
    expect(byFile('functions/providers/appmesh/testdata/certs/ledger/cert_chain.pem')).toEqual([]);
  });

  test('one file used by several listeners is one record per certificate, with every user', () => {
    const other = apiNode('payments-worker', {
      listeners: [listener(9090, { mode: 'PERMISSIVE', certificate: { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } } }, 'grpc')],
      serviceDiscovery: dns('payments-worker.payments.svc.cluster.local'),
    });
    const model = buildAppMeshModel(inventoryOf({ api: [fileListenerNode(), other], pem: [{ file: CHAIN_FILE, text: chainText }] }), { now: NOW });
    expect(model.certificates).toHaveLength(2);
    expect(model.certificates[0].usedBy!.map((r) => `${r.name}:${r.port}`)).toEqual(['payments-api:8080', 'payments-worker:9090']);
  });

  test('no PEM file for the path: no record', () => {
    const model = buildAppMeshModel(inventoryOf({ api: [fileListenerNode()] }), { now: NOW });
    expect(model.certificates).toEqual([]);
  });
});
