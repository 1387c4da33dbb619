import { existsSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { fixtureDir, runCli } from './run-cli';

/** `meshgov audit` on inputs made to break it: the audit ends with a report, and what was passed over is said. */

const NOW = '2026-11-26T00:00:00Z';

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ghcr.io/example/web:1.4.2
        ports: [{containerPort: 8080}]
`;

describe('meshgov audit on hostile inputs', () => {
  it('says a PEM private key or CSR beside the certificates holds no certificate, rather than "a string"', async () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    const csr = '-----BEGIN CERTIFICATE REQUEST-----\nMIICijCCAXICAQAwRTELMAkGA1UEBhMCQVUx\n-----END CERTIFICATE REQUEST-----\n';
    const dir = fixtureDir({ 'shop.yaml': SHOP, 'certs/tls.key': key, 'certs/web.csr': csr });
    const r = await runCli(['audit', dir, '--format', 'json', '--fail-on', 'never', '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('tls.key:1: a PEM PRIVATE KEY with no certificate: meshgov checks certificates only');
    expect(r.stderr).toContain('web.csr:1: a PEM CERTIFICATE REQUEST with no certificate: meshgov checks certificates only');
  });

  it('quotes a skipped document\'s kind cut short when it is a long list', async () => {
    const kinds = Array.from({ length: 5000 }, (_, i) => `Kind${i}`).join(', ');
    const dir = fixtureDir({ 'shop.yaml': SHOP, 'odd.yaml': `apiVersion: example.com/v1\nkind: [${kinds}]\nmetadata: {name: odd}\n` });
    const r = await runCli(['audit', dir, '--format', 'json', '--fail-on', 'never', '--now', NOW]);
    expect(r.code).toBe(0);
    const line = r.stderr.split('\n').find((l) => l.includes('odd.yaml'))!;
    expect(line).toMatch(/odd\.yaml:1: apiVersion example\.com\/v1, kind \["Kind0","Kind1",.*…$/);
    expect(line.length).toBeLessThan(path.join(dir, 'odd.yaml').length + 260);
  });

  // A small tree of /proc: a link to /proc itself walked until memory ran out before the fix.
  (existsSync('/proc/sys/kernel/random') ? it : it.skip)('a directory that holds only a link into /proc: not walked, and the notice says why nothing was found', async () => {
    const dir = fixtureDir({});
    symlinkSync('/proc/sys/kernel/random', path.join(dir, 'p'));
    const r = await runCli(['audit', dir, '--format', 'json', '--fail-on', 'never', '--now', NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `meshgov: skipped 1 document(s) of a kind meshgov does not audit:\n  ${path.join(dir, 'p')}:1: a link to /proc/sys/kernel/random, which the kernel makes up (no configuration, and a walk of it may not end): not read\nmeshgov: no input files found in ${dir}\n`,
    );
  });

  it('audits the policy in a file that starts with a description and holds a broken document, and reports the broken one', async () => {
    const policies = `description: shop mesh policies\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: shop\nspec:\n  mtls:\n    mode: DISABLE\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: bad\n  namespace: shop\nspec:\n  mtls: {mode: STRICT\n`;
    const dir = fixtureDir({ 'shop.yaml': SHOP, 'policies.yaml': policies });
    const r = await runCli(['audit', dir, '--format', 'json', '--fail-on', 'never', '--now', NOW]);
    const findings = JSON.parse(r.stdout).findings as Array<{ rule: string; resource: { file: string; line: number }; detail: { mode?: string } }>;
    expect(findings.map((f) => [f.rule, path.basename(f.resource.file), f.resource.line, f.detail.mode])).toEqual([
      ['config-invalid', 'policies.yaml', 18, undefined],
      ['mtls-not-strict', 'policies.yaml', 10, 'DISABLED'],
    ]);
    expect(r.stderr).not.toContain('not a configuration file');
  });
});
