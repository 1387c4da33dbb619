/**
 * Exclusion globs with character classes, through the real command over the example fleet: a
 * class excludes what it names and nothing else, and a class that cannot be read is a rules
 * problem on its line, never an audit that fails halfway.
 */
import * as path from 'node:path';
import { fixtureDir, runCli } from './run-cli';

const EXAMPLES = path.join(__dirname, '../../examples');
const NOW = '2026-11-26T00:00:00Z';

async function notStrictOf(rules: string): Promise<string[]> {
  const r = await runCli(['audit', EXAMPLES, '--rules', fixtureDir({ 'exclude.yaml': rules }), '--format', 'json', '--fail-on', 'never', '--now', NOW]);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout) as { findings: { rule: string; resource: { namespace?: string; mesh?: string; name: string } }[] };
  return report.findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => `${f.resource.namespace ?? f.resource.mesh ?? '-'}/${f.resource.name}`).sort();
}

test('a namespace class excludes the namespaces it names and keeps the others', async () => {
  const all = await notStrictOf('rules:\n  mtls-not-strict:\n    enabled: true\n');
  const excluded = await notStrictOf('rules:\n  mtls-not-strict:\n    exclude:\n      - namespace: "[co]*"\n        reason: checkout and orders migrate in Q1\n');
  expect(all.filter((k) => /^(checkout|orders)\//.test(k)).length).toBeGreaterThan(0);
  expect(excluded).toEqual(all.filter((k) => !/^(checkout|orders)\//.test(k)));
});

test('a negated name class keeps only the names it leaves out', async () => {
  const all = await notStrictOf('rules:\n  mtls-not-strict:\n    enabled: true\n');
  const excluded = await notStrictOf('rules:\n  mtls-not-strict:\n    exclude:\n      - name: "[!o]*"\n');
  expect(excluded).toEqual(all.filter((k) => k.split('/')[1]!.startsWith('o')));
  expect(excluded.length).toBeGreaterThan(0);
});

test('a class RegExp cannot read is an error naming the file, line and field', async () => {
  const dir = fixtureDir({ 'exclude.yaml': 'rules:\n  mtls-not-strict:\n    exclude:\n      - mesh: "prod-[9-0]"\n' });
  const r = await runCli(['audit', EXAMPLES, '--rules', dir, '--now', NOW]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${path.join(dir, 'exclude.yaml')}:4`);
  expect(r.stderr).toContain('rules.mtls-not-strict.exclude[0].mesh');
  expect(r.stderr).toContain('[9-0] that cannot be read');
});

// checkout-web's metrics port 9090 is plaintext on purpose (examples/gcp-istio/checkout/security.yaml): accept that port alone.
test('an exclusion with a port accepts that port of the resource and keeps its other ports', async () => {
  const ports = async (rules: string) => {
    const r = await runCli(['audit', EXAMPLES, '--rules', fixtureDir({ 'exclude.yaml': rules }), '--format', 'json', '--fail-on', 'never', '--now', NOW]);
    const report = JSON.parse(r.stdout) as { findings: { rule: string; resource: { name: string; port?: number } }[] };
    return report.findings.filter((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'checkout-web').map((f) => f.resource.port);
  };
  expect(await ports('rules:\n  mtls-not-strict:\n    enabled: true\n')).toEqual([9090]);
  expect(await ports('rules:\n  mtls-not-strict:\n    exclude:\n      - namespace: checkout\n        name: checkout-web\n        port: 9090\n        reason: Prometheus scrapes it in plaintext\n')).toEqual([]);
  expect(await ports('rules:\n  mtls-not-strict:\n    exclude:\n      - namespace: checkout\n        name: checkout-web\n        port: 8080\n')).toEqual([9090]);
});

test('an exclusion port out of range is an error on its line', async () => {
  const dir = fixtureDir({ 'exclude.yaml': 'rules:\n  mtls-not-strict:\n    exclude:\n      - name: checkout-web\n        port: 70000\n' });
  const r = await runCli(['rules', 'validate', dir]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`${path.join(dir, 'exclude.yaml')}:5`);
  expect(r.stderr).toContain('rules.mtls-not-strict.exclude[0].port');
});
