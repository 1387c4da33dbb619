import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { sarifProblems } from '../unit/report/sarif-structure';
import { fixtureDir, runCli } from './run-cli';

const NOW = '2026-11-26T00:00:00Z';
const meshgov = path.resolve(__dirname, '../../functions/cli/meshgov.cjs');
const examples = path.resolve(__dirname, '../../examples');

const permissive = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
spec:
  mtls:
    mode: PERMISSIVE
`;

describe('--output', () => {
  it('- writes the report to standard output, not to a file named "-"', () => {
    const cwd = fixtureDir({});
    const r = spawnSync('node', [meshgov, 'audit', examples, '--now', NOW, '--format', 'json', '--output', '-'], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.length).toBeGreaterThan(0);
    expect(readdirSync(cwd)).toEqual([]);
    expect(r.stderr).not.toMatch(/report written to/);
  });

  it('an empty FILE is a usage error, not a silent report on standard output', async () => {
    const dir = fixtureDir({ 'pa.yaml': permissive });
    const r = await runCli(['audit', dir, '--now', NOW, '--output', '']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^meshgov: --output needs a file/);
  });
});

describe('what the CLI prints on standard error quotes the inputs harmlessly', () => {
  it('the skipped-documents notice shows escape sequences from a config file and its name escaped', async () => {
    const dir = fixtureDir({
      'pa.yaml': permissive,
      'notes\x1b[2J.yaml': 'apiVersion: "x\\e]0;pwned\\a\\e[31m"\nmetadata: {name: x}\n',
    });
    const r = await runCli(['audit', dir, '--now', NOW]);
    expect(r.stderr).toMatch(/skipped 1 document/);
    expect(r.stderr).not.toMatch(/[\x07\x1b]/);
    expect(r.stderr).toContain('notes\\x1b[2J.yaml:1: apiVersion x\\x1b]0;pwned\\x07\\x1b[31m, no kind');
  });

  it('a file that does not parse, named with control characters, is reported with them escaped', async () => {
    const dir = fixtureDir({ 'bad\x1b]0;owned\x07.yaml': 'kind: [\n' });
    const r = await runCli(['audit', dir, '--now', NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad\\x1b\]0;owned\\x07\.yaml/);
    expect(r.stdout + r.stderr).not.toMatch(/[\x07\x1b]/);
  });
});

describe('SARIF from the command line', () => {
  it('is structurally what code scanning accepts, for the example fleet and for a file that does not parse', () => {
    const repo = fixtureDir({ 'deploy/orders #1/pa.yaml': permissive, 'deploy/broken 100%.yaml': 'kind: [\n', '.git/HEAD': 'ref: refs/heads/main\n' });
    const r = spawnSync('node', [meshgov, 'audit', 'deploy', examples, '--now', NOW, '--format', 'sarif'], { cwd: repo, encoding: 'utf8' });
    expect(r.status).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(sarifProblems(log)).toEqual([]);
    const uris = log.runs[0].results.map((x: any) => x.locations[0].physicalLocation.artifactLocation.uri);
    expect(uris).toEqual(expect.arrayContaining(['deploy/orders%20%231/pa.yaml', 'deploy/broken%20100%25.yaml']));
    expect(existsSync(path.join(repo, '-'))).toBe(false);
  });

  it('gives the same fingerprints and URIs from two checkouts in different directories', () => {
    const run = () => {
      const repo = fixtureDir({ 'k8s/pa.yaml': permissive, 'k8s/broken.yaml': 'kind: [\n', '.git/HEAD': 'ref: refs/heads/main\n' });
      const r = spawnSync('node', [meshgov, 'audit', '.', '--now', NOW, '--format', 'sarif'], { cwd: path.join(repo, 'k8s'), encoding: 'utf8' });
      return JSON.parse(r.stdout).runs[0].results.map((x: any) => [x.partialFingerprints, x.locations[0].physicalLocation.artifactLocation.uri]);
    };
    const first = run();
    // config-invalid: the one id made from the file's path.
    expect(first.map((x: any) => x[1])).toContain('k8s/broken.yaml');
    expect(run()).toEqual(first);
  });
});

describe('usage', () => {
  it('with no command is a usage error: the usage goes to standard error, exit 2; --help prints it on standard output, exit 0', async () => {
    const none = await runCli([]);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toMatch(/^Usage:/);
    const help = await runCli(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toBe(none.stderr);
  });
});
