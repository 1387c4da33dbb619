import { buildAppMeshModel } from './index';
import { ACM_CERT_ARN, NOW, apiHttpRoute, apiMesh, apiNode, apiRouter, apiServiceByNode, apiServiceByRouter, dns, inventoryOf, listener } from './testdata/fixtures';

/**
 * 10k virtual nodes, each PERMISSIVE (so every listener gets a fix) with two backends, one
 * through a router, and half of them without a client policy (so those clients get a fix that
 * looks up the mesh's certificate patterns): the worst case for the builder.
 */
function bigFleet(n: number) {
  const api = [apiMesh()];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    api.push(
      apiNode(name, {
        listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })],
        serviceDiscovery: dns(`${name}.apps.svc.cluster.local`),
        backends: [
          { virtualService: { virtualServiceName: `svc-${(i + 1) % n}.apps.svc.cluster.local` } },
          { virtualService: { virtualServiceName: `routed-${(i + 7) % (n / 10)}.apps.svc.cluster.local` } },
        ],
        ...(i % 2 === 0 ? {} : { backendDefaults: { clientPolicy: { tls: { certificate: { sds: { secretName: `spiffe://prod-mesh.example.org/ns/apps/sa/${name}` } }, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } } } } } }),
      }),
      apiServiceByNode(`${name}.apps.svc.cluster.local`, name),
    );
  }
  for (let r = 0; r < n / 10; r++) {
    api.push(
      apiRouter(`router-${r}`, [8080]),
      apiHttpRoute(`route-${r}`, `router-${r}`, [
        { virtualNode: `svc-${r}`, weight: 50 },
        { virtualNode: `svc-${r + 1}`, weight: 50 },
      ]),
      apiServiceByRouter(`routed-${r}.apps.svc.cluster.local`, `router-${r}`),
    );
  }
  return inventoryOf({ api });
}

// Timings live in bench/ (npm run bench); this test checks that a 10k fleet is modelled whole.
test('10k virtual nodes are modelled with a server, a client and a fix each', () => {
  const inventory = bigFleet(10_000);
  const asRead = JSON.stringify(inventory);
  const model = buildAppMeshModel(inventory, { now: NOW });

  // Fixes and servers share what they do not change with the specs read (changes.ts,
  // servers.ts): the inventory must come out exactly as it went in.
  // (Compared as a boolean: a failure would otherwise print both 20 MB texts.)
  expect(JSON.stringify(inventory) === asRead).toBe(true);

  expect(model.servers).toHaveLength(10_000);
  expect(model.servers.every((s) => s.fix !== undefined)).toBe(true);
  expect(model.clients).toHaveLength(20_000);
  expect(model.clients.every((c) => c.inMeshDestination === true && c.destination.serverIds!.length > 0)).toBe(true);
  const plaintext = model.clients.filter((c) => c.sends === 'PLAINTEXT');
  expect(plaintext).toHaveLength(10_000);
  // No client has a certificate of its own, and the listeners' ACM certificates have no known
  // ACM Private CA in the mesh: each fix says both, and needs a person.
  expect(plaintext.every((c) => c.fix!.manualOnly === true && c.fix!.blockers.some((b) => b.startsWith('no client certificate source known')) && c.fix!.blockers.some((b) => b.startsWith('no trust known')))).toBe(true);
});
