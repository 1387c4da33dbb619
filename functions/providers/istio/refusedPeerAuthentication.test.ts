import { deployment, docs, istioModelOf, namespaceYaml as namespace } from './testInventory';

/*
 * A PeerAuthentication the API server refuses never exists in the cluster: it is reported, and
 * the workloads keep the mode they inherit, as if it were not there. istio/api's CRD refuses
 * portLevelMtls without a selector (CEL: "portLevelMtls requires selector", a selector with
 * empty matchLabels counting as none) and an empty portLevelMtls (minProperties 1); kubectl's
 * strict field validation refuses a misspelled field.
 */
const shop = deployment('shop', 'web', { ports: [8080, 9090] });

const pa = (name: string, spec: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: shop
spec:
${spec}`;

const modeOf = (yaml: string, port: number) => istioModelOf(yaml).servers.find((s) => s.id === `istio:shop/Deployment/web:${port}`)!;

describe('a PeerAuthentication with portLevelMtls and no selector', () => {
  const strictWithPort = pa(
    'default',
    `  mtls:
    mode: STRICT
  portLevelMtls:
    9090:
      mode: PERMISSIVE
`,
  );

  it('is refused whole: neither its STRICT nor its port applies, and the namespace keeps the mesh default', () => {
    const yaml = docs(namespace('shop'), strictWithPort, shop);
    for (const port of [8080, 9090]) expect(modeOf(yaml, port)).toMatchObject({ mode: 'PERMISSIVE', cause: { scope: 'default' } });
    expect(istioModelOf(yaml).problems).toEqual([
      expect.objectContaining({
        kind: 'PeerAuthentication',
        name: 'default',
        field: 'spec.portLevelMtls',
        message: expect.stringMatching(/Istio refuses the whole PeerAuthentication \("portLevelMtls requires selector"\).*keeps the mode it inherits/),
      }),
    ]);
  });

  it('keeps a mesh-wide STRICT in force', () => {
    const meshStrict = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
`;
    const nsDisable = pa('default', '  mtls:\n    mode: DISABLE\n  portLevelMtls:\n    9090:\n      mode: STRICT\n');
    expect(modeOf(docs(namespace('shop'), meshStrict, nsDisable, shop), 8080)).toMatchObject({ mode: 'STRICT', cause: { scope: 'mesh' } });
  });

  it('counts a selector with empty matchLabels as none', () => {
    const yaml = docs(namespace('shop'), pa('web', '  selector:\n    matchLabels: {}\n  mtls:\n    mode: STRICT\n  portLevelMtls:\n    8080:\n      mode: DISABLE\n'), shop);
    expect(modeOf(yaml, 8080)).toMatchObject({ mode: 'PERMISSIVE', cause: { scope: 'default' } });
    expect(istioModelOf(yaml).problems).toEqual([expect.objectContaining({ name: 'web', field: 'spec.portLevelMtls' })]);
  });

  it('is still read with a selector', () => {
    const yaml = docs(namespace('shop'), pa('web', '  selector:\n    matchLabels:\n      app: web\n  mtls:\n    mode: STRICT\n  portLevelMtls:\n    9090:\n      mode: PERMISSIVE\n'), shop);
    expect(modeOf(yaml, 8080).mode).toBe('STRICT');
    expect(modeOf(yaml, 9090).mode).toBe('PERMISSIVE');
    expect(istioModelOf(yaml).problems).toEqual([]);
  });
});

it('an empty portLevelMtls is refused (minProperties 1), even with a selector', () => {
  const yaml = docs(namespace('shop'), pa('web', '  selector:\n    matchLabels:\n      app: web\n  mtls:\n    mode: STRICT\n  portLevelMtls: {}\n'), shop);
  expect(modeOf(yaml, 8080)).toMatchObject({ mode: 'PERMISSIVE', cause: { scope: 'default' } });
  expect(istioModelOf(yaml).problems).toEqual([expect.objectContaining({ field: 'spec.portLevelMtls', message: expect.stringContaining('minProperties 1') })]);
});

describe('a misspelled PeerAuthentication field', () => {
  it.each([
    ['mtls.mode', '  mtls:\n    mdoe: STRICT\n', 'spec.mtls.mdoe', 'mode', 'PERMISSIVE', 9090],
    ['a top-level field in the wrong case', '  MTLS:\n    mode: STRICT\n', 'spec.MTLS', 'mtls', 'PERMISSIVE', 9090],
    ['portLevelMtls in snake case', '  selector:\n    matchLabels:\n      app: web\n  mtls:\n    mode: STRICT\n  port_level_mtls:\n    9090:\n      mode: DISABLE\n', 'spec.port_level_mtls', 'portLevelMtls', 'STRICT', 9090],
    ['a port mode', '  selector:\n    matchLabels:\n      app: web\n  portLevelMtls:\n    9090:\n      mdoe: DISABLE\n', 'spec.portLevelMtls.9090.mdoe', 'mode', 'PERMISSIVE', 9090],
    ['matchLabels', '  selector:\n    matchLabel:\n      app: web\n  mtls:\n    mode: DISABLE\n', 'spec.selector.matchLabel', 'matchLabels', 'DISABLED', 8080],
  ])('%s is reported at its key, and the policy is read as stored, without it', (_what, spec, field, meant, mode, port) => {
    const yaml = docs(namespace('shop'), pa('default', spec), shop);
    const model = istioModelOf(yaml);
    const typo = field.split('.').pop();
    expect(model.problems).toEqual([
      expect.objectContaining({ kind: 'PeerAuthentication', field, message: `unknown field "${typo}" (did you mean "${meant}"?): kubectl refuses the object, and other clients (Helm, controllers) get it stored without the field, as meshgov reads it` }),
    ]);
    // The API server prunes the unknown key: the policy applies without it, never as the field meant.
    expect(modeOf(yaml, port as number).mode).toBe(mode);
  });

  it('an unrelated unknown field stays silent: Istio adds fields across versions', () => {
    const yaml = docs(namespace('shop'), pa('default', '  mtls:\n    mode: STRICT\n  action: AUDIT\n  portLevelTlsSettings: {}\n'), shop);
    expect(istioModelOf(yaml).problems).toEqual([]);
    expect(modeOf(yaml, 8080).mode).toBe('STRICT');
  });
});
