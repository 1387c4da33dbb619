import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fieldLineLocator } from '../../../functions/providers/files/field-line';
import { parseFieldPath } from '../../../functions/providers/files/field-path';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'meshgov-field-line-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to a file and returns it with the 1-based line of the first line holding each marker. */
function fileWith(name: string, text: string) {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  const lines = text.split('\n');
  const lineOf = (marker: string, after = 0) => {
    const i = lines.findIndex((l, n) => n >= after && l.includes(marker));
    if (i < 0) throw new Error(`no line holds ${marker}`);
    return i + 1;
  };
  return { file, lineOf };
}

describe('parseFieldPath', () => {
  it.each([
    ['spec.mtls.mode', ['spec', 'mtls', 'mode']],
    ['spec.listeners[1].portMapping.port', ['spec', 'listeners', 1, 'portMapping', 'port']],
    ['data["cert-chain.pem"]', ['data', 'cert-chain.pem']],
    ['[3].virtualNode.spec', [3, 'virtualNode', 'spec']],
    ['static_resources.clusters[0].transport_socket.typed_config.@type', ['static_resources', 'clusters', 0, 'transport_socket', 'typed_config', '@type']],
    ['spec.portLevelMtls.8080', ['spec', 'portLevelMtls', '8080']],
  ])('%s', (field, expected) => {
    expect(parseFieldPath(field)).toEqual(expected);
  });

  it('gives nothing for a path it cannot read', () => {
    expect(parseFieldPath('')).toBeUndefined();
    expect(parseFieldPath('spec..mode')).toBeUndefined();
    expect(parseFieldPath('spec[x]')).toBeUndefined();
  });
});

describe('a YAML field', () => {
  const text = `# Istio policy for payments
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: PERMISSIVE
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: payments-api
  namespace: payments
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: payments-api
  mtls:
    mode: STRCT   # a typo
  portLevelMtls:
    "8080":
      mode: DISABLE
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ledger
  namespace: payments
spec:
  host: ledger.payments.svc.cluster.local
  trafficPolicy:
    portLevelSettings:
    # metrics first
    - port: { number: 9090 }
      tls:
        mode: DISABLE
    -
      port:
        number: 8443
      tls:
        mode: SIMPLEST
`;

  it('is found from its object, in the second and third documents of a file', () => {
    const { file, lineOf } = fileWith('istio.yaml', text);
    const locate = fieldLineLocator();
    const pa = lineOf('name: payments-api') - 3;
    expect(locate(file, pa, 'spec.mtls.mode')).toBe(lineOf('mode: STRCT'));
    expect(locate(file, pa, 'spec.portLevelMtls.8080.mode')).toBe(lineOf('mode: DISABLE'));
    expect(locate(file, pa, 'spec.selector.matchLabels.app.kubernetes.io/name')).toBe(lineOf('app.kubernetes.io/name'));
    const dr = lineOf('kind: DestinationRule') - 1;
    expect(locate(file, dr, 'spec.trafficPolicy.portLevelSettings[1].tls.mode')).toBe(lineOf('mode: SIMPLEST'));
    expect(locate(file, dr, 'spec.trafficPolicy.portLevelSettings[0].tls.mode')).toBe(lineOf('mode: DISABLE', dr));
  });

  it('stops at the deepest line it can follow: a flow mapping, or a field that is missing', () => {
    const { file, lineOf } = fileWith('istio-partial.yaml', text);
    const locate = fieldLineLocator();
    const dr = lineOf('kind: DestinationRule') - 1;
    expect(locate(file, dr, 'spec.trafficPolicy.portLevelSettings[0].port.number')).toBe(lineOf('- port: { number: 9090 }'));
    expect(locate(file, 2, 'metadata.labels')).toBe(lineOf('metadata:'));
  });

  it('never looks into the next document for a field its own document lacks', () => {
    const { file, lineOf } = fileWith(
      'two.yaml',
      'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: no-spec\n  namespace: payments\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: other\nspec:\n  mtls:\n    mode: STRICT\n',
    );
    expect(fieldLineLocator()(file, 1, 'spec.mtls.mode')).toBeUndefined();
    expect(fieldLineLocator()(file, 1, 'metadata.labels')).toBe(lineOf('metadata:'));
  });

  it('reads a document from its --- line to the next one, with CRLF line ends and a comment after the marker', () => {
    const text = [
      'apiVersion: security.istio.io/v1',
      'kind: PeerAuthentication',
      'metadata: {name: first, namespace: payments}',
      '--- # the orders policy',
      'apiVersion: security.istio.io/v1',
      'kind: PeerAuthentication',
      'metadata: {name: orders, namespace: orders}',
      'spec:',
      '  mtls:',
      '    mode: PERMISSIVE',
      '---',
      'spec:',
      '  mtls:',
      '    mode: DISABLE',
      '',
    ].join('\r\n');
    const { file } = fileWith('crlf.yaml', text);
    const locate = fieldLineLocator();
    // The object's line is its own `---`: the walk starts there and stops before the next one.
    expect(locate(file, 4, 'spec.mtls.mode')).toBe(10);
    expect(locate(file, 4, 'spec.mtls')).toBe(9);
    expect(locate(file, 1, 'spec.mtls.mode')).toBeUndefined();
    expect(locate(file, 11, 'spec.mtls.mode')).toBe(14);
  });

  it('leaves the line alone when the path cannot start there, or the file cannot be read', () => {
    const { file } = fileWith('istio-none.yaml', text);
    const locate = fieldLineLocator();
    expect(locate(file, 2, 'status.notAfter')).toBeUndefined();
    expect(locate(path.join(dir, 'gone.yaml'), 2, 'spec.mtls.mode')).toBeUndefined();
  });

  it("follows a path from the document's root when it starts there: an Envoy listener's, a List item's", () => {
    const envoy = fileWith(
      'envoy.yaml',
      `static_resources:
  listeners:
  - name: plain
    address:
      socket_address: { address: 0.0.0.0, port_value: 8080 }
  - name: broken
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    filter_chains:
    - filters: []
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          require_client_certificate: true
`,
    );
    const locate = fieldLineLocator();
    expect(locate(envoy.file, envoy.lineOf('- name: broken'), 'static_resources.listeners[1].filter_chains[0].transport_socket.typed_config.@type')).toBe(
      envoy.lineOf('typed_config:'),
    );
    const list = fileWith(
      'services.yaml',
      `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: ledger
- apiVersion: v1
  kind: Service
  metadata:
    namespace: payments
`,
    );
    const item = list.lineOf('kind: Service', 6) - 1;
    expect(locate(list.file, item, 'items[1].metadata.name')).toBe(list.lineOf('namespace: payments') - 1);
  });

  it("does not take another object's field from the document's root", () => {
    const list = fileWith('list-meta.yaml', 'apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: ""\nitems:\n- apiVersion: appmesh.k8s.aws/v1beta2\n  kind: VirtualNode\n  spec: {}\n');
    expect(fieldLineLocator()(list.file, list.lineOf('- apiVersion'), 'metadata.name')).toBeUndefined();
    const json = fileWith('list-meta.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [{ apiVersion: 'v1', kind: 'Service', spec: {} }] }, null, 2));
    expect(fieldLineLocator()(json.file, json.lineOf('"kind": "Service"') - 2, 'metadata.name')).toBeUndefined();
  });

  it('reads CRLF line ends', () => {
    const { file } = fileWith('crlf.yaml', 'apiVersion: security.istio.io/v1\r\nkind: PeerAuthentication\r\nmetadata:\r\n  name: default\r\nspec:\r\n  mtls:\r\n    mode: STRCT\r\n');
    expect(fieldLineLocator()(file, 1, 'spec.mtls.mode')).toBe(7);
  });
});

describe('a JSON field', () => {
  const node = (name: string, port: number) => ({
    virtualNode: {
      meshName: 'prod-mesh',
      virtualNodeName: name,
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }, { portMapping: { port, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: `${name}.payments.svc.cluster.local` } } },
      metadata: { version: 3, arn: `arn:aws:appmesh:eu-west-1:111122223333:mesh/prod-mesh/virtualNode/${name}` },
      status: { status: 'ACTIVE' },
    },
  });

  it('is found inside the describe-* wrapper of the element that starts on the line', () => {
    const text = JSON.stringify([node('ledger', 9090), node('risk-scoring', 70000)], null, 2);
    const { file } = fileWith('nodes.json', text);
    const lines = text.split('\n');
    const element = lines.findIndex((l, i) => i > 1 && l === '  {') + 1;
    const expected = lines.findIndex((l, i) => i >= element && l.includes('"port": 70000')) + 1;
    expect(fieldLineLocator()(file, element, 'spec.listeners[1].portMapping.port')).toBe(expected);
  });

  it('skips strings and keys that hold brackets, braces and escaped quotes', () => {
    const text = '{\n  "spec": {\n    "note": "a } ] { \\" [",\n    "we\\"ird": [1, {"x": "]"}],\n    "listeners": [\n      {"name": "a"},\n      {"name": "b", "tls": {"mode": "STRICTER"}}\n    ]\n  }\n}\n';
    const { file } = fileWith('odd.json', text);
    const locate = fieldLineLocator();
    expect(locate(file, 1, 'spec.listeners[1].tls.mode')).toBe(7);
    expect(locate(file, 1, 'spec["we\\"ird"][1].x')).toBe(4);
  });
});
