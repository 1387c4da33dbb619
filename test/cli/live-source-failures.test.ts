/**
 * `meshgov audit` with a live source that cannot be read, or reads only in part, run as a user
 * runs it (its own process): what the user is told, and the exit status (CONTRACT.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startAppMeshEmulator, type AppMeshEmulator } from '../emulators/appmesh';
import { kubeconfigFor, startKubernetesEmulator, type KubernetesEmulator } from '../emulators/kubernetes';

const ROOT = path.resolve(__dirname, '../..');
const AWS_KEYS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

let dir: string;

function meshgov(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // No AWS settings of the machine running the tests, and the SDK's Node version warning off.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    const child = spawn(process.execPath, [path.join(ROOT, 'functions/cli/meshgov.cjs'), ...args], {
      cwd: ROOT,
      env: { ...base, HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', NODE_NO_WARNINGS: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function kubeconfigFile(text: string): string {
  const file = path.join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  return file;
}

/** Exit 2, one `meshgov:` line, no stack trace. */
function expectCleanFailure(r: { code: number | null; stderr: string }): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^meshgov: the live source could not be read: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'meshgov-live-failures-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('--kube-context', () => {
  let kube: KubernetesEmulator;

  beforeAll(async () => {
    kube = await startKubernetesEmulator();
    kube.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { 'istio-injection': 'enabled' } } }]);
  });

  afterAll(async () => {
    await kube.stop();
  });


  it('a token the server refuses (expired, 401) names the server, context and user and says to refresh the credentials', async () => {
    const KUBECONFIG = kubeconfigFile(kubeconfigFor(kube.url, { contextName: 'prod-gke', token: 'ya29.expired' }));
    const r = await meshgov(['audit', '--kube-context', 'prod-gke'], { KUBECONFIG });
    expectCleanFailure(r);
    expect(r.stderr).toContain(`the Kubernetes API server ${kube.url} (context "prod-gke") refused the credentials of user "prod-gke-user" (401 Unauthorized)`);
    expect(r.stderr).toMatch(/expired/);
  });

  it('a 403 on one kind names the verb and the resource, and how to check the grant', async () => {
    kube.failNext('list peerauthentications', 403);
    const KUBECONFIG = kubeconfigFile(kubeconfigFor(kube.url, { contextName: 'prod-gke' }));
    const r = await meshgov(['audit', '--kube-context', 'prod-gke'], { KUBECONFIG });
    expectCleanFailure(r);
    expect(r.stderr).toContain('user "prod-gke-user" may not list peerauthentications.security.istio.io');
    expect(r.stderr).toContain('kubectl auth can-i list peerauthentications.security.istio.io --all-namespaces --context prod-gke');
  });

  it('an API server whose certificate the kubeconfig does not trust: a TLS error naming the server, not a bare OpenSSL code', async () => {
    const secure = await startKubernetesEmulator({ tls: true });
    try {
      // No certificate-authority: the self-signed serving certificate is not trusted.
      const KUBECONFIG = kubeconfigFile(kubeconfigFor(secure.url, { contextName: 'prod-gke' }));
      const r = await meshgov(['audit', '--kube-context', 'prod-gke'], { KUBECONFIG });
      expectCleanFailure(r);
      expect(r.stderr).toContain(`the Kubernetes API server ${secure.url} (context "prod-gke"): its TLS certificate is not trusted`);
      expect(r.stderr).toContain('certificate-authority');
    } finally {
      await secure.stop();
    }
  });

  it('a cluster nothing listens on: "cannot reach" with the server URL and context', async () => {
    const KUBECONFIG = kubeconfigFile(kubeconfigFor('https://127.0.0.1:1', { contextName: 'prod-gke' }));
    const r = await meshgov(['audit', '--kube-context', 'prod-gke'], { KUBECONFIG });
    expectCleanFailure(r);
    expect(r.stderr).toContain('cannot reach the Kubernetes API server https://127.0.0.1:1 (context "prod-gke"): ECONNREFUSED');
  });

  it('an exec credential plugin that is not installed is named, with the kubeconfig install hint', async () => {
    const text = kubeconfigFor(kube.url, { contextName: 'prod-gke' }).replace(
      /    token: .*\n/,
      [
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1beta1',
        '      command: meshgov-test-absent-auth-plugin',
        '      installHint: Install meshgov-test-absent-auth-plugin with your package manager',
        '',
      ].join('\n'),
    );
    const r = await meshgov(['audit', '--kube-context', 'prod-gke'], { KUBECONFIG: kubeconfigFile(text) });
    expectCleanFailure(r);
    expect(r.stderr).toContain('gets its credentials from the command "meshgov-test-absent-auth-plugin", which is not installed or not on PATH');
    expect(r.stderr).toContain('Install meshgov-test-absent-auth-plugin with your package manager');
  });

  it('a cluster without Istio (its API groups answer 404): the audit runs and a note says Istio is not installed there', async () => {
    kube.failNext('discovery /apis/security.istio.io', 404);
    kube.failNext('discovery /apis/networking.istio.io', 404);
    const KUBECONFIG = kubeconfigFile(kubeconfigFor(kube.url, { contextName: 'plain-cluster' }));
    const r = await meshgov(['audit', '--kube-context', 'plain-cluster', '--format', 'json', '--fail-on', 'never'], { KUBECONFIG });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).version).toBe(1);
    expect(r.stderr).toContain('meshgov: context "plain-cluster"');
    expect(r.stderr).toContain('serves no Istio PeerAuthentication (security.istio.io): Istio is not installed there');
  });
});

describe('--appmesh-region', () => {
  let appmesh: AppMeshEmulator;

  beforeEach(async () => {
    appmesh = await startAppMeshEmulator({ seed: { meshes: [{ meshName: 'prod-mesh' }, { meshName: 'staging-mesh' }] } });
  });

  afterEach(async () => {
    await appmesh.stop();
  });

  it('no AWS credentials at all: the message names the SDK credential chain and how to log in', async () => {
    const r = await meshgov(['audit', '--appmesh-region', 'us-west-2'], { AWS_ENDPOINT_URL_APP_MESH: appmesh.url });
    expectCleanFailure(r);
    expect(r.stderr).toContain('App Mesh in us-west-2: no AWS credentials');
    expect(r.stderr).toContain("the AWS SDK's default credential chain");
    expect(r.stderr).toMatch(/aws sso login/);
  });

  it('AccessDenied on ListMeshes names the IAM permission to grant', async () => {
    appmesh.failNext('ListMeshes', 'AccessDeniedException');
    const r = await meshgov(['audit', '--appmesh-region', 'us-west-2'], { AWS_ENDPOINT_URL_APP_MESH: appmesh.url, ...AWS_KEYS });
    expectCleanFailure(r);
    expect(r.stderr).toContain('AccessDeniedException');
    expect(r.stderr).toContain('the credentials need the IAM permission appmesh:ListMeshes');
  });

  it('a region where the credentials see no mesh: exit 0 with a note, not a silent empty report', async () => {
    const empty = await startAppMeshEmulator();
    try {
      const r = await meshgov(['audit', '--appmesh-region', 'eu-west-1', '--format', 'json'], { AWS_ENDPOINT_URL_APP_MESH: empty.url, ...AWS_KEYS });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).findings).toEqual([]);
      expect(r.stderr).toContain('meshgov: App Mesh in eu-west-1: the credentials see no mesh there');
    } finally {
      await empty.stop();
    }
  });

  it('--format json when one mesh is refused: exit 1, the other mesh audited, the refused one a config-invalid finding with its mesh', async () => {
    appmesh.failNext('DescribeMesh', 'AccessDeniedException');
    const r = await meshgov(['audit', '--appmesh-region', 'us-west-2', '--format', 'json'], { AWS_ENDPOINT_URL_APP_MESH: appmesh.url, ...AWS_KEYS });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const refused = report.findings.filter((f: any) => f.rule === 'config-invalid');
    expect(refused).toHaveLength(1);
    // CONTRACT.md: an App Mesh finding always sets `mesh`.
    expect(refused[0]).toMatchObject({ provider: 'appmesh', resource: { kind: 'Mesh', mesh: refused[0].resource.name } });
    expect(report.summary.resources).toBeGreaterThan(0);
  });
});
