import { emptyInventory } from '../../../functions/core/model/inventory';
import { appMeshCertificateArns } from '../../../functions/providers/acm';
import {
  EDGE_CERT_ARN,
  fleetInventory,
  LEDGER_CERT_ARN,
  ORDERS_CERT_ARN,
  PAYMENTS_CERT_ARN,
  PCA_ARN,
  readEvent,
  RETIRED_CERT_ARN,
} from './fixtures';

describe('appMeshCertificateArns', () => {
  it('finds listener certificates and trusted CAs in App Mesh API objects and v1beta2 CRDs', () => {
    expect(appMeshCertificateArns(fleetInventory())).toEqual([
      { arn: PAYMENTS_CERT_ARN, usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 } },
      { arn: PCA_ARN, usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' } },
      // CRDs: `certificateARN` / `certificateAuthorityARNs`, mesh from spec.meshRef …
      { arn: ORDERS_CERT_ARN, usedBy: { kind: 'VirtualNode', name: 'orders-api', mesh: 'prod-mesh', namespace: 'orders', port: 8080 } },
      { arn: PCA_ARN, usedBy: { kind: 'VirtualNode', name: 'orders-api', mesh: 'prod-mesh', namespace: 'orders' } },
      // … or from the Mesh whose namespaceSelector selects the namespace; backendDefaults count too.
      { arn: LEDGER_CERT_ARN, usedBy: { kind: 'VirtualNode', name: 'ledger', mesh: 'prod-mesh', namespace: 'payments', port: 9090 } },
      { arn: PCA_ARN, usedBy: { kind: 'VirtualNode', name: 'ledger', mesh: 'prod-mesh', namespace: 'payments' } },
      { arn: EDGE_CERT_ARN, usedBy: { kind: 'VirtualGateway', name: 'ingress-gw', mesh: 'prod-mesh', namespace: 'ingress', port: 443 } },
      { arn: PCA_ARN, usedBy: { kind: 'VirtualGateway', name: 'ingress-gw', mesh: 'prod-mesh', namespace: 'ingress' } },
    ]);
  });

  it('leaves out resources App Mesh has deleted', () => {
    const arns = appMeshCertificateArns(fleetInventory()).map((u) => u.arn);
    expect(arns).not.toContain(RETIRED_CERT_ARN);
  });

  it('reads the spec of a CloudTrail UpdateVirtualNode request the same way as the response', () => {
    const event = readEvent('cloudtrail-appmesh-update-virtual-node.json');
    const { meshName, virtualNodeName, spec } = event.detail.requestParameters;
    const inventory = emptyInventory();
    inventory.appmeshApi.push({ doc: { type: 'virtualNode', data: { meshName, virtualNodeName, spec } }, source: { file: 'event.json', line: 1 } });
    expect(appMeshCertificateArns(inventory)).toEqual([
      { arn: PAYMENTS_CERT_ARN, usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 } },
      { arn: PCA_ARN, usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' } },
    ]);
  });

  it('names each (ARN, user) pair once, however often the configuration repeats it', () => {
    const data = readEvent('cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode;
    // The same CA twice in one trust list, in two backends and in backendDefaults; the node read twice.
    data.spec.backends[0].virtualService.clientPolicy.tls.validation.trust.acm.certificateAuthorityArns.push(PCA_ARN);
    data.spec.backends.push({ virtualService: { virtualServiceName: 'fraud.payments.svc.cluster.local', clientPolicy: structuredClone(data.spec.backends[0].virtualService.clientPolicy) } });
    data.spec.backendDefaults = { clientPolicy: structuredClone(data.spec.backends[0].virtualService.clientPolicy) };
    const inventory = emptyInventory();
    inventory.appmeshApi.push(
      { doc: { type: 'virtualNode', data }, source: { file: 'a.json', line: 1 } },
      { doc: { type: 'virtualNode', data: structuredClone(data) }, source: { file: 'b.json', line: 1 } },
    );
    expect(appMeshCertificateArns(inventory)).toEqual([
      { arn: PAYMENTS_CERT_ARN, usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 } },
      { arn: PCA_ARN, usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' } },
    ]);
  });

  it('finds nothing in listeners that serve file or SDS certificates', () => {
    const data = readEvent('cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode;
    data.spec.listeners[0].tls.certificate = { file: { certificateChain: '/certs/chain.pem', privateKey: '/certs/key.pem' } };
    data.spec.backends[0].virtualService.clientPolicy.tls.validation.trust = { sds: { secretName: 'spiffe://prod-mesh/ca' } };
    const inventory = emptyInventory();
    inventory.appmeshApi.push({ doc: { type: 'virtualNode', data }, source: { file: 'a.json', line: 1 } });
    expect(appMeshCertificateArns(inventory)).toEqual([]);
  });
});
