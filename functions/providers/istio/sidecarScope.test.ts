import { load } from 'js-yaml';
import { emptyInventory } from '../../core/model/inventory';
import { evaluateModel } from '../../core/rules/engine';
import { classifyDocument } from '../files/classify';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, meshConfigYaml, namespaceYaml as namespace, serviceYaml as service } from './testInventory';

/*
 * A Sidecar resource whose egress hosts leave a server's host out gives the workloads it applies
 * to no listener for it: with outboundTrafficPolicy ALLOW_ANY (the MeshConfig default) their
 * calls go through PassthroughCluster as the application wrote them, in plaintext, and STRICT on
 * that server refuses them. With REGISTRY_ONLY they go nowhere, so STRICT takes nothing from them.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const API = 'istio:shop/Deployment/api:8080';

const sidecar = (namespace: string, name: string, body: string) => `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${body}`;
const egress = (...hosts: string[]) => `  egress:\n  - hosts:\n${hosts.map((h) => `    - "${h}"`).join('\n')}\n`;

/** api serves 8080 behind Service port 80; ui, in the front namespace, may call it. */
const fleet = (...extra: string[]) =>
  docs(namespace('shop'), namespace('front'), deployment('shop', 'api', { ports: [8080] }), service('shop', 'api', [{ name: 'http', port: 80, targetPort: 8080 }]), deployment('front', 'ui', { ports: [] }), ...extra);

const apiFix = (yaml: string) => istioModelOf(yaml).servers.find((s) => s.id === API)!.fix!;
const PASSTHROUGH =
  'Sidecar front/default does not import shop/api.shop.svc.cluster.local in its egress hosts, and outbound traffic to unknown hosts is ALLOW_ANY: calls from front/Deployment/ui to it go through PassthroughCluster in plaintext; they may reach port 8080 of shop/Deployment/api, which STRICT refuses';

describe('a Sidecar whose egress does not import the server', () => {
  it('holds STRICT for a person, naming the Sidecar', () => {
    const yaml = fleet(sidecar('front', 'default', egress('./*', 'istio-system/*')));
    expect(apiFix(yaml).blockers).toEqual([PASSTHROUGH]);
    const finding = evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW).find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'api')!;
    expect(finding.remediation).toMatchObject({ mode: 'approval', reason: `preconditions do not hold: ${PASSTHROUGH}` });
  });

  it('is an audited kind for the file loader, not one it skips with a notice', () => {
    const inventory = emptyInventory();
    classifyDocument({ file: 'front/sidecar.yaml', line: 1, format: 'yaml', body: load(sidecar('front', 'default', egress('./*'))) }, inventory);
    expect(inventory.kubernetes.map((o) => o.doc.kind)).toEqual(['Sidecar']);
    expect(inventory.unknown).toEqual([]);
  });

  it.each([
    ['every namespace', egress('*/*')],
    ["the server's namespace", egress('./*', 'shop/*')],
    ['the host by name', egress('shop/api.shop.svc.cluster.local')],
    ['a wildcard of its domain', egress('*/*.shop.svc.cluster.local')],
  ])('blocks nothing when the egress imports %s', (_what, body) => {
    expect(apiFix(fleet(sidecar('front', 'default', body))).blockers).toEqual([]);
  });

  it('blocks nothing when unknown hosts are refused (REGISTRY_ONLY in the MeshConfig or the Sidecar)', () => {
    const registryOnly = meshConfigYaml('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY');
    expect(apiFix(fleet(registryOnly, sidecar('front', 'default', egress('./*')))).blockers).toEqual([]);
    expect(apiFix(fleet(sidecar('front', 'default', `${egress('./*')}  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY\n`))).blockers).toEqual([]);
    // The Sidecar's own ALLOW_ANY wins over the MeshConfig.
    expect(apiFix(fleet(registryOnly, sidecar('front', 'default', `${egress('./*')}  outboundTrafficPolicy:\n    mode: ALLOW_ANY\n`))).blockers).toEqual([PASSTHROUGH]);
  });

  it("imports a host only on its listener's port", () => {
    const body = `  egress:\n  - port:\n      number: 9000\n      protocol: HTTP\n      name: admin\n    hosts:\n    - "shop/*"\n`;
    expect(apiFix(fleet(sidecar('front', 'default', body))).blockers).toEqual([PASSTHROUGH]);
  });

  // A listener for a port owns that port: the catch-all listener serves only the ports no listener names.
  it("does not look past a listener for the port to the catch-all listener", () => {
    const portOwned = `  egress:\n  - port:\n      number: 80\n      protocol: HTTP\n      name: http\n    hosts:\n    - "./*"\n  - hosts:\n    - "shop/*"\n`;
    expect(apiFix(fleet(sidecar('front', 'default', portOwned))).blockers).toEqual([PASSTHROUGH]);
    expect(apiFix(fleet(sidecar('front', 'default', `  egress:\n  - port:\n      number: 80\n      protocol: HTTP\n      name: http\n    hosts:\n    - "shop/*"\n  - hosts:\n    - "./*"\n`))).blockers).toEqual([]);
  });

  it("applies to a workload the Sidecar its selector picks, else its namespace's, else the root namespace's", () => {
    const picksUi = sidecar('front', 'ui-only', `  workloadSelector:\n    labels:\n      app: ui\n${egress('*/*')}`);
    expect(apiFix(fleet(sidecar('front', 'default', egress('./*')), picksUi)).blockers).toEqual([]);
    // In the root namespace's Sidecar `.` is each workload's own namespace: api's calls within shop stay imported.
    const root = sidecar('istio-system', 'default', egress('./*', 'istio-system/*'));
    expect(apiFix(fleet(root)).blockers).toEqual([PASSTHROUGH.replace('Sidecar front/default', 'Sidecar istio-system/default')]);
    expect(apiFix(fleet(root, sidecar('front', 'default', egress('*/*')))).blockers).toEqual([]);
  });
});
