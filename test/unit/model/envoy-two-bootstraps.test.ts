/**
 * Two Envoy bootstraps are two proxies that commonly name their listeners and clusters alike.
 * Each proxy's finding is reported: finding ids hash names, not files, so the second file's
 * findings join their file to the id instead of being dropped as repeats of the first's.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

const NOW = new Date('2026-11-26T00:00:00Z');

/** The example fleet's edge proxy (a plaintext listener, a TLS one without client auth, a cluster to in-mesh checkout without a client certificate). */
const EDGE = readFileSync(join(__dirname, '../../../examples/edge-envoy/envoy.yaml'), 'utf8');
/** The in-mesh services the edge proxy's clusters call. */
const ISTIO = join(__dirname, '../../../examples/gcp-istio');

function bootstrap(nodeId: string): string {
  return `node:\n  id: ${nodeId}\n  cluster: edge\n${EDGE}`;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-envoy-'));
  mkdirSync(join(dir, 'edge-a'));
  mkdirSync(join(dir, 'edge-b'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function envoyFindings(paths: string[]) {
  const { findings } = auditInventory(await collectFiles(paths), { policy: shippedPolicy(), now: NOW });
  return findings.filter((f) => f.provider === 'envoy');
}

test('the same listener and cluster names in two bootstraps give a finding each, with distinct ids', async () => {
  writeFileSync(join(dir, 'edge-a/envoy.yaml'), bootstrap('edge-a-1'));
  writeFileSync(join(dir, 'edge-b/envoy.yaml'), bootstrap('edge-b-1'));
  const findings = await envoyFindings([dir, ISTIO]);
  const listener = findings.filter((f) => f.resource.kind === 'Listener' && f.resource.name === 'http_internal');
  expect(listener.map((f) => f.resource.file).sort()).toEqual([join(dir, 'edge-a/envoy.yaml'), join(dir, 'edge-b/envoy.yaml')]);
  expect(new Set(listener.map((f) => f.id)).size).toBe(2);
  for (const rule of ['mtls-client-not-enforced', 'mtls-conflict']) {
    const cluster = findings.filter((f) => f.resource.kind === 'Cluster' && f.rule === rule);
    expect(cluster.map((f) => f.resource.file).sort()).toEqual([join(dir, 'edge-a/envoy.yaml'), join(dir, 'edge-b/envoy.yaml')]);
  }
  expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
});

test('the first bootstrap keeps the ids it has alone, so a baseline of one proxy still holds', async () => {
  writeFileSync(join(dir, 'edge-a/envoy.yaml'), bootstrap('edge-a-1'));
  const alone = await envoyFindings([join(dir, 'edge-a'), ISTIO]);
  writeFileSync(join(dir, 'edge-b/envoy.yaml'), bootstrap('edge-b-1'));
  const both = await envoyFindings([dir, ISTIO]);
  const ofA = both.filter((f) => f.resource.file === join(dir, 'edge-a/envoy.yaml'));
  expect(ofA.map((f) => f.id).sort()).toEqual(alone.map((f) => f.id).sort());
  expect(alone.length).toBeGreaterThanOrEqual(3);
});

test('one file given twice under two spellings is one proxy, not two', async () => {
  writeFileSync(join(dir, 'edge-a/envoy.yaml'), bootstrap('edge-a-1'));
  const findings = await envoyFindings([join(dir, 'edge-a/envoy.yaml'), join(dir, 'edge-b/../edge-a/envoy.yaml'), ISTIO]);
  expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
  expect(findings.filter((f) => f.resource.kind === 'Listener' && f.resource.name === 'http_internal')).toHaveLength(1);
});
