import { deployment, docs, istioModelOf, namespaceYaml as namespace, serviceYaml as service } from './testInventory';

/*
 * A DestinationRule that never reaches istiod is reported and left out of the model: the API
 * server refuses a misspelled field (kubectl strict field validation) or a port number written as
 * a string, and Istio's validation webhook (ValidateDestinationRule) refuses duplicate or
 * non-DNS-1123 subset names and malformed exportTo lists. The clients then send what they would
 * without it (auto mTLS), so no plaintext finding is made up from a rule that does not exist.
 */
const meshStrict = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
`;

const rule = (spec: string, ns = 'shop') => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: web
  namespace: ${ns}
spec:
  host: web.shop.svc.cluster.local
${spec}`;

const fleet = (...rules: string[]) =>
  docs(namespace('shop'), namespace('frontend'), meshStrict, deployment('shop', 'web', { labels: { app: 'web', version: 'v1' } }), service('shop', 'web', [8080]), ...rules);

/** The rule's problems, and whether any client record came from it. */
function read(yaml: string) {
  const model = istioModelOf(yaml);
  return { problems: model.problems, fromRule: model.clients.filter((c) => c.resource.kind === 'DestinationRule') };
}

describe('a misspelled DestinationRule field is reported at its key, and the rule read as stored, without it', () => {
  it.each([
    ['trafficPolicy in the wrong case', '  trafficpolicy:\n    tls:\n      mode: DISABLE\n', 'spec.trafficpolicy', 'trafficPolicy'],
    ['tls.mode', '  trafficPolicy:\n    tls:\n      mdoe: ISTIO_MUTUAL\n', 'spec.trafficPolicy.tls.mdoe', 'mode'],
    ['a trafficPolicy field', '  trafficPolicy:\n    tsl:\n      mode: DISABLE\n', 'spec.trafficPolicy.tsl', 'tls'],
    ['a portLevelSettings field', '  trafficPolicy:\n    portLevelSettings:\n    - port:\n        number: 8080\n      tsl:\n        mode: DISABLE\n', 'spec.trafficPolicy.portLevelSettings[0].tsl', 'tls'],
    ['a port-level tls field', '  trafficPolicy:\n    portLevelSettings:\n    - port:\n        number: 8080\n      tls:\n        mdoe: DISABLE\n', 'spec.trafficPolicy.portLevelSettings[0].tls.mdoe', 'mode'],
    ['a subset field', '  subsets:\n  - name: v1\n    label:\n      version: v1\n', 'spec.subsets[0].label', 'labels'],
    ['a subset trafficPolicy field', '  subsets:\n  - name: v1\n    trafficPolicy:\n      tls:\n        mdoe: DISABLE\n', 'spec.subsets[0].trafficPolicy.tls.mdoe', 'mode'],
    ['a tls field in snake case', '  trafficPolicy:\n    tls:\n      mode: SIMPLE\n      credential_name: web-client\n', 'spec.trafficPolicy.tls.credential_name', 'credentialName'],
  ])('%s', (_what, spec, field, meant) => {
    const { problems, fromRule } = read(fleet(rule(spec)));
    const typo = field.split('.').pop()!.replace(/^.*\]\./, '');
    expect(problems).toEqual([expect.objectContaining({ kind: 'DestinationRule', name: 'web', field, message: `unknown field "${typo}" (did you mean "${meant}"?): kubectl refuses the object, and other clients (Helm, controllers) get it stored without the field, as meshgov reads it` })]);
    // Read without the key: a tls left without its mode is DISABLE (ClientTLSSettings' zero value), not what was meant.
    if (field === 'spec.trafficPolicy.tls.mdoe') expect(fromRule).toEqual([expect.objectContaining({ reason: expect.stringContaining('DISABLE') })]);
  });

  it('a field this Istio does not know, but no typo of one, stays silent and the rule is read', () => {
    const { problems, fromRule } = read(fleet(rule('  trafficPolicy:\n    retryBudget:\n      percent: 20\n    tls:\n      mode: DISABLE\n      alpn: [h2]\n')));
    expect(problems).toEqual([]);
    expect(fromRule).toEqual([expect.objectContaining({ reason: expect.stringContaining('DISABLE') })]);
  });
});

describe('a port-level setting port number', () => {
  it('written as a string is refused: the CRD types it as an integer', () => {
    const { problems, fromRule } = read(fleet(rule('  trafficPolicy:\n    portLevelSettings:\n    - port:\n        number: "8080"\n      tls:\n        mode: DISABLE\n')));
    expect(problems).toEqual([expect.objectContaining({ field: 'spec.trafficPolicy.portLevelSettings[0].port.number', message: 'must be an integer, not the string "8080"' })]);
    expect(fromRule).toEqual([]);
  });

  it('out of range is refused with Istio\'s reason', () => {
    const { problems } = read(fleet(rule('  trafficPolicy:\n    portLevelSettings:\n    - port:\n        number: 70000\n      tls:\n        mode: DISABLE\n')));
    expect(problems).toEqual([expect.objectContaining({ field: 'spec.trafficPolicy.portLevelSettings[0].port.number', message: expect.stringContaining('port must be between 1-65535') })]);
  });

  it('an integer is read', () => {
    const { problems, fromRule } = read(fleet(rule('  trafficPolicy:\n    portLevelSettings:\n    - port:\n        number: 8080\n      tls:\n        mode: DISABLE\n')));
    expect(problems).toEqual([]);
    expect(fromRule).toEqual([expect.objectContaining({ reason: expect.stringContaining('DISABLE') })]);
  });
});

describe("rules Istio's validation webhook refuses", () => {
  const disable = '  trafficPolicy:\n    tls:\n      mode: DISABLE\n';

  it.each([
    [
      'duplicate subset names',
      '  subsets:\n  - name: v1\n    labels:\n      version: v1\n  - name: v1\n    labels:\n      version: v1\n    trafficPolicy:\n      tls:\n        mode: DISABLE\n',
      'spec.subsets[1].name',
      /subset name "v1" is used twice \(also spec\.subsets\[0\]\): "duplicate subset names"/,
    ],
    ['a subset name that is not a DNS-1123 label', '  subsets:\n  - name: V1_beta\n    labels:\n      version: v1\n    trafficPolicy:\n      tls:\n        mode: DISABLE\n', 'spec.subsets[0].name', /subset name "V1_beta" is not a DNS-1123 label/],
    ['an exportTo entry that is not a namespace name', `  exportTo:\n  - "frontend,shop"\n${disable}`, 'spec.exportTo[0]', /exportTo entry "frontend,shop" is not "\.", "\*" or a namespace name/],
    ['"*" with another exportTo entry', `  exportTo: ["*", "."]\n${disable}`, 'spec.exportTo', /cannot have both public \(\*\) and non-public exportTo values/],
    ['"." and the rule\'s own namespace', `  exportTo: [".", "shop"]\n${disable}`, 'spec.exportTo[1]', /exportTo lists namespace shop twice, as "\." and "shop"/],
  ])('%s', (_what, spec, field, message) => {
    const { problems, fromRule } = read(fleet(rule(spec)));
    expect(problems).toEqual([expect.objectContaining({ kind: 'DestinationRule', name: 'web', field, message: expect.stringMatching(message) })]);
    expect(problems[0]!.message).toMatch(/Istio's validation webhook refuses the DestinationRule; where one got in, istiod applies it/);
    // One can be in the cluster (made before the check, or with the webhook off): it is still read,
    // and applies where its exportTo reaches (a namespace named "frontend,shop" has no clients).
    if (field !== 'spec.exportTo[0]') expect(fromRule.length).toBeGreaterThan(0);
  });

  it('valid subset names and exportTo entries are read', () => {
    const spec = `  exportTo: [".", "frontend"]
  subsets:
  - name: v1
    labels:
      version: v1
  - name: canary-2
    labels:
      version: v2
${disable}`;
    const { problems, fromRule } = read(fleet(rule(spec)));
    expect(problems).toEqual([]);
    expect(fromRule.length).toBeGreaterThan(0);
  });
});
