import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, peerAuthenticationYaml as peerAuthentication } from './testInventory';

/*
 * An unquoted number or boolean in a label map (`cost-center: 1234`, `tier: 2`) makes the API
 * server refuse the object; the file source reports it, saying "meshgov reads it as the string
 * …" (files/object-metadata.ts). The Istio readers keep that promise: the value is read as its
 * string, and one such value does not cost the object its other labels.
 */
const NOW = new Date('2026-11-26T00:00:00Z');
const findings = (yaml: string) => evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);

const ledger = (labels: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ledger
  labels:
${labels}`;

describe('a Namespace with one unquoted label value', () => {
  const books = deployment('ledger', 'books');
  const policy = peerAuthentication('ledger', 'default', 'STRICT');

  it('keeps its other labels: istio-injection=enabled still injects', () => {
    const yaml = docs(ledger('    istio-injection: enabled\n    cost-center: 1234\n'), policy, books);
    expect(findings(yaml).filter((f) => f.rule === 'mesh-sidecar-missing')).toEqual([]);
    expect(istioModelOf(yaml).servers[0]).toMatchObject({ mode: 'STRICT' });
  });

  it('reads the value as its string, as the report says: istio.io/rev: 1 is revision "1"', () => {
    const yaml = docs(ledger('    istio.io/rev: 1\n'), policy, books);
    expect(findings(yaml).filter((f) => f.rule === 'mesh-sidecar-missing')).toEqual([]);
  });
});

describe('a Service selector with an unquoted value', () => {
  const web = deployment('shop', 'web', { labels: { app: 'web', tier: '2' } });
  const svc = (tier: string) => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
    tier: ${tier}
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;
  const plaintextRule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: web
  namespace: shop
spec:
  host: web.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
`;
  const fleet = (tier: string) =>
    docs(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio-injection: enabled\n`, peerAuthentication('shop', 'default', 'STRICT'), web, svc(tier), plaintextRule);

  it('selects the pods its quoted twin selects, so the conflict behind it is found', () => {
    const conflicts = (tier: string) => findings(fleet(tier)).filter((f) => f.rule === 'mtls-conflict');
    expect(conflicts('"2"')).toHaveLength(1);
    expect(conflicts('2')).toEqual(conflicts('"2"'));
  });
});

it('a Namespace whose istio-injection value the injector does not match says which value it has', () => {
  // A workload runs there: an empty namespace is no entry whatever its labels.
  const yaml = docs(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: pay\n  labels:\n    istio-injection: Enabled\n`, peerAuthentication('pay', 'default', 'STRICT'), deployment('pay', 'pay-api'));
  expect(findings(yaml).filter((f) => f.rule === 'mesh-sidecar-missing')).toEqual([
    expect.objectContaining({ message: expect.stringContaining('namespace pay has label istio-injection="Enabled", which the injector does not read as "enabled"') }),
  ]);
});
