/**
 * The audit of what the live reader read: the findings for a namespace PeerAuthentication just
 * patched to PERMISSIVE (the object of the shared GKE audit-log event), and the same findings
 * as the file reader gives for the same objects written out as YAML.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { dump } from 'js-yaml';
import { auditWithBuilders } from '../../../functions/core/audit';
import type { Finding } from '../../../functions/core/findings';
import type { Inventory } from '../../../functions/core/model/inventory';
import { loadPolicy } from '../../../functions/core/policy/load';
import { collectFiles } from '../../../functions/providers/files/collect';
import { buildIstioModel } from '../../../functions/providers/istio';
import { istioSource } from '../../../functions/providers/istio/live';
import { buildCertificateModel } from '../../../functions/providers/x509';
import { wholeCluster } from './cluster-fixture';
import { startLiveCluster, type LiveCluster } from './live-cluster';

let cluster: LiveCluster;

beforeEach(async () => {
  cluster = await startLiveCluster();
});

afterEach(async () => {
  await cluster.emulator.stop();
});

const policy = loadPolicy();

function audit(inventory: Inventory): Finding[] {
  return auditWithBuilders(inventory, { policy, now: new Date(), builders: [buildIstioModel, buildCertificateModel] }).findings;
}

const PAYMENTS_POLICY = '/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default';

test('a namespace PeerAuthentication patched to PERMISSIVE: every payments workload port is not STRICT, with the live fix', async () => {
  const inventory = await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s }).collect({ kind: 'istio-namespace', namespace: 'payments' });
  const findings = audit(inventory);
  const liveVersion = cluster.emulator.get('pa', 'payments', 'default')!.metadata.resourceVersion;

  const notStrict = findings.filter((f) => f.rule === 'mtls-not-strict');
  expect(notStrict.map((f) => [f.resource.kind, f.resource.namespace, f.resource.name, f.resource.port, f.detail['mode']]).sort()).toEqual([
    ['Deployment', 'payments', 'payments-api', 8080, 'PERMISSIVE'],
    ['StatefulSet', 'payments', 'ledger', 7070, 'PERMISSIVE'],
  ]);
  for (const finding of notStrict) {
    expect(finding.severity).toBe('high');
    // The document at fault is the policy, named by its API path.
    expect(finding.resource).toMatchObject({ file: PAYMENTS_POLICY, line: 1 });
    expect(finding.message).toContain('namespace-level PeerAuthentication payments/default');
    expect(finding.remediation).toMatchObject({
      action: 'istio.peerauthentication.set-strict',
      change: {
        operation: 'merge-patch',
        target: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'payments', name: 'default', resourceVersion: liveVersion },
        patch: { spec: { mtls: { mode: 'STRICT' } } },
      },
      // orders sends plaintext to payments-api through its own DestinationRule: moving to STRICT would break it.
      mode: 'approval',
      reason: expect.stringContaining('DestinationRule orders/payments-api-plaintext sends plaintext to Deployment payments/payments-api port 8080'),
    });
  }
  // That rule of another namespace is read because its host is in payments, and is a finding itself.
  expect(findings.filter((f) => f.rule === 'mtls-client-not-enforced').map((f) => `${f.resource.namespace}/${f.resource.name}`)).toEqual(['orders/payments-api-plaintext']);
  // The plugged-in CA's intermediate expires in 20 days.
  expect(findings.filter((f) => f.rule === 'cert-expiring' && f.resource.file === '/api/v1/namespaces/istio-system/secrets/cacerts').length).toBeGreaterThan(0);
});

test('with the namespace policy STRICT again, payments has no mtls-not-strict finding', async () => {
  cluster.emulator.bumpResourceVersion('pa', 'payments', 'default', (object) => {
    object['spec'] = { mtls: { mode: 'STRICT' } };
  });
  const findings = audit(await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s }).collect({ kind: 'istio-namespace', namespace: 'payments' }));
  expect(findings.filter((f) => f.rule === 'mtls-not-strict')).toEqual([]);
  // Now the plaintext rule of orders breaks calls to payments-api.
  expect(findings.filter((f) => f.rule === 'mtls-conflict').map((f) => `${f.resource.namespace}/${f.resource.name}`)).toEqual(['orders/payments-api-plaintext']);
});

/** A finding without where it was read from: the same problem whichever reader found it. */
function identity(f: Finding): string {
  return identityOf(f, true);
}

/** The same, without the fix's verdict: a namespace read never plans auto. */
function identityWithoutMode(f: Finding): string {
  return identityOf(f, false);
}

function identityOf(f: Finding, mode: boolean): string {
  const { file: _file, line: _line, ...resource } = f.resource;
  const detail = Object.fromEntries(Object.entries(f.detail).filter(([, v]) => typeof v !== 'object' || v === null));
  return JSON.stringify([f.rule, f.severity, resource, detail, f.remediation?.action ?? null, mode ? (f.remediation?.mode ?? null) : null]);
}

test('the live read and the file read of the same objects give the same findings', async () => {
  const live = audit(await istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, tlsSecrets: true }).collect({ kind: 'all', providers: ['istio', 'x509'] }));

  // The same objects as `kubectl get <kind> -A -o yaml` would print them, one file per kind.
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-live-vs-files-'));
  try {
    const kinds = ['namespaces', 'configmaps', 'secrets', 'services', 'deployments', 'statefulsets', 'pods', 'peerauthentications', 'destinationrules', 'serviceentries', 'certificates'];
    for (const kind of kinds) {
      const items = cluster.emulator.list(kind).filter((o) => kind !== 'secrets' || o['type'] === 'kubernetes.io/tls' || ['cacerts', 'istio-ca-secret'].includes(o.metadata.name!));
      writeFileSync(path.join(dir, `${kind}.yaml`), items.map((o) => dump(JSON.parse(JSON.stringify(o)), { lineWidth: -1, noRefs: true })).join('---\n'));
    }
    const files = audit(await collectFiles([dir]));

    expect(live.length).toBeGreaterThan(5);
    expect(live.map(identity).sort()).toEqual(files.map(identity).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const NAMESPACE_GAP = 'the preconditions across the fleet are unknown: this audit read only namespace payments, so callers from other namespaces are unknown';

test('every finding of the payments scope is one of the full read, and none of its fixes is auto', async () => {
  const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s });
  const scopedFindings = audit(await source.collect({ kind: 'istio-namespace', namespace: 'payments' }));
  const full = new Set(audit(await source.collect({ kind: 'all', providers: ['istio', 'x509'] })).map((f) => identityWithoutMode(f)));
  expect(scopedFindings.length).toBeGreaterThan(3);
  expect(scopedFindings.map((f) => identityWithoutMode(f)).filter((f) => !full.has(f))).toEqual([]);
  expect(scopedFindings.filter((f) => f.remediation?.mode === 'auto')).toEqual([]);
});

describe('a namespace read never plans auto: the callers of its servers live in namespaces it did not read', () => {
  const withoutOrders = () => wholeCluster().filter((o) => o.metadata?.namespace !== 'orders' && o.metadata?.name !== 'orders');
  const notStrictModes = (findings: Finding[]) =>
    findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => [`${f.resource.name}:${f.resource.port}`, f.remediation?.mode, f.remediation?.reason]);

  test('a workload without a sidecar in legacy-batch holds payments STRICT in the full read; the payments read cannot see it and asks too', async () => {
    const only = await startLiveCluster(withoutOrders());
    try {
      const source = istioSource({ kubeConfig: only.kubeConfig, client: only.k8s });
      const fullReason = 'preconditions do not hold: Namespace legacy-batch has no sidecar and may call Deployment payments/payments-api port 8080 in plaintext';
      expect(notStrictModes(audit(await source.collect({ kind: 'all', providers: ['istio'] }))).sort()).toEqual([
        ['ledger:7070', 'approval', fullReason],
        ['payments-api:8080', 'approval', fullReason],
      ]);
      expect(notStrictModes(audit(await source.collect({ kind: 'istio-namespace', namespace: 'payments' }))).sort()).toEqual([
        ['ledger:7070', 'approval', NAMESPACE_GAP],
        ['payments-api:8080', 'approval', NAMESPACE_GAP],
      ]);
    } finally {
      await only.emulator.stop();
    }
  });

  test('with every caller meshed the full read plans auto, and the payments read still asks', async () => {
    const meshed = await startLiveCluster(withoutOrders().filter((o) => o.metadata?.namespace !== 'legacy-batch' && o.metadata?.name !== 'legacy-batch'));
    try {
      const source = istioSource({ kubeConfig: meshed.kubeConfig, client: meshed.k8s });
      expect(notStrictModes(audit(await source.collect({ kind: 'all', providers: ['istio'] }))).map(([at, mode]) => [at, mode]).sort()).toEqual([
        ['ledger:7070', 'auto'],
        ['payments-api:8080', 'auto'],
      ]);
      expect(notStrictModes(audit(await source.collect({ kind: 'all', providers: ['istio'], namespaces: ['payments'] }))).sort()).toEqual([
        ['ledger:7070', 'approval', NAMESPACE_GAP],
        ['payments-api:8080', 'approval', NAMESPACE_GAP],
      ]);
    } finally {
      await meshed.emulator.stop();
    }
  });
});
