import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { parseFileText } from '../../../functions/providers/files/parse-documents';
import { walkPaths } from '../../../functions/providers/files/walk';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

/** Inputs a reviewer fed meshgov on purpose: deep JSON, flow-style YAML, files whose first document is not an object, links into /proc. */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const audit = async (paths: string[]) => {
  const inventory = await collectFiles(paths);
  return { inventory, report: auditInventory(inventory, { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') }) };
};

/** A PeerAuthentication as kubectl writes JSON, its mode a list `levels` deep. */
function deepPolicyJson(levels: number): string {
  return `{\n  "apiVersion": "security.istio.io/v1",\n  "kind": "PeerAuthentication",\n  "metadata": {"name": "default", "namespace": "shop"},\n  "spec": {"mtls": {"mode": ${'['.repeat(levels)}"STRICT"${']'.repeat(levels)}}}\n}\n`;
}

describe('JSON nested deeper than 100 levels', () => {
  it('is a config-invalid problem at the line and column where it passes 100 levels, as YAML is', () => {
    // Line 5 is `  "spec": {"mtls": {"mode": [[[…`: the document, spec and mtls are levels 1 to 3, the bracket at column 29 level 4, the one at 126 level 101.
    expect(parseFileText('pa.json', deepPolicyJson(10_000))).toEqual({
      documents: [],
      problems: [{ file: 'pa.json', line: 5, message: 'invalid JSON: nesting exceeded maxDepth (100) at column 126', identity: 'invalid JSON: nesting exceeded maxDepth (100) at column 126' }],
    });
  });

  it('reads JSON exactly 100 levels deep', () => {
    // The document, spec and mtls are 3 levels: 97 more make 100.
    const { documents, problems } = parseFileText('pa.json', deepPolicyJson(97));
    expect(problems).toEqual([]);
    expect(documents).toHaveLength(1);
  });

  it('refuses one value of a JSON stream and reads the values after it', () => {
    const good = '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}';
    const text = `${deepPolicyJson(150).replace(/\n/g, ' ')}\n${good}\n`;
    const { documents, problems } = parseFileText('stream.json', text);
    expect(problems.map((p) => [p.line, p.message.replace(/ at column \d+$/, '')])).toEqual([[1, 'invalid JSON: nesting exceeded maxDepth (100)']]);
    expect(documents.map((d) => [d.line, (d.body as { kind: string }).kind])).toEqual([[2, 'Namespace']]);
  });

  it('10,000 levels deep: the audit reports it and goes on (it crashed with a stack overflow)', async () => {
    writeFileSync(join(dir, 'pa.json'), deepPolicyJson(10_000));
    const { report } = await audit([dir]);
    expect(report.findings.map((f) => [f.rule, f.resource.line])).toEqual([['config-invalid', 5]]);
  });
});

describe('flow-style YAML that starts with {', () => {
  const FLOW = '{apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: {name: default, namespace: shop}, spec: {mtls: {mode: DISABLE}}}\n';

  it('is read as YAML when JSON refuses it and YAML takes it', () => {
    const { documents, problems } = parseFileText('pa.yaml', FLOW);
    expect(problems).toEqual([]);
    expect(documents).toEqual([{ file: 'pa.yaml', line: 1, format: 'yaml', body: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: 'DISABLE' } } } }]);
  });

  it('a list of flow mappings, and a Python dict with single quotes, too', () => {
    expect(parseFileText('pas.yaml', `[${FLOW.trim()}, ${FLOW.trim().replace('default', 'web')}]\n`).documents).toHaveLength(1);
    expect(parseFileText('ns.txt', "{'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'shop'}}").problems).toEqual([]);
  });

  it('keeps the JSON error when YAML refuses the text too', () => {
    const { documents, problems } = parseFileText('pa.yaml', '{apiVersion: security.istio.io/v1, kind: PeerAuthentication, spec: {mtls: {mode: DISABLE}}\n');
    expect(documents).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ line: 1, message: "invalid JSON: unexpected 'a', expected a key in double quotes at column 2" })]);
  });

  it('keeps the JSON error of JSON (its first key in double quotes) that YAML would take', () => {
    const { problems } = parseFileText('vn.json', '{"virtualNode": {"meshName": "prod-mesh", "virtualNodeName": oops, "spec": {},}}\n');
    expect(problems).toEqual([expect.objectContaining({ message: "invalid JSON: unexpected 'o', expected a value at column 62" })]);
  });
});

describe('a file whose first document is not one meshgov reads, with a document that does not parse', () => {
  const POLICIES = `description: shop mesh policies
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: DISABLE
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: payments
  namespace: shop
spec:
  mtls: {mode: STRICT
`;

  it('is read for its good documents, and the broken one is reported (the whole file was skipped)', async () => {
    writeFileSync(join(dir, 'policies.yaml'), POLICIES);
    const { inventory } = await audit([dir]);
    expect(inventory.kubernetes.map((k) => [k.doc.metadata?.name, k.doc.spec?.mtls?.mode, k.source.line])).toEqual([['default', 'DISABLE', 3]]);
    expect(inventory.problems.map((p) => [p.line, p.message])).toEqual([[18, 'invalid YAML: deficient indentation']]);
    expect(inventory.unknown.map((u) => [u.source.line, u.doc])).toEqual([[1, { description: 'shop mesh policies' }]]);
  });

  it('with an anchors-only first document for `<<: *base`: the documents that do not use it are read', async () => {
    writeFileSync(
      join(dir, 'pa.yaml'),
      `base: &base\n  mtls:\n    mode: PERMISSIVE\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: shop\nspec:\n  <<: *base\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  mtls:\n    mode: STRICT\n`,
    );
    const { inventory } = await audit([dir]);
    expect(inventory.kubernetes.map((k) => k.doc.metadata?.name)).toEqual(['web']);
    // Anchors belong to their document: the alias in the second is one to nothing, as kubectl says too.
    expect(inventory.problems.map((p) => [p.line, p.message])).toEqual([[11, 'invalid YAML: unidentified alias "base"']]);
  });

  it('a README whose fenced example breaks is still passed over', async () => {
    writeFileSync(join(dir, 'NOTES.md'), '# Policies\n\nApply with:\n\n---\ndescription: [not closed\n');
    const { inventory } = await audit([join(dir)]);
    expect(inventory.problems).toEqual([]);
    expect(inventory.unknown.map((u) => u.doc)).toEqual([null]);
  });
});

/** Small trees of each: a link to /proc itself (the reviewer's `ln -s /proc`) walked until memory ran out, which would be this test's failure before the fix. */
const KERNEL_TREES = ['/proc/sys/kernel/random', '/sys/kernel/mm', '/dev/pts'];
const onLinux = KERNEL_TREES.every((p) => existsSync(p));

(onLinux ? describe : describe.skip)('links into the file systems the kernel makes up', () => {
  it('a link into /proc, /sys or /dev is not entered, and is noted; the rest is read', () => {
    writeFileSync(join(dir, 'pa.yaml'), 'x');
    KERNEL_TREES.forEach((target, i) => symlinkSync(target, join(dir, `k${i}`)));
    const walked = walkPaths([dir]);
    expect(walked.files).toEqual([join(dir, 'pa.yaml')]);
    expect(walked.virtual.map((v) => [v.path, v.note.replace(/,.*/, '')])).toEqual(KERNEL_TREES.map((target, i) => [join(dir, `k${i}`), `a link to ${target}`]));
  });

  it('nor is a file linked from there (/proc/kmsg blocks when read)', () => {
    symlinkSync('/proc/sys/kernel/random/boot_id', join(dir, 'boot-id.yaml'));
    expect(walkPaths([dir])).toMatchObject({ files: [], virtual: [{ path: join(dir, 'boot-id.yaml') }] });
  });

  it('a directory in /dev/shm, a tmpfs of ordinary files, is read', () => {
    const shm = mkdtempSync('/dev/shm/meshgov-');
    try {
      writeFileSync(join(shm, 'ns.yaml'), 'x');
      symlinkSync(shm, join(dir, 'scratch'));
      expect(walkPaths([dir])).toMatchObject({ files: [join(dir, 'scratch', 'ns.yaml')], virtual: [] });
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  });

  it('the collector says so in the notice of what it skipped', async () => {
    writeFileSync(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
    symlinkSync('/proc/sys/kernel/random', join(dir, 'random'));
    const inventory = await collectFiles([dir]);
    expect(inventory.kubernetes).toHaveLength(1);
    expect(inventory.unknown).toEqual([{ doc: null, source: { file: join(dir, 'random'), line: 1 }, note: expect.stringMatching(/^a link to \/proc\/sys\/kernel\/random, which the kernel makes up .*: not read$/) }]);
  });
});
