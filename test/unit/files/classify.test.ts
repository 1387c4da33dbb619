import { emptyInventory } from '../../../functions/core/model/inventory';
import { classifyDocument } from '../../../functions/providers/files/classify';
import { parseFileText } from '../../../functions/providers/files/parse-documents';

function inventoryOf(text: string) {
  const inv = emptyInventory();
  for (const d of parseFileText('f.yaml', text).documents) classifyDocument(d, inv);
  return inv;
}

const object = (apiVersion: string, kind: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: default, namespace: orders}\nspec: {}\n`;

describe('documents of a mesh API group', () => {
  it.each([
    ['security.istio.io/v1', 'PeerAuthentication'],
    ['security.istio.io/v1beta1', 'PeerAuthentication'],
    ['networking.istio.io/v1alpha3', 'DestinationRule'],
    ['networking.istio.io/v1beta1', 'ServiceEntry'],
    ['appmesh.k8s.aws/v1beta2', 'VirtualNode'],
    ['cert-manager.io/v1', 'Certificate'],
    ['v1', 'Namespace'],
    ['example.com/v1', 'Widget'],
  ])('reads %s %s as before', (apiVersion, kind) => {
    const inv = inventoryOf(object(apiVersion, kind));
    expect(inv.problems).toEqual([]);
    expect(inv.kubernetes.map((k) => k.doc.kind)).toEqual([kind]);
  });

  it.each([
    ['security.istio.io/v1beta', 'PeerAuthentication', 'istio', 'served: v1, v1beta1'],
    ['security.istio.io', 'PeerAuthentication', 'istio', 'served: v1, v1beta1'],
    ['networking.istio.io/v2', 'DestinationRule', 'istio', 'served: v1, v1beta1, v1alpha3'],
    ['appmesh.k8s.aws/v1beta1', 'VirtualNode', 'appmesh', 'served: v1beta2'],
    ['cert-manager.io/v1alpha2', 'Certificate', 'x509', 'served: v1'],
  ])('reports an unknown version, %s, on apiVersion with the versions served', (apiVersion, kind, provider, served) => {
    const inv = inventoryOf(`# ${kind}\n${object(apiVersion, kind)}`);
    expect(inv.kubernetes).toEqual([]);
    expect(inv.problems).toEqual([
      { file: 'f.yaml', line: 2, field: 'apiVersion', kind, name: 'default', namespace: 'orders', provider, message: expect.stringContaining(`"${apiVersion}"`) },
    ]);
    expect(inv.problems[0]!.message).toContain(served);
  });

  it('reports a kind the group does not serve on kind, with the kinds it serves', () => {
    const inv = inventoryOf(object('security.istio.io/v1', 'PeerAuthenticaton'));
    expect(inv.kubernetes).toEqual([]);
    expect(inv.problems).toEqual([expect.objectContaining({ line: 1, field: 'kind', kind: 'PeerAuthenticaton', provider: 'istio' })]);
    expect(inv.problems[0]!.message).toMatch(/security\.istio\.io has no kind "PeerAuthenticaton" \(served: PeerAuthentication, AuthorizationPolicy/);
  });

  it('skips a kind the group serves but meshgov does not audit, as an unknown document', () => {
    const inv = inventoryOf(object('security.istio.io/v1', 'AuthorizationPolicy'));
    expect(inv.problems).toEqual([]);
    expect(inv.kubernetes).toEqual([]);
    expect(inv.unknown).toEqual([{ doc: expect.objectContaining({ kind: 'AuthorizationPolicy' }), source: { file: 'f.yaml', line: 1 } }]);
  });

  it.each([
    ['v1', 'Namespce', 'Namespace', 'istio'],
    ['v1', 'service', 'Service', 'istio'],
    ['v1', 'Secrets', 'Secret', 'x509'],
    ['apps/v1', 'Deploymnet', 'Deployment', 'istio'],
    ['apps/v1', 'StatefullSet', 'StatefulSet', 'istio'],
  ])('reports a core kind misspelt (%s %s) on kind, naming the one meant', (apiVersion, kind, meant, provider) => {
    const inv = inventoryOf(object(apiVersion, kind));
    expect(inv.kubernetes).toEqual([]);
    expect(inv.problems).toEqual([expect.objectContaining({ line: 1, field: 'kind', kind, provider, message: `${apiVersion} has no kind "${kind}"; did you mean ${meant}?` })]);
  });

  it.each([
    ['v1', 'Node'],
    ['v1', 'Endpoints'],
    ['v1', 'ServiceAccount'],
    ['apps/v1', 'ReplicaSet'],
    ['v1', 'Ingress'],
    ['batch/v1', 'Job'],
  ])('leaves other kinds of the core groups, and far-off names, alone (%s %s)', (apiVersion, kind) => {
    const inv = inventoryOf(object(apiVersion, kind));
    expect(inv.problems).toEqual([]);
  });

  it('names the item of a List', () => {
    const inv = inventoryOf(`apiVersion: v1\nkind: List\nitems:\n  - apiVersion: networking.istio.io/v1beta\n    kind: DestinationRule\n    metadata: {name: x}\n`);
    expect(inv.problems).toEqual([expect.objectContaining({ line: 4, field: 'items[0].apiVersion' })]);
  });
});
