import type { Finding } from '../../core/findings';
import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { readServiceEntry } from './serviceEntry';
import { deployment, docs, inventoryFromYaml, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication } from './testInventory';

/*
 * A MESH_INTERNAL ServiceEntry with `workloadSelector.labels` makes the pods it selects in its own
 * namespace the endpoints of its hosts (istio.io ServiceEntry reference: "workloadSelector ...
 * Applicable only for MESH_INTERNAL services"). A DestinationRule for such a host is a client of
 * those pods: DISABLE sends them plaintext, which STRICT refuses.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const HOST = 'api.internal.example.com';

const entry = (location = 'MESH_INTERNAL') => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: api-internal
  namespace: shop
spec:
  hosts:
  - ${HOST}
  location: ${location}
  ports:
  - number: 80
    name: http
    protocol: HTTP
    targetPort: 8080
  resolution: STATIC
  workloadSelector:
    labels:
      app: api
`;

const plaintextRule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-internal-plain
  namespace: shop
spec:
  host: ${HOST}
  trafficPolicy:
    tls:
      mode: DISABLE
`;

const fleet = (...extra: string[]) => docs(namespace('shop'), deployment('shop', 'api', { ports: [8080] }), deployment('shop', 'web', { ports: [] }), plaintextRule, ...extra);

const audit = (yaml: string): Finding[] => evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);

describe('readServiceEntry: workloadSelector and targetPort', () => {
  const read = (location: string) => readServiceEntry(inventoryFromYaml(entry(location)).kubernetes[0]!);

  it('reads the selector of a MESH_INTERNAL entry and the port each number sends to', () => {
    expect(read('MESH_INTERNAL').entry).toMatchObject({ workloadSelector: { app: 'api' }, portTargets: [{ number: 80, name: 'http', targetPort: 8080 }] });
  });

  it('leaves the selector of a MESH_EXTERNAL entry out: it applies to MESH_INTERNAL services only', () => {
    expect(read('MESH_EXTERNAL').entry).not.toHaveProperty('workloadSelector');
  });
});

describe('a host whose ServiceEntry selects pods', () => {
  it('is one of the hosts of the selected workload, reached on the entry port', () => {
    const api = istioModelOf(fleet(entry())).servers.find((s) => s.id === 'istio:shop/Deployment/api:8080')!;
    expect(api.hosts).toContain(HOST);
    expect(api.servicePorts).toEqual([80]);
  });

  it('makes a DISABLE DestinationRule a known plaintext client: STRICT on the pods needs approval, naming it', () => {
    const notStrict = audit(fleet(entry())).find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'api')!;
    expect(notStrict.remediation).toMatchObject({
      action: 'istio.peerauthentication.create-strict',
      mode: 'approval',
      reason: expect.stringContaining('DestinationRule shop/api-internal-plain sends plaintext to Deployment shop/api port 8080'),
    });
  });

  it('gives the client fix the selected servers, not "no server behind the host"', () => {
    const client = audit(fleet(entry())).find((f) => f.rule === 'mtls-client-not-enforced' && f.resource.name === 'api-internal-plain')!;
    expect(client.remediation).toMatchObject({ action: 'istio.destinationrule.set-istio-mutual', mode: 'auto' });
    expect(client.remediation!.reason).not.toContain('no server behind');
  });

  it('raises a conflict when the selected pods are STRICT', () => {
    const conflicts = audit(fleet(entry(), peerAuthentication('shop', 'default', 'STRICT'))).filter((f) => f.rule === 'mtls-conflict');
    expect(conflicts.map((f) => [f.resource.kind, f.resource.name, (f.detail.server as { name: string }).name])).toEqual([['DestinationRule', 'api-internal-plain', 'api']]);
  });

  it('selects nothing when the entry is MESH_EXTERNAL', () => {
    const api = istioModelOf(fleet(entry('MESH_EXTERNAL'))).servers.find((s) => s.id === 'istio:shop/Deployment/api:8080')!;
    expect(api.hosts).not.toContain(HOST);
  });
});
