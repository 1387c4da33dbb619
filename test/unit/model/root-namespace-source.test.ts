import { auditInventory } from '../../../functions/providers/audit-inventory';
import { deployment, inventoryFromYaml, peerAuthenticationYaml } from '../../../functions/providers/istio/testInventory';
import { shippedPolicy } from '../../support/model';

/** rules/ `sources.istio.rootNamespace` reaches the Istio model through the audit every caller shares. */

const NOW = new Date('2026-11-26T00:00:00Z');
const MESH_WIDE = peerAuthenticationYaml('mesh-root', 'default', 'STRICT');

it('makes a PeerAuthentication of that namespace mesh-wide when the inputs hold no MeshConfig', () => {
  const yaml = `${MESH_WIDE}---\n${deployment('orders', 'orders-api')}`;
  const shipped = shippedPolicy();
  const configured = { ...shipped, sources: { ...shipped.sources, istio: { rootNamespace: 'mesh-root' } } };
  const without = auditInventory(inventoryFromYaml(yaml), { policy: shipped, now: NOW });
  const withRoot = auditInventory(inventoryFromYaml(yaml), { policy: configured, now: NOW });
  expect(without.findings.map((f) => [f.rule, f.resource.name])).toEqual([['mtls-not-strict', 'orders-api']]);
  expect(withRoot.findings).toEqual([]);
});
