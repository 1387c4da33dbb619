import { emptyModel, type CertificateRecord, type ClientPolicy, type FleetModel, type ServerEndpoint } from '../../functions/core/model/types';
import { loadPolicy } from '../../functions/core/policy/load';
import type { Policy } from '../../functions/core/policy/types';

/** Builders for hand-made models in rule tests: realistic names, only the fields a test cares about. */

export function server(over: Partial<ServerEndpoint> & { name: string; namespace?: string }): ServerEndpoint {
  const ns = over.namespace ?? 'payments';
  const port = over.resource?.port ?? 8080;
  return {
    id: over.id ?? `istio:${ns}/Deployment/${over.name}:${port}`,
    provider: 'istio',
    resource: { kind: 'Deployment', name: over.name, namespace: ns, port, file: `k8s/${ns}.yaml`, line: 1 },
    mode: 'STRICT',
    inMesh: true,
    cause: { kind: 'PeerAuthentication', name: 'default', namespace: ns, scope: 'namespace', source: { file: `k8s/${ns}-pa.yaml`, line: 3 } },
    hosts: [`${over.name}.${ns}.svc.cluster.local`],
    ...over,
  };
}

export function client(over: Partial<ClientPolicy> & { name: string; to: string[] }): ClientPolicy {
  const ns = over.resource?.namespace ?? 'checkout';
  return {
    id: over.id ?? `istio:dr:${ns}/${over.name}:${over.to.join(',')}`,
    provider: 'istio',
    resource: { kind: 'DestinationRule', name: over.name, namespace: ns, file: `k8s/${ns}-dr.yaml`, line: 7 },
    sends: 'MTLS',
    reason: 'ISTIO_MUTUAL',
    cause: { kind: 'DestinationRule', name: over.name, namespace: ns, scope: 'namespace', source: { file: `k8s/${ns}-dr.yaml`, line: 7 } },
    destination: { hosts: over.to },
    ...over,
  };
}

export function certificate(input: Omit<Partial<CertificateRecord>, 'notAfter' | 'notBefore'> & { cn: string; notAfter: string; notBefore?: string }): CertificateRecord {
  const { notAfter, notBefore, ...over } = input;
  return {
    id: over.id ?? `x509:${over.cn}`,
    provider: 'x509',
    subjectCN: over.cn,
    subject: `CN=${over.cn}`,
    issuer: 'CN=meshgov-demo intermediate CA',
    serialNumber: '1A2B3C',
    fingerprint256: over.fingerprint256 ?? `AB:CD:${over.cn}`,
    notBefore: new Date(notBefore ?? '2026-01-01T00:00:00Z'),
    notAfter: new Date(notAfter),
    isCA: false,
    chainIndex: 0,
    origin: { kind: 'File', name: `${over.cn}.pem`, source: { file: `certs/${over.cn}.pem`, line: 1 } },
    ...over,
  };
}

export function model(parts: Partial<FleetModel>): FleetModel {
  return { ...emptyModel(), ...parts };
}

let cached: Policy | undefined;
/** The shipped policy (rules/), loaded once per test file; tests copy before changing it. */
export function shippedPolicy(): Policy {
  cached ??= loadPolicy();
  return structuredClone(cached);
}
