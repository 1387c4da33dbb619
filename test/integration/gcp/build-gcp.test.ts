/**
 * `npm run build`'s GCP part: the bundle at dist/gcp (built here into a temporary directory)
 * is what Cloud Functions runs, so it is started as `npx functions-framework --source <dir>`
 * runs it, on plain node, and one full audit goes through it against the emulator.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildGcp, shipRules, sourceRulesDir, type GcpBuild } from '../../../.ci/scripts/build-gcp';
import { POLICY_SNAPSHOT_FILE } from '../../../functions/core/policy/snapshot';
import { createPolicySnapshot } from '../../../functions/core/policy/write-snapshot';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { wholeCluster } from '../istio/cluster-fixture';
import { agentEnvironment, kubeconfigFile, removeKubeconfigFiles, LINK_SECRET } from './agent-environment';
import { deliver, schedulerEvent, withRawData, auditEvent } from './cloud-events';
import { REPO_ROOT, startFunctionsServer, type FunctionsServer } from './functions-server';
import { startHubStandIn, type HubStandIn } from './hub-stand-in';

let outDir: string;
let built: GcpBuild;

beforeAll(async () => {
  outDir = path.join(mkdtempSync(path.join(tmpdir(), 'meshgov-dist-')), 'gcp');
  built = await buildGcp(outDir);
}, 120_000);

afterAll(() => rmSync(path.dirname(outDir), { recursive: true, force: true }));

test('package.json: main registers the functions; functions-framework is the only dependency', () => {
  const pkg = JSON.parse(readFileSync(path.join(outDir, 'package.json'), 'utf8'));
  const root = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  expect(pkg).toMatchObject({ name: 'meshgov-gcp-agent', main: 'index.js', private: true, engines: { node: expect.any(String) } });
  expect(pkg.dependencies).toEqual({ '@google-cloud/functions-framework': root.dependencies['@google-cloud/functions-framework'] });
  expect(built.external).toEqual(['@google-cloud/functions-framework']);
  expect(readFileSync(path.join(outDir, 'rules', 'mtls.yaml'), 'utf8')).toContain('mtls-not-strict');
});

describe('the rules the agent ships', () => {
  const saved = process.env.MESHGOV_RULES;
  afterEach(() => {
    if (saved === undefined) delete process.env.MESHGOV_RULES;
    else process.env.MESHGOV_RULES = saved;
  });

  test('are MESHGOV_RULES when set, as for cdk deploy, validated into the snapshot; else rules/', () => {
    const custom = mkdtempSync(path.join(tmpdir(), 'meshgov-agent-rules-'));
    const out = mkdtempSync(path.join(tmpdir(), 'meshgov-agent-out-'));
    try {
      writeFileSync(path.join(custom, 'mtls.yaml'), 'rules:\n  mtls-not-strict:\n    severity: critical\n');
      process.env.MESHGOV_RULES = custom;
      expect(sourceRulesDir()).toBe(custom);
      shipRules(sourceRulesDir(), out);
      expect(readdirSync(path.join(out, 'rules')).sort()).toEqual([POLICY_SNAPSHOT_FILE, 'mtls.yaml'].sort());
      expect(JSON.parse(readFileSync(path.join(out, 'rules', POLICY_SNAPSHOT_FILE), 'utf8'))).toEqual(createPolicySnapshot(custom));
      delete process.env.MESHGOV_RULES;
      expect(sourceRulesDir()).toBe(path.join(REPO_ROOT, 'rules'));
    } finally {
      rmSync(custom, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('the bundle on the functions-framework server', () => {
  let emulator: KubernetesEmulator;
  let hub: HubStandIn;
  const servers: FunctionsServer[] = [];

  beforeAll(async () => {
    emulator = await startKubernetesEmulator();
    emulator.seed(wholeCluster());
    hub = await startHubStandIn({ secret: LINK_SECRET });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await hub?.stop();
    await emulator?.stop();
    removeKubeconfigFiles();
  });

  async function start(target: string): Promise<FunctionsServer> {
    // In the cloud the buildpack installs functions-framework next to the bundle; here NODE_PATH finds the repository's.
    const env = { ...agentEnvironment({ kubeconfig: kubeconfigFile(emulator), hubUrl: hub.url }), NODE_PATH: path.join(REPO_ROOT, 'node_modules') };
    const server = await startFunctionsServer({ target, env, source: outDir });
    servers.push(server);
    return server;
  }

  test('istioScheduledAudit runs a full audit of the cluster and reports it, from the bundled rules', async () => {
    const server = await start('istioScheduledAudit');
    const delivery = await deliver(server.url, schedulerEvent());
    expect(delivery.status).toBeLessThan(300);
    expect(hub.reports).toHaveLength(1);
    expect(hub.reports[0]!.scopedReport.report.findings).toContainEqual(expect.objectContaining({ rule: 'mtls-not-strict', resource: expect.objectContaining({ namespace: 'payments' }) }));
  });

  test('istioConfigChanged and executeRemediation are declared by the same main', async () => {
    const changed = await start('istioConfigChanged');
    // A malformed message is not acknowledged (Pub/Sub redelivers, then dead-letters it), with its field named.
    const event = withRawData(auditEvent(), 'not base64!');
    expect((await deliver(changed.url, event)).status).toBe(500);
    await changed.waitForLog((l) => l.eventId === event.id && l.field === 'data.message.data' && l.ack === false);

    const execute = await start('executeRemediation');
    const response = await fetch(execute.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
  });
});
