import { load, type YAMLException } from 'js-yaml';
import { blockScalarLine } from './blockScalarLine';
import { buildIstioModel } from './buildIstioModel';
import { deployment, docs, inventoryFromYaml, istioModelOf, namespaceYaml as namespace, serviceYaml as service } from './testInventory';

/** js-yaml's mark for the error in `text`, as the MeshConfig reader gets it. */
function markOf(text: string): { line: number; column: number } {
  try {
    load(text);
  } catch (err) {
    const mark = (err as YAMLException).mark;
    if (mark) return mark;
  }
  throw new Error('no YAML error');
}

/** The file's lines, the 1-based line of the `mesh:` key, and the text the ConfigMap holds there. */
function configMap(file: string) {
  const lines = file.split('\n');
  const keyLine = lines.findIndex((l) => /^\s*mesh:/.test(l)) + 1;
  const text = (load(file) as { data: { mesh: string } }).data.mesh;
  return { lines, keyLine, text };
}

const header = `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-canary
  namespace: istio-system
data:
`;

describe('the file line of a YAML error inside a block scalar', () => {
  it.each([
    ['|-', '  mesh: |-\n'],
    ['|', '  mesh: |\n'],
    ['| with a comment', '  mesh: |  # MeshConfig\n'],
  ])('literal %s: the block\'s first content line plus the mark\'s line', (_what, key) => {
    const file = `${header}${key}    accessLogFile: /dev/stdout\n    defaultConfig:\n      discoveryAddress: istiod.istio-system.svc:15012\n     tracing: {}\n    enableAutoMtls: false\n`;
    const { lines, keyLine, text } = configMap(file);
    expect(blockScalarLine(lines, keyLine, markOf(text))).toBe(lines.indexOf('     tracing: {}') + 1);
  });

  it('keeps counting across blank lines', () => {
    const file = `${header}  mesh: |\n    accessLogFile: /dev/stdout\n\n\n    rootNamespace: [istio-system\n`;
    const { lines, keyLine, text } = configMap(file);
    expect(blockScalarLine(lines, keyLine, markOf(text))).toBe(lines.indexOf('    rootNamespace: [istio-system') + 1);
  });

  it('folded >: follows the lines js-yaml joins', () => {
    // Folding joins the first two lines into one text line; the blank line keeps the third apart.
    const file = `${header}  mesh: >\n    defaultConfig:\n    {discoveryAddress: istiod}\n\n    rootNamespace: istio-system: x\n`;
    const { lines, keyLine, text } = configMap(file);
    expect(text.split('\n')[1]).toBe('rootNamespace: istio-system: x');
    expect(blockScalarLine(lines, keyLine, markOf(text))).toBe(lines.indexOf('    rootNamespace: istio-system: x') + 1);
  });

  it('folded >: a mark past the first of two joined lines is on the second', () => {
    // "enableAutoMtls: false rootNamespace: istio-system" is one text line; the error is at its second key.
    const file = `${header}  mesh: >\n    enableAutoMtls: false\n    rootNamespace: istio-system\n`;
    const { lines, keyLine, text } = configMap(file);
    expect(markOf(text)).toMatchObject({ line: 0, column: 35 });
    expect(blockScalarLine(lines, keyLine, markOf(text))).toBe(lines.indexOf('    rootNamespace: istio-system') + 1);
  });

  it.each([
    ['a quoted string', `${header}  mesh: "rootNamespace: [istio-system"\n`],
    ['JSON', `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio"},\n "data": {"mesh": "rootNamespace: [istio-system"}}\n`],
  ])('gives nothing for %s: the caller names the key', (_what, file) => {
    const lines = file.split('\n');
    const keyLine = lines.findIndex((l) => l.includes('mesh')) + 1;
    expect(blockScalarLine(lines, keyLine, { line: 0, column: 14 })).toBeUndefined();
  });
});

it('without a source that shows the file, a YAML error names its place in the data.mesh text, not bare coordinates', () => {
  const model = istioModelOf(`${header}  mesh: |-\n    accessLogFile: /dev/stdout\n    defaultConfig:\n      discoveryAddress: istiod.istio-system.svc:15012\n     tracing: {}\n`);
  expect(model.problems).toEqual([
    expect.objectContaining({
      field: 'data.mesh',
      namespace: 'istio-system',
      message: 'MeshConfig in data.mesh is not valid YAML: bad indentation of a mapping entry (line 4, column 2 of the data.mesh text)',
    }),
  ]);
});

describe('a MeshConfig ConfigMap whose mesh is a YAML mapping (no "|")', () => {
  const mapping = `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh:
    enableAutoMtls: false
    rootNamespace: istio-config
`;
  const fleet = docs(namespace('shop'), deployment('shop', 'web'), service('shop', 'web'), mapping);

  it('is reported at data.mesh: the API server refuses a ConfigMap data value that is not a string', () => {
    expect(istioModelOf(fleet).problems).toEqual([
      expect.objectContaining({ kind: 'ConfigMap', name: 'istio', field: 'data.mesh', message: expect.stringMatching(/^must be a string holding MeshConfig YAML \(write "mesh: \|"\)/) }),
    ]);
  });

  it('is read as absent: Istio\'s defaults, or the configured root namespace, apply', () => {
    const model = buildIstioModel(inventoryFromYaml(fleet), { now: new Date('2026-11-26T00:00:00Z'), istioRootNamespace: 'mesh-root' });
    // Auto mTLS stays on (the mapping's enableAutoMtls: false never applied): no plaintext client is made up.
    expect(model.clients).toEqual([]);
    const meshStrict = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: mesh-root
spec:
  mtls:
    mode: STRICT
`;
    const withPolicy = buildIstioModel(inventoryFromYaml(docs(fleet, meshStrict)), { now: new Date('2026-11-26T00:00:00Z'), istioRootNamespace: 'mesh-root' });
    expect(withPolicy.servers[0]).toMatchObject({ mode: 'STRICT', cause: { scope: 'mesh', namespace: 'mesh-root' } });
  });
});
