import * as jsYaml from 'js-yaml';
import { emptyInventory } from '../../../functions/core/model/inventory';
import { classifyDocument } from '../../../functions/providers/files/classify';
import { parseFileText, splitYamlDocuments } from '../../../functions/providers/files/parse-documents';
import { jsonArrayElementLines, jsonArrayLinesAt } from '../../../functions/providers/files/json-path';
import { sequenceEntryLines } from '../../../functions/providers/files/yaml-path';

// The real js-yaml, with its one-document `load` observable: the careful path uses it, the fast path does not.
jest.mock('js-yaml', () => {
  const actual = jest.requireActual('js-yaml');
  return { ...actual, load: jest.fn(actual.load) };
});

const PA = (ns: string, mode: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: ${ns}
spec:
  mtls:
    mode: ${mode}
`;

function inventoryOf(file: string, text: string) {
  const inv = emptyInventory();
  const parsed = parseFileText(file, text);
  inv.problems.push(...parsed.problems);
  for (const d of parsed.documents) classifyDocument(d, inv);
  return inv;
}

describe('multi-document YAML', () => {
  it('gives every document its own start line, skipping comments and empty documents', () => {
    const text = `# checkout policies\n---\n${PA('checkout', 'STRICT')}---\n---\n# the orders namespace\n${PA('orders', 'PERMISSIVE')}`;
    const inv = inventoryOf('policies.yaml', text);
    expect(inv.kubernetes.map((k) => [k.doc.metadata.namespace, k.source.line])).toEqual([
      ['checkout', 3],
      ['orders', 14],
    ]);
  });

  it('reports a broken document with its absolute line and still reads the others', () => {
    const text = `${PA('a', 'STRICT')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n   labels: {}\n---\n${PA('c', 'DISABLE')}`;
    const inv = inventoryOf('mixed.yaml', text);
    expect(inv.kubernetes.map((k) => k.doc.metadata.namespace)).toEqual(['a', 'c']);
    expect(inv.problems).toHaveLength(1);
    expect(inv.problems[0]).toMatchObject({ file: 'mixed.yaml', line: 14 });
    expect(inv.problems[0].message).toMatch(/invalid YAML/);
  });

  it('reads a file larger than one parse batch exactly as document-by-document, lines and errors included', () => {
    // Over 16 KB, the file is parsed in pieces cut at document boundaries: every separator form
    // (plain, with a comment, an empty document, an end marker) and a broken document must land
    // on the same documents and lines as they would in one piece.
    const parts: string[] = [];
    const expected: Array<[string, number]> = [];
    let line = 1;
    const push = (text: string) => {
      parts.push(text);
      line += text.split('\n').length - 1;
    };
    for (let i = 0; i < 900; i++) {
      if (i > 0) push(i % 50 === 0 ? '--- # next service\n' : i % 77 === 0 ? '...\n---\n' : '---\n');
      if (i % 111 === 0) push('# nothing in this one\n---\n');
      if (i === 450) {
        push('apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\n   namespace: orders\n');
        continue;
      }
      expected.push([`svc-${i}`, line]);
      push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: orders\n  labels:\n    app: svc-${i}\nspec:\n  selector:\n    app: svc-${i}\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n`);
    }
    const text = parts.join('');
    expect(text.length).toBeGreaterThan(2 * 64 * 1024);
    const brokenLine = text.split('\n').findIndex((l) => l === '  name: broken') + 2;

    // Only the piece holding the broken document is parsed document by document.
    const oneByOne = jsYaml.load as jest.MockedFunction<typeof jsYaml.load>;
    oneByOne.mockClear();
    const inv = inventoryOf('services.yaml', text);
    expect(oneByOne.mock.calls.length).toBeGreaterThan(0);
    expect(oneByOne.mock.calls.length).toBeLessThan(450);
    expect(inv.kubernetes.map((k) => [k.doc.metadata.name, k.source.line])).toEqual(expected);
    expect(inv.kubernetes[1].doc.spec.ports[0]).toEqual({ name: 'http', port: 80, targetPort: 8080 });
    expect(inv.problems).toEqual([expect.objectContaining({ file: 'services.yaml', line: brokenLine, message: expect.stringMatching(/invalid YAML/) })]);
  });

  it('does not split on --- inside a block scalar or a longer dash run', () => {
    const chunks = splitYamlDocuments('a: |\n  ---\n  b\n----\nc: 1\n--- # comment\nd: 2\n');
    expect(chunks.map((c) => c.line)).toEqual([1, 6]);
  });

  it('flattens kind: List and gives each item its own line', () => {
    const text = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: orders\n# the API\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: orders-api\n    namespace: orders\nmetadata:\n  resourceVersion: ""\n`;
    const inv = inventoryOf('list.yaml', text);
    expect(inv.kubernetes.map((k) => [k.doc.kind, k.source.line])).toEqual([
      ['Namespace', 4],
      ['Deployment', 9],
    ]);
  });

  it('gives each item of a JSON List its own line too (kubectl get -o json)', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'orders', labels: { 'istio-injection': 'enabled' } } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders-api', namespace: 'orders' }, spec: { selector: { matchLabels: { app: 'orders-api' } } } },
      ],
    };
    const text = JSON.stringify(list, null, 4);
    const itemLine = (kind: string) => text.split('\n').findIndex((l) => l.includes(`"kind": "${kind}"`)) - 1;
    const inv = inventoryOf('list.json', text);
    expect(inv.kubernetes.map((k) => [k.doc.kind, k.source.line])).toEqual([
      ['Namespace', itemLine('Namespace')],
      ['Deployment', itemLine('Deployment')],
    ]);
  });

  it('finds List items indented under items:', () => {
    const text = `---\napiVersion: v1\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: b}\nkind: List\n`;
    expect(inventoryOf('l.yaml', text).kubernetes.map((k) => k.source.line)).toEqual([4, 7]);
  });

  it('reports a metadata.name that is not a string as such, not as missing', () => {
    const inv = inventoryOf('n.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: 8080\n  namespace: orders\n');
    expect(inv.problems).toEqual([expect.objectContaining({ field: 'metadata.name', message: 'v1 Service has a metadata.name that is not a string (a number 8080): quote it', namespace: 'orders' })]);
    expect(inv.kubernetes).toEqual([]);
  });

  it('reports label and annotation maps the API server would refuse, at most three values per map, and keeps the object', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: StatefulSet',
      'metadata:',
      '  name: ledger-db',
      '  namespace: ledger',
      '  annotations: [sidecar.istio.io/inject]',
      'spec:',
      '  template:',
      '    metadata:',
      '      labels: {app: ledger-db, tier: 1, replicas: 3, enabled: true, weight: 0.5}',
      '',
    ].join('\n');
    const inv = inventoryOf('sts.yaml', text);
    expect(inv.problems.map((p) => [p.field, p.provider, p.name])).toEqual([
      ['metadata.annotations', 'istio', 'ledger-db'],
      ['spec.template.metadata.labels.tier', 'istio', 'ledger-db'],
      ['spec.template.metadata.labels.replicas', 'istio', 'ledger-db'],
      ['spec.template.metadata.labels.enabled', 'istio', 'ledger-db'],
    ]);
    expect(inv.problems[0].message).toBe('apps/v1 StatefulSet ledger-db: annotations must be a map of keys to string values, not a list');
    expect(inv.problems[3].message).toContain('label "enabled" must have a string value, not the boolean true: quote it');
    expect(inv.kubernetes.map((k) => k.doc.metadata.name)).toEqual(['ledger-db']);
  });

  it('names the field when a Kubernetes object has no metadata.name', () => {
    const inv = inventoryOf('noname.yaml', 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  namespace: x\n');
    expect(inv.problems[0]).toMatchObject({ file: 'noname.yaml', line: 1, field: 'metadata.name', kind: 'PeerAuthentication' });
  });
});

describe('JSON', () => {
  const node = (name: string) => ({
    virtualNode: { meshName: 'prod-mesh', virtualNodeName: name, spec: { listeners: [] }, metadata: { version: 1 }, status: { status: 'ACTIVE' } },
  });

  it('detects App Mesh describe output and gives each array element its line', () => {
    const text = JSON.stringify([node('payments-api'), node('ledger')], null, 2);
    const inv = inventoryOf('nodes.json', text);
    expect(inv.appmeshApi.map((a) => [a.doc.type, a.doc.data.virtualNodeName])).toEqual([
      ['virtualNode', 'payments-api'],
      ['virtualNode', 'ledger'],
    ]);
    const lines = inv.appmeshApi.map((a) => a.source.line);
    expect(text.split('\n')[lines[1] - 1].trim()).toBe('{');
    expect(lines[1]).toBeGreaterThan(lines[0]);
  });

  it('recognises bare *Data objects, most specific type first', () => {
    const inv = inventoryOf('route.json', JSON.stringify({ meshName: 'prod-mesh', virtualRouterName: 'r', routeName: 'default', spec: {} }));
    expect(inv.appmeshApi[0].doc.type).toBe('route');
  });

  it('takes only App Mesh types as describe-* wrapper keys, not names every object inherits', () => {
    const inv = inventoryOf('odd.json', JSON.stringify({ constructor: { meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: {} } }));
    expect(inv.appmeshApi).toEqual([]);
    expect(inv.unknown).toHaveLength(1);
  });

  it('points a JSON syntax error at its line', () => {
    const inv = inventoryOf('bad.json', '{\n  "virtualNode": {\n    "meshName": "prod-mesh",\n  }\n}\n');
    expect(inv.problems[0]).toMatchObject({ file: 'bad.json', line: 4 });
  });

  it('scans element lines past strings holding brackets and escapes', () => {
    expect(jsonArrayElementLines('[\n {"a": "[\\"x"},\n\n {"b": [1,\n 2]},\n 3\n]')).toEqual([2, 4, 6]);
  });

  describe('element lines of indented output, read by its layout', () => {
    const node = (name: string) => ({
      virtualNode: {
        meshName: 'prod-mesh',
        virtualNodeName: name,
        metadata: { arn: `arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/${name}`, version: 3 },
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } }] },
      },
    });
    const nodes = [node('payments-api'), node('payments-worker'), node('payments-ledger')];

    it.each([
      ['aws --output json (4 spaces)', JSON.stringify(nodes, null, 4)],
      ['jq (2 spaces)', JSON.stringify(nodes, null, 2)],
      ['CRLF line ends', JSON.stringify(nodes, null, 2).replace(/\n/g, '\r\n')],
    ])('%s: the same lines as the scanner, one per element', (_layout, text) => {
      const lines = jsonArrayElementLines(text, nodes.length);
      expect(lines).toEqual(jsonArrayElementLines(text));
      expect(lines).toHaveLength(3);
      expect(text.split('\n')[lines[1] - 1].trim()).toBe('{');
    });

    it('falls back to the scanner when the layout does not account for every element', () => {
      // Two elements share a line: the layout shows two starts of three.
      const text = `[\n  ${JSON.stringify(nodes[0])}, ${JSON.stringify(nodes[1])},\n  ${JSON.stringify(nodes[2])}\n]`;
      expect(jsonArrayElementLines(text, 3)).toEqual([2, 2, 3]);
      // A nested object at the elements' indentation: the layout shows four starts of three.
      const skewed = '[\n  {"a": 1},\n  {"b":\n  {"c": 2}},\n  {"d": 3}\n]';
      expect(jsonArrayElementLines(skewed, 3)).toEqual([2, 3, 5]);
      expect(jsonArrayElementLines(JSON.stringify(nodes), 3)).toEqual([1, 1, 1]);
      expect(jsonArrayElementLines('[\n]', 0)).toEqual([]);
    });
  });
});

describe('Envoy and PEM', () => {
  it('detects Envoy static configuration by static_resources', () => {
    const inv = inventoryOf('envoy.yaml', 'static_resources:\n  listeners: []\n  clusters: []\n');
    expect(inv.envoy).toHaveLength(1);
  });

  const BOOTSTRAP = `# Edge proxy (envoy -c edge.yaml)
admin:
  address:
    socket_address: { address: 127.0.0.1, port_value: 9901 }
static_resources:
  listeners:
    # Public HTTPS.
    - name: ingress_https
      address:
        socket_address: { address: 0.0.0.0, port_value: 8443 }
      filter_chains:
        - filters:
            - name: envoy.filters.network.tcp_proxy
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                stat_prefix: ingress
                cluster: checkout_web

    - name: admin_http
      address:
        socket_address: { address: 127.0.0.1, port_value: 8001 }
      filter_chains: []
  clusters:
  - name: checkout_web
    type: STRICT_DNS
    load_assignment:
      cluster_name: checkout_web
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: checkout-web.checkout.svc.cluster.local, port_value: 80 }
`;

  it('gives each listener and cluster of an Envoy bootstrap its own line', () => {
    const [envoy] = inventoryOf('edge.yaml', BOOTSTRAP).envoy;
    const lineOf = (text: string) => BOOTSTRAP.split('\n').findIndex((l) => l.includes(text)) + 1;
    expect(envoy.source.line).toBe(2);
    expect(envoy.entryLines).toEqual({ listeners: [lineOf('- name: ingress_https'), lineOf('- name: admin_http')], clusters: [lineOf('- name: checkout_web')] });
  });

  it('gives a YAML document after others its lines in the file, not in the document', () => {
    const text = `${PA('payments', 'STRICT')}---\n${BOOTSTRAP}`;
    const [envoy] = inventoryOf('mixed.yaml', text).envoy;
    expect(envoy.entryLines?.clusters).toEqual([text.split('\n').findIndex((l) => l.includes('- name: checkout_web')) + 1]);
  });

  it('gives each listener and cluster of a proto-JSON bootstrap its own line', () => {
    const bootstrap = {
      node: { id: 'payments-api-7c9f8b6d4-x2kqp', cluster: 'payments-api' },
      staticResources: {
        listeners: [
          { name: 'payments_inbound', address: { socketAddress: { address: '0.0.0.0', portValue: 8443 } }, filterChains: [] },
          { name: 'payments_admin', address: { socketAddress: { address: '127.0.0.1', portValue: 15000 } }, filterChains: [] },
        ],
        clusters: [{ name: 'local_app', connectTimeout: '0.25s', type: 'STATIC' }],
      },
    };
    const text = JSON.stringify(bootstrap, null, 2);
    // An element starts at its `{`, the line above its name: the 0-based index of the name's line.
    const lineOf = (name: string) => text.split('\n').findIndex((l) => l.includes(`"${name}"`));
    expect(inventoryOf('payments-api-envoy.json', text).envoy[0].entryLines).toEqual({
      listeners: [lineOf('payments_inbound'), lineOf('payments_admin')],
      clusters: [lineOf('local_app')],
    });
  });

  it('leaves out the lines of a list written in flow style, so its entries keep the bootstrap line', () => {
    const flow = 'static_resources:\n  listeners: [{ name: a, address: { socket_address: { address: 0.0.0.0, port_value: 80 } } }]\n  clusters:\n  - name: b\n';
    expect(inventoryOf('flow.yaml', flow).envoy[0].entryLines).toEqual({ clusters: [4] });
    expect(inventoryOf('empty.yaml', 'static_resources:\n  listeners: []\n').envoy[0].entryLines).toBeUndefined();
  });

  it.each(['TRUSTED CERTIFICATE', 'X509 CERTIFICATE'])('treats a file of %s blocks (openssl x509 -trustout, the old label) as PEM', (label) => {
    const text = `# ca-bundle.trust.crt\n-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
    expect(parseFileText('certs/ca-bundle.trust.crt', text).documents).toEqual([{ file: 'certs/ca-bundle.trust.crt', line: 2, format: 'pem', body: text }]);
  });

  it('treats a certificate file as PEM but a Secret holding PEM as Kubernetes', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(inventoryOf('ca.crt', `subject=CN = root\n${pem}`).pem).toHaveLength(1);
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: cacerts\n  namespace: istio-system\nstringData:\n  root-cert.pem: |\n    ${pem.trim().split('\n').join('\n    ')}\n`;
    const inv = inventoryOf('cacerts.yaml', secret);
    expect(inv.pem).toHaveLength(0);
    expect(inv.kubernetes[0].doc.kind).toBe('Secret');
  });

  it.each(['static_resources', 'staticResources'])('treats an Envoy bootstrap (%s) with an inline certificate as Envoy, not PEM', (key) => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const bootstrap = `${key}:\n  secrets:\n  - name: server_cert\n    tls_certificate:\n      certificate_chain:\n        inline_string: |\n          ${pem.trim().split('\n').join('\n          ')}\n`;
    const inv = inventoryOf('envoy.yaml', bootstrap);
    expect(inv.pem).toHaveLength(0);
    expect(inv.envoy).toHaveLength(1);
  });

  it('puts documents of no known kind aside', () => {
    const inv = inventoryOf('values.yaml', 'replicaCount: 3\nimage: nginx\n');
    expect(inv.unknown).toHaveLength(1);
  });
});

describe('jsonArrayLinesAt', () => {
  it('follows object keys to the array, past strings and keys that hold brackets, commas and escapes', () => {
    const text = [
      '{"a": {"x[": "]{,", "b\\"q": [1, 2], "b": [',
      '  {"k": "v,]"},',
      '  [3, 4],',
      '  "s"',
      ']}, "b": [9]}',
    ].join('\n');
    expect(jsonArrayLinesAt(text, ['a', 'b'])).toEqual([2, 3, 4]);
    expect(jsonArrayLinesAt(text, ['b'])).toEqual([5]);
    expect(jsonArrayLinesAt(text, ['a', 'x['])).toEqual([]);
    expect(jsonArrayLinesAt(text, ['a', 'b"q'])).toEqual([1, 1]);
  });

  it('reads minified JSON, an empty array and a top-level array', () => {
    expect(jsonArrayLinesAt('{"l":[{"n":1},{"n":2}]}', ['l'])).toEqual([1, 1]);
    expect(jsonArrayLinesAt('{"l": [ ]}', ['l'])).toEqual([]);
    expect(jsonArrayLinesAt('[\n {"n": 1},\n {"n": 2}\n]', [])).toEqual([2, 3]);
  });
});

describe('sequenceEntryLines', () => {
  it('follows a path of block keys to the entries of its sequence, indented or not', () => {
    const text = 'a:\n  b:\n    - x\n    - y\n  c:\n  - z\n';
    expect(sequenceEntryLines(text, 10, ['a', 'b'])).toEqual([12, 13]);
    expect(sequenceEntryLines(text, 10, ['a', 'c'])).toEqual([15]);
  });

  it('finds a key only among the children of its parent, not deeper or in a sibling block', () => {
    const text = 'admin:\n  listeners:\n  - wrong\nstatic_resources:\n  other:\n    listeners:\n    - deeper\n  listeners:\n  - right\n';
    expect(sequenceEntryLines(text, 1, ['static_resources', 'listeners'])).toEqual([9]);
  });

  it('is not fooled by a block scalar or a comment that looks like the key', () => {
    const text = 'static_resources:\n  note: |\n    listeners:\n    - not a listener\n  # listeners:\n  listeners:\n  - name: a\n';
    expect(sequenceEntryLines(text, 1, ['static_resources', 'listeners'])).toEqual([7]);
  });

  it('gives nothing for a layout it cannot follow', () => {
    expect(sequenceEntryLines('static_resources:\n  listeners: [a, b]\n', 1, ['static_resources', 'listeners'])).toEqual([]);
    expect(sequenceEntryLines('static_resources:\n  listeners:\n    name: not a sequence\n', 1, ['static_resources', 'listeners'])).toEqual([]);
    expect(sequenceEntryLines('clusters:\n- a\n', 1, ['static_resources', 'clusters'])).toEqual([]);
  });

  it('reads quoted keys', () => {
    expect(sequenceEntryLines(`static_resources:\n  "listeners":\n  - a\n  'clusters':\n    - b\n`, 1, ['static_resources', 'clusters'])).toEqual([5]);
  });

  it('reads CRLF line ends', () => {
    expect(sequenceEntryLines('static_resources:\r\n  clusters:\r\n  - name: a\r\n  - name: b\r\n', 1, ['static_resources', 'clusters'])).toEqual([3, 4]);
  });
});
