import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { locateJsonError } from '../../../functions/providers/files/json-error';
import { parseFileText } from '../../../functions/providers/files/parse-documents';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

/** Inputs people really hand over: hand-edited App Mesh exports, PowerShell redirects, YAML with anchors. */

const VIRTUAL_NODE = `{
  "virtualNode": {
    "meshName": "prod-mesh",
    "virtualNodeName": oops,
    "spec": {}
  }
}
`;

describe('JSON errors name the line of the offending character', () => {
  it('an unquoted word: V8 gives no position, the scan finds line 4', () => {
    const { problems } = parseFileText('mesh/payments-api.json', VIRTUAL_NODE);
    expect(problems).toEqual([{ file: 'mesh/payments-api.json', line: 4, message: "invalid JSON: unexpected 'o', expected a value at column 24", identity: "invalid JSON: unexpected 'o' at column 24", provider: 'appmesh' }]);
  });

  it('keeps V8 snippets, and their newlines, out of the message', () => {
    const [problem] = parseFileText('a.json', '{\n  "a": 1,\n  "b": }\n').problems;
    expect(problem).toMatchObject({ line: 3, message: "invalid JSON: unexpected '}', expected a value at column 8" });
    expect(problem!.message).not.toContain('\n');
  });

  it.each([
    ['a trailing comma', '{"listeners": [1, 2,]}', 20, "unexpected ']', expected a value"],
    ['an unterminated string', '{"name": "checkout', 18, 'unexpected end of input'],
    ['a bad escape', '{"name": "a\\qb"}', 12, "unexpected 'q'"],
    ['a raw tab in a string', '{"name": "a\tb"}', 11, 'unexpected control character U+0009'],
    ['text after the value', '{"a": 1} {"b": 2}', 9, "unexpected '{'"],
    ['a leading zero', '{"port": 08080}', 10, "unexpected '8', expected ',' or '}' after the value"],
    ['a missing comma between properties', '{"port": 8080 "name": "http"}', 14, "unexpected '\"', expected ',' or '}' after the value"],
    ['a trailing comma in an object', '{"port": 8080,}', 14, "unexpected '}', expected a key in double quotes"],
  ])('%s', (_, text, offset, message) => {
    expect(locateJsonError(text)).toEqual({ offset, message });
  });

  it('names Envoy as the provider of a broken bootstrap', () => {
    expect(parseFileText('envoy.json', '{"static_resources": {"listeners": [}}').problems[0]).toMatchObject({ line: 1, provider: 'envoy' });
  });
});

describe('YAML errors', () => {
  it('a line of a pasted PEM that is less indented ends its block scalar: reported there, not at the next key', () => {
    const base64 = ['MIIBszCCAVmgAwIBAgIUQ2x0cmVzdC1tZXNoLWdvdi1yZXZpZXcwCgYIKoZIzj0E', 'AwIwIjEgMB4GA1UEAwwXcGF5bWVudHMtYXBpLnBheW1lbnRzMB4XDTI2MDkwMTAw'];
    const text = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: payments-api-tls',
      '  namespace: payments',
      'type: kubernetes.io/tls',
      'stringData:',
      '  tls.crt: |',
      '    -----BEGIN CERTIFICATE-----',
      `    ${base64[0]}`,
      `  ${base64[1]}`,
      '    -----END CERTIFICATE-----',
      '  tls.key: ""',
      '',
    ].join('\n');
    const [problem] = parseFileText('secret.yaml', text).problems;
    expect(problem).toMatchObject({ file: 'secret.yaml', line: 11 });
    expect(problem!.message).toMatch(/^invalid YAML: this line is less indented than the lines of block scalar tls\.crt \(line 8\) before it/);
  });

  it('a block scalar that ends at the next key is no such line', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a.txt: |\n    one\n  b.txt: [\n';
    expect(parseFileText('cm.yaml', text).problems[0]!.message).not.toContain('less indented');
  });

  it('an unterminated flow sequence at the end of the file is reported on its last line, not past it', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports: [\n';
    expect(parseFileText('svc.yaml', text).problems).toEqual([expect.objectContaining({ file: 'svc.yaml', line: 6 })]);
  });

  it('merge keys are expanded, as kubectl expands them', () => {
    const text = `x-base: &base
  apiVersion: security.istio.io/v1
  kind: PeerAuthentication
<<: *base
metadata:
  name: default
  namespace: orders
spec:
  mtls:
    mode: DISABLE
---
apiVersion: v1
kind: List
items:
- &strict
  apiVersion: security.istio.io/v1
  kind: PeerAuthentication
  metadata: {name: default, namespace: istio-system}
  spec: {mtls: {mode: STRICT}}
- <<: *strict
  metadata: {name: default, namespace: payments}
`;
    const { documents, problems } = parseFileText('policies.yaml', text);
    expect(problems).toEqual([]);
    expect(documents[0]!.body).toMatchObject({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', spec: { mtls: { mode: 'DISABLE' } } });
    expect(documents[0]!.body).not.toHaveProperty(['<<']);
    expect((documents[1]!.body as { items: unknown[] }).items[1]).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'payments' },
      spec: { mtls: { mode: 'STRICT' } },
    });
  });
});

describe('UTF-16 files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshgov-utf16-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const policy = `apiVersion: security.istio.io/v1\r\nkind: PeerAuthentication\r\nmetadata:\r\n  name: default\r\n  namespace: orders\r\nspec:\r\n  mtls:\r\n    mode: DISABLE\r\n`;

  it('with a little-endian byte order mark (PowerShell 5 `>`) are read, not skipped as binary', async () => {
    writeFileSync(join(dir, 'pa.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(policy, 'utf16le')]));
    const inventory = await collectFiles([dir]);
    expect(inventory.problems).toEqual([]);
    expect(inventory.kubernetes.map((k) => [k.doc.kind, k.doc.spec?.mtls?.mode, k.source.line])).toEqual([['PeerAuthentication', 'DISABLE', 1]]);
  });

  it('with a big-endian byte order mark are read too', async () => {
    const le = Buffer.from(policy, 'utf16le');
    writeFileSync(join(dir, 'pa.yaml'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]));
    const inventory = await collectFiles([dir]);
    expect(inventory.kubernetes.map((k) => k.doc.metadata?.namespace)).toEqual(['orders']);
  });
});

describe('the line of a problem in a file that cannot be read twice', () => {
  const bad = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
spec:
  selector:
    matchLabels:
      app: orders-api
  mtls:
    mode: STRICTT
`;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshgov-reread-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fieldLineOf = async (path: string) => {
    const report = auditInventory(await collectFiles([path]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') });
    return report.findings.filter((f) => f.rule === 'config-invalid').map((f) => f.resource.line);
  };

  it('a UTF-16 file: the field line comes from the decoded text', async () => {
    const file = join(dir, 'pa.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bad, 'utf16le')]));
    expect(await fieldLineOf(file)).toEqual([11]);
  });

  it('a FIFO: read once, and the field line found without opening it again (which would wait for a writer forever)', async () => {
    const fifo = join(dir, 'policies');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf '%s' "$0" > "${fifo}"`, bad]);
    // Should the FIFO be opened a second time, this empty write ends the wait, so the test fails instead of hanging.
    const rescuer = spawn('sh', ['-c', `sleep 5; : > "${fifo}"`]);
    try {
      expect(await fieldLineOf(fifo)).toEqual([11]);
    } finally {
      writer.kill();
      rescuer.kill();
    }
  });
});
