import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startAppMeshEmulator, type AppMeshEmulator } from '../emulators/appmesh';
import { kubeconfigFor, startKubernetesEmulator, type KubernetesEmulator } from '../emulators/kubernetes';
import { sharedEvent } from '../support/shared-events';

const ROOT = path.resolve(__dirname, '../..');

/** The installed command in its own process (as a user runs it), with the given environment. */
function meshgov(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'functions/cli/meshgov.cjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('meshgov audit against live sources', () => {
  let appmesh: AppMeshEmulator;
  let kube: KubernetesEmulator;

  beforeAll(async () => {
    const node = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode;
    // A listener with a file certificate: no ACM lookup is needed for this audit.
    node.spec.listeners[0].tls.certificate = { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } };
    delete node.spec.backends;
    appmesh = await startAppMeshEmulator({ seed: { meshes: [{ meshName: 'prod-mesh' }], virtualNodes: [{ meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: node.spec }] } });
    kube = await startKubernetesEmulator();
    const pa = sharedEvent('gcp/k8s-audit-peerauthentication.logentry.json').protoPayload.response;
    kube.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { 'istio-injection': 'enabled' } } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'payments-api', namespace: 'payments' },
        spec: {
          selector: { matchLabels: { app: 'payments-api' } },
          template: { metadata: { labels: { app: 'payments-api' } }, spec: { containers: [{ name: 'app', image: 'ghcr.io/example/payments-api:2.3.1', ports: [{ containerPort: 8080 }] }] } },
        },
      },
      { apiVersion: pa.apiVersion, kind: pa.kind, metadata: { name: pa.metadata.name, namespace: pa.metadata.namespace }, spec: pa.spec },
    ]);
  });

  afterAll(async () => {
    await appmesh.stop();
    await kube.stop();
  });

  it('--appmesh-region reads App Mesh through the SDK (AWS_ENDPOINT_URL_APP_MESH honoured)', async () => {
    const r = await meshgov(['audit', '--appmesh-region', 'us-west-2', '--format', 'json', '--fail-on', 'never'], {
      AWS_ENDPOINT_URL_APP_MESH: appmesh.url,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    expect(r.stderr).not.toMatch(/meshgov:/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.findings).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'mtls-not-strict', provider: 'appmesh', resource: expect.objectContaining({ name: 'payments-api', mesh: 'prod-mesh', port: 8080 }) })]));
    expect(report.findings.some((f: any) => f.resource.file?.includes('examples'))).toBe(false);
    expect(appmesh.calls().DescribeVirtualNode).toBeGreaterThanOrEqual(1);
  });

  it('--kube-context reads Istio through the Kubernetes API (KUBECONFIG honoured)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-kube-'));
    const kubeconfig = path.join(dir, 'config');
    writeFileSync(kubeconfig, kubeconfigFor(kube.url, { contextName: 'gke_meshgov-demo_us-central1_prod-gke' }));
    const r = await meshgov(['audit', '--kube-context', 'gke_meshgov-demo_us-central1_prod-gke', '--format', 'json'], { KUBECONFIG: kubeconfig });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'mtls-not-strict', provider: 'istio', resource: expect.objectContaining({ name: 'payments-api', namespace: 'payments', port: 8080 }), detail: expect.objectContaining({ mode: 'PERMISSIVE' }) })]));
  });

  it('--kube-context reads only the namespaces of rules sources.istio.namespaces, and the root namespace it names', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-kube-'));
    const kubeconfig = path.join(dir, 'config');
    writeFileSync(kubeconfig, kubeconfigFor(kube.url, { contextName: 'gke_meshgov-demo_us-central1_prod-gke' }));
    const rules = path.join(dir, 'rules');
    cpSync(path.join(ROOT, 'rules'), rules, { recursive: true });
    writeFileSync(path.join(rules, 'sources.yaml'), 'sources:\n  istio:\n    namespaces: [payments]\n    rootNamespace: mesh-root\n');
    kube.resetCalls();
    const r = await meshgov(['audit', '--kube-context', 'gke_meshgov-demo_us-central1_prod-gke', '--rules', rules, '--format', 'json'], { KUBECONFIG: kubeconfig });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'mtls-not-strict', resource: expect.objectContaining({ name: 'payments-api', namespace: 'payments' }) })]));
    const reads = kube.requests().filter((c) => c.verb === 'list' || c.verb === 'get');
    // Nothing cluster-wide beyond the namespace objects themselves, and no namespace outside the scope.
    expect(reads.filter((c) => c.namespace === undefined).map((c) => c.resource)).toEqual(expect.not.arrayContaining(['peerauthentications', 'deployments', 'services']));
    expect(new Set(reads.map((c) => c.namespace).filter(Boolean))).toEqual(new Set(['payments', 'mesh-root', 'istio-system']));
  });

  it('exits 2 with a clear message when the live source cannot be read', async () => {
    const r = await meshgov(['audit', '--kube-context', 'no-such-context'], { KUBECONFIG: path.join(tmpdir(), 'meshgov-missing-kubeconfig') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the live source could not be read/);
  });
});
