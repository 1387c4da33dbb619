/**
 * A mesh shared through AWS RAM: a participant account's virtual node carries the owner's
 * `meshOwner` and its own `resourceOwner` (API `ResourceMetadata`). Its fix must name both, or
 * `UpdateVirtualNode` looks for the mesh in the caller's own account.
 */
import { buildAppMeshModel } from './index';
import { ACCOUNT, NOW, apiNode, dns, inventoryOf, listener } from './testdata/fixtures';

const PARTICIPANT = '444455556666';

test('a participant-owned virtual node in a shared mesh: the fix keeps meshOwner and resourceOwner', () => {
  const node = apiNode('fraud-check', {
    listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/risk/sa/fraud-check' } }, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } } })],
    serviceDiscovery: dns('fraud-check.risk.svc.cluster.local'),
  });
  const data = node.doc.data as any;
  data.metadata.resourceOwner = PARTICIPANT;
  data.metadata.arn = `arn:aws:appmesh:us-west-2:${PARTICIPANT}:mesh/prod-mesh/virtualNode/fraud-check`;
  const model = buildAppMeshModel(inventoryOf({ api: [node] }), { now: NOW });
  expect(model.servers[0].id).toBe('appmesh:prod-mesh/VirtualNode/fraud-check:8080');
  expect(model.servers[0].fix!.change).toMatchObject({
    operation: 'update-virtual-node',
    meshName: 'prod-mesh',
    meshOwner: ACCOUNT,
    virtualNodeName: 'fraud-check',
    resourceOwner: PARTICIPANT,
  });
});
