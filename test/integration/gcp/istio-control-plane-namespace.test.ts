/**
 * An agent deployed with `deploy-agent.sh --istio-namespace istio-cp` (istiod and its CA in
 * istio-cp): the script sets MESHGOV_ISTIO_ROOT_NAMESPACE=istio-cp and lets the agent get the CA
 * Secrets in istio-cp only (rbac.yaml, Role meshgov-agent-ca-reader). The scheduled audit on the
 * real functions-framework server reads the CA Secrets there, reports the plugged-in CA's expiry,
 * and reports no problem: it never asks for istio-system's Secrets, which RBAC would refuse on
 * every run, nor reads a MeshConfig from a namespace that does not exist.
 */
import type { Finding } from '../../../functions/core/findings';
import { startKubernetesEmulator, type KubernetesEmulator, type KubernetesObject } from '../../emulators/kubernetes';
import { wholeCluster } from '../istio/cluster-fixture';
import { agentEnvironment, kubeconfigFile, LINK_SECRET, removeKubeconfigFiles } from './agent-environment';
import { deliver, schedulerEvent } from './cloud-events';
import { startFunctionsServer, type FunctionsServer } from './functions-server';
import { startHubStandIn, type HubStandIn } from './hub-stand-in';

let emulator: KubernetesEmulator;
let hub: HubStandIn;
let server: FunctionsServer;

/** The fixture cluster with the control plane in istio-cp: its Namespace, MeshConfig (rootNamespace, discovery address), CA Secret and mesh-wide policy. */
function controlPlaneIn(namespace: string): KubernetesObject[] {
  return JSON.parse(JSON.stringify(wholeCluster()).replaceAll('istio-system', namespace));
}

/** As the RBAC rules grant it: the CA Secrets may be read in `namespace` only. */
function caSecretsReadableIn(namespace: string): void {
  emulator.failNext((call) => call.resource === 'secrets' && call.namespace !== namespace, 403, 1000);
}

beforeAll(async () => {
  emulator = await startKubernetesEmulator();
  hub = await startHubStandIn({ secret: LINK_SECRET });
  const kubeconfig = kubeconfigFile(emulator);
  server = await startFunctionsServer({ target: 'istioScheduledAudit', env: agentEnvironment({ kubeconfig, hubUrl: hub.url, extra: { MESHGOV_ISTIO_ROOT_NAMESPACE: 'istio-cp' } }) });
});

afterAll(async () => {
  await server?.stop();
  await hub?.stop();
  await emulator?.stop();
  removeKubeconfigFiles();
});

test('--istio-namespace istio-cp: the CA Secrets are read in istio-cp, the CA expiry is reported, and no config-invalid finding', async () => {
  emulator.seed(controlPlaneIn('istio-cp'));
  caSecretsReadableIn('istio-cp');

  const delivery = await deliver(server.url, schedulerEvent());
  expect(delivery.status).toBeLessThan(300);

  expect(hub.reports).toHaveLength(1);
  const findings: Finding[] = hub.reports[0]!.scopedReport.report.findings;
  expect(findings.filter((f) => f.rule === 'config-invalid').map((f) => f.message)).toEqual([]);
  // The plugged-in CA's intermediate expires in 20 days (cluster-fixture.ts).
  expect(findings).toContainEqual(expect.objectContaining({ rule: 'cert-expiring', provider: 'x509', resource: expect.objectContaining({ namespace: 'istio-cp', file: '/api/v1/namespaces/istio-cp/secrets/cacerts' }) }));
  const secretReads = emulator.requests().filter((r) => r.resource === 'secrets');
  expect(secretReads.map((r) => `${r.verb} ${r.namespace}/${r.name} ${r.status}`).sort()).toEqual(['get istio-cp/cacerts 200', 'get istio-cp/istio-ca-secret 404']);
  // MeshConfig is looked for where istiod runs, not in a namespace that does not exist.
  expect(emulator.requests().filter((r) => r.resource === 'configmaps' && r.namespace === 'istio-system')).toEqual([]);
});
