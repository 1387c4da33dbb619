/**
 * functions/gcp/deploy/deploy-agent.sh: run where gcloud is not on PATH (and with --plan where
 * a gcloud is), it prints every command it would run, changes nothing and exits 0. Run for real
 * against a stand-in gcloud (which records its calls and answers the lookups), a second
 * deployment reuses the notification channel and updates the alert policies it finds.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { generateAlertPolicies } from '../../../.ci/scripts/generate-alert-policies';
import { REPO_ROOT } from './functions-server';
import { ISTIO_READER_RULES, ISTIO_WRITER_RULES } from '../../../functions/providers/istio/live/rbac';

const SCRIPT = path.join(REPO_ROOT, 'functions/gcp/deploy/deploy-agent.sh');
const PARAMS = {
  MESHGOV_GCP_PROJECT: 'meshgov-demo',
  MESHGOV_GKE_CLUSTER: 'prod-gke',
  MESHGOV_GKE_LOCATION: 'us-central1',
  MESHGOV_HUB_URL: 'https://q7x2k9.execute-api.us-west-2.amazonaws.com/agent/findings',
};

const toolDirs: string[] = [];
afterAll(() => toolDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  toolDirs.push(dir);
  return dir;
}

/** The shipped rules plus two Istio SLOs (and an App Mesh one, which gets no Cloud Monitoring policy). */
function rulesWithIstioSlos(): string {
  const dir = tempDir('meshgov-deploy-rules-');
  for (const file of readdirSync(path.join(REPO_ROOT, 'rules'))) copyFileSync(path.join(REPO_ROOT, 'rules', file), path.join(dir, file));
  writeFileSync(
    path.join(dir, 'slos.yaml'),
    `slos:
  - name: payments-api-latency
    service: payments-api
    mesh: istio
    namespace: payments
    objective: 99
    thresholdMs: 250
    source:
      prometheus: {}
  - name: reviews-latency
    service: reviews
    mesh: istio
    namespace: bookinfo
    objective: 99.5
    thresholdMs: 500
    source:
      prometheus: {}
  - name: orders-api-latency
    service: orders-api
    mesh: appmesh
    meshName: prod-mesh
    objective: 99
    thresholdMs: 250
    source:
      cloudwatch:
        namespace: ContainerInsights/Prometheus
`,
  );
  return dir;
}

/** A PATH holding only the tools the script needs, none of them gcloud; optionally a fake gcloud that records its calls. */
function toolPath(options: { fakeGcloud?: boolean } = {}): { dir: string; gcloudCalls: () => string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-deploy-path-'));
  toolDirs.push(dir);
  for (const tool of ['bash', 'sed', 'dirname', 'cat', 'mktemp', 'rm']) {
    const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => existsSync(p));
    if (!found) throw new Error(`${tool} not found`);
    symlinkSync(found, path.join(dir, tool));
  }
  const log = path.join(dir, 'gcloud-calls.log');
  if (options.fakeGcloud) {
    writeFileSync(path.join(dir, 'gcloud'), `#!${path.join(dir, 'bash')}\necho "$*" >> ${JSON.stringify(log)}\nexit 1\n`);
    chmodSync(path.join(dir, 'gcloud'), 0o755);
  }
  return { dir, gcloudCalls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []) };
}

function deploy(args: string[], env: Record<string, string>, pathDir: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(pathDir, 'bash'), [SCRIPT, ...args], { cwd: REPO_ROOT, env: { PATH: pathDir, HOME: tmpdir(), ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('without gcloud on PATH', () => {
  let run: ReturnType<typeof deploy>;
  let lines: string[];
  let commands: string[];

  let policyDir: string;

  beforeAll(() => {
    // Policy files as the generator writes them, for the plan to list.
    policyDir = tempDir('meshgov-deploy-policies-');
    generateAlertPolicies({ rulesDir: rulesWithIstioSlos(), outDir: policyDir });
    run = deploy([], { ...PARAMS, MESHGOV_ALERT_POLICIES: policyDir }, toolPath().dir);
    lines = run.stdout.split('\n');
    commands = lines.filter((l) => l.startsWith('gcloud '));
  });

  test('prints the plan and exits 0', () => {
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('gcloud is not on PATH: printing the plan, changing nothing.');
    expect(run.stdout).toContain('# PLAN: nothing below is executed.');
    expect(commands.length).toBeGreaterThan(25);
  });

  test('the service accounts and their least-privilege roles', () => {
    expect(commands).toContain("gcloud iam service-accounts create meshgov-agent '--display-name=meshgov GCP agent (audits and remediates Istio on prod-gke)' --project=meshgov-demo");
    expect(commands).toContain('gcloud projects add-iam-policy-binding meshgov-demo --member=serviceAccount:meshgov-agent@meshgov-demo.iam.gserviceaccount.com --role=roles/container.clusterViewer --condition=None');
    expect(commands).toContain('gcloud secrets add-iam-policy-binding meshgov-link-secret --member=serviceAccount:meshgov-agent@meshgov-demo.iam.gserviceaccount.com --role=roles/secretmanager.secretAccessor --project=meshgov-demo');
    expect(commands).toContain('gcloud projects add-iam-policy-binding meshgov-demo --member=serviceAccount:meshgov-events@meshgov-demo.iam.gserviceaccount.com --role=roles/eventarc.eventReceiver --condition=None');
    // No broad role anywhere.
    expect(run.stdout).not.toMatch(/roles\/(editor|owner|container\.admin|container\.developer|container\.viewer)\b/);
  });

  test("the Pub/Sub service agent may mint tokens for the trigger account only, and may publish dead letters and pull from the functions' subscriptions", () => {
    const agent = 'serviceAccount:service-<PROJECT_NUMBER>@gcp-sa-pubsub.iam.gserviceaccount.com';
    expect(commands).toContain(`gcloud iam service-accounts add-iam-policy-binding meshgov-events@meshgov-demo.iam.gserviceaccount.com '--member=${agent}' --role=roles/iam.serviceAccountTokenCreator --project=meshgov-demo`);
    // Project-wide, it could act as every service account of the project, the agent's included.
    expect(commands.filter((c) => c.startsWith('gcloud projects add-iam-policy-binding') && c.includes('serviceAccountTokenCreator'))).toEqual([]);
    expect(commands).toContain(`gcloud pubsub topics add-iam-policy-binding meshgov-dead-letter '--member=${agent}' --role=roles/pubsub.publisher --project=meshgov-demo`);
    for (const fn of ['istioConfigChanged', 'istioScheduledAudit', 'istioAlertFired']) {
      expect(commands).toContain(`gcloud pubsub subscriptions add-iam-policy-binding '<${fn}_SUBSCRIPTION>' '--member=${agent}' --role=roles/pubsub.subscriber --project=meshgov-demo`);
    }
  });

  test('the topics, the log sink with its filter, and its writer identity allowed to publish', () => {
    for (const topic of ['meshgov-istio-changes', 'meshgov-scheduled-audit', 'meshgov-slo-incidents', 'meshgov-dead-letter']) {
      expect(commands).toContain(`gcloud pubsub topics create ${topic} --labels=app=meshgov --project=meshgov-demo`);
    }
    const sink = run.stdout.slice(run.stdout.indexOf('gcloud logging sinks create meshgov-istio-changes'));
    expect(sink).toMatch(/^gcloud logging sinks create meshgov-istio-changes pubsub\.googleapis\.com\/projects\/meshgov-demo\/topics\/meshgov-istio-changes '--log-filter=/);
    const filter = sink.slice(sink.indexOf('--log-filter=') + '--log-filter='.length, sink.indexOf("' '--description"));
    expect(filter).toContain('logName="projects/meshgov-demo/logs/cloudaudit.googleapis.com%2Factivity"');
    expect(filter).toContain('protoPayload.serviceName="k8s.io"');
    expect(filter).toContain('resource.type="k8s_cluster"');
    expect(filter).toContain('resource.labels.cluster_name="prod-gke"');
    expect(filter).toContain('(protoPayload.resourceName:"security.istio.io/" OR protoPayload.resourceName:"networking.istio.io/" OR protoPayload.resourceName=~"^core/v1/namespaces/[^/]+$")');
    const methods = /protoPayload\.methodName=~"(.+)"/.exec(filter)![1]!.replace(/\\\\/g, '\\');
    expect(methods).not.toContain('\\');
    const methodPattern = new RegExp(methods);
    expect(['io.istio.security.v1.peerauthentications.patch', 'io.istio.networking.v1.destinationrules.create', 'io.istio.networking.v1beta1.serviceentries.delete', 'io.istio.networking.v1.destinationrules.update', 'io.istio.networking.v1.destinationrules.deletecollection'].every((m) => methodPattern.test(m))).toBe(true);
    expect(['io.istio.security.v1.peerauthentications.get', 'io.istio.security.v1.peerauthentications.list', 'io.istio.security.v1.peerauthentications.watch'].some((m) => methodPattern.test(m))).toBe(false);
    expect(lines).toContain("SINK_WRITER_IDENTITY=$(gcloud logging sinks describe meshgov-istio-changes '--format=value(writerIdentity)' --project=meshgov-demo)");
    expect(commands).toContain("gcloud pubsub topics add-iam-policy-binding meshgov-istio-changes '--member=<SINK_WRITER_IDENTITY>' --role=roles/pubsub.publisher --project=meshgov-demo");
  });

  test('four 2nd-gen functions from dist/gcp: three retried Pub/Sub triggers, one HTTPS endpoint', () => {
    const deployOf = (name: string) => commands.find((c) => c.startsWith(`gcloud functions deploy ${name} `))!;
    for (const name of ['istioConfigChanged', 'istioScheduledAudit', 'istioAlertFired', 'executeRemediation']) {
      const command = deployOf(name);
      expect(command).toBeDefined();
      for (const flag of ['--gen2', '--runtime=nodejs22', '--source=dist/gcp', `--entry-point=${name}`, '--service-account=meshgov-agent@meshgov-demo.iam.gserviceaccount.com', '--set-secrets=MESHGOV_LINK_SECRET=meshgov-link-secret:latest', '--env-vars-file=meshgov-agent-env.yaml']) {
        expect(command.split(' ')).toContain(flag);
      }
    }
    expect(deployOf('istioConfigChanged').split(' ')).toEqual(expect.arrayContaining(['--trigger-topic=meshgov-istio-changes', '--retry', '--no-allow-unauthenticated']));
    expect(deployOf('istioScheduledAudit').split(' ')).toEqual(expect.arrayContaining(['--trigger-topic=meshgov-scheduled-audit', '--retry', '--no-allow-unauthenticated']));
    expect(deployOf('istioAlertFired').split(' ')).toEqual(
      expect.arrayContaining(['--trigger-topic=meshgov-slo-incidents', '--trigger-service-account=meshgov-events@meshgov-demo.iam.gserviceaccount.com', '--retry', '--no-allow-unauthenticated']),
    );
    expect(deployOf('executeRemediation').split(' ')).toEqual(expect.arrayContaining(['--trigger-http', '--allow-unauthenticated', '--max-instances=1']));
    expect(run.stdout).toContain("MESHGOV_HUB_URL: 'https://q7x2k9.execute-api.us-west-2.amazonaws.com/agent/findings'");
    expect(run.stdout).toContain("MESHGOV_DRY_RUN: 'true'");
    expect(run.stdout).toContain("MESHGOV_AGENT_SA: 'meshgov-agent@meshgov-demo.iam.gserviceaccount.com'");
    expect(run.stdout).toContain("MESHGOV_PROMETHEUS_URL: 'https://monitoring.googleapis.com/v1/projects/meshgov-demo/location/global/prometheus'");
    expect(commands.filter((c) => c.startsWith('gcloud pubsub subscriptions update '))).toHaveLength(3);
    expect(commands.filter((c) => c.includes('--dead-letter-topic=projects/meshgov-demo/topics/meshgov-dead-letter --max-delivery-attempts=20'))).toHaveLength(3);
    expect(commands).toContain("gcloud pubsub subscriptions update '<istioAlertFired_SUBSCRIPTION>' --dead-letter-topic=projects/meshgov-demo/topics/meshgov-dead-letter --max-delivery-attempts=20 --min-retry-delay=10s --max-retry-delay=600s --ack-deadline=600 --project=meshgov-demo");
    expect(commands).toContain('gcloud functions add-invoker-policy-binding istioAlertFired --region=us-central1 --member=serviceAccount:meshgov-events@meshgov-demo.iam.gserviceaccount.com --project=meshgov-demo');
  });

  test('the alarm path: incidents topic, Pub/Sub channel, the Monitoring agent may publish, istioAlertFired, then one alert policy per Istio SLO', () => {
    const channel =
      "NOTIFICATION_CHANNEL=$(gcloud beta monitoring channels create --type=pubsub '--display-name=meshgov SLO incidents (prod-gke)' '--description=meshgov: Cloud Monitoring incidents of the Istio SLO alert policies, for istioAlertFired' --channel-labels=topic=projects/meshgov-demo/topics/meshgov-slo-incidents '--format=value(name)' --project=meshgov-demo)";
    const publisher =
      "gcloud pubsub topics add-iam-policy-binding meshgov-slo-incidents '--member=serviceAccount:service-<PROJECT_NUMBER>@gcp-sa-monitoring-notification.iam.gserviceaccount.com' --role=roles/pubsub.publisher --project=meshgov-demo";
    const generate = `npx --no-install tsx .ci/scripts/generate-alert-policies.ts --rules dist/gcp/rules --out ${policyDir} --notification-channel '<NOTIFICATION_CHANNEL>'`;
    const policies = ['payments-api-latency', 'reviews-latency'].map((slo) => `gcloud alpha monitoring policies create --policy-from-file=${policyDir}/${slo}.json --project=meshgov-demo`);
    expect(lines).toContain(channel);
    expect(lines).toContain(publisher);
    expect(lines).toContain(generate);
    for (const policy of policies) expect(lines).toContain(policy);
    // The App Mesh SLO is CloudWatch's: no Cloud Monitoring policy for it.
    expect(run.stdout).not.toContain('orders-api-latency');
    expect(run.stdout).toContain('monitoring.googleapis.com --project=meshgov-demo');
    expect(commands).toContain('gcloud projects add-iam-policy-binding meshgov-demo --member=serviceAccount:meshgov-agent@meshgov-demo.iam.gserviceaccount.com --role=roles/monitoring.viewer --condition=None');

    // The order: topic, channel, the agent's publish right (Monitoring creates its agent with the first channel), the function and its subscription, the policies last.
    const at = (line: string) => {
      const index = lines.indexOf(line);
      expect(index).toBeGreaterThanOrEqual(0);
      return index;
    };
    const order = [
      at('gcloud pubsub topics create meshgov-slo-incidents --labels=app=meshgov --project=meshgov-demo'),
      at(channel),
      at(publisher),
      lines.findIndex((l) => l.startsWith('gcloud functions deploy istioAlertFired ')),
      lines.findIndex((l) => l.startsWith("gcloud pubsub subscriptions update '<istioAlertFired_SUBSCRIPTION>'")),
      at(generate),
      ...policies.map(at),
      lines.findIndex((l) => l.startsWith('gcloud scheduler jobs create pubsub ')),
    ];
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('the generated policy files hold the PromQL burn conditions, to be pointed at the channel', () => {
    const policy = JSON.parse(readFileSync(path.join(policyDir, 'payments-api-latency.json'), 'utf8'));
    expect(policy.userLabels['meshgov-slo']).toBe('payments-api-latency');
    expect(policy.conditions.map((c: { conditionPrometheusQueryLanguage: { query: string } }) => c.conditionPrometheusQueryLanguage.query)).toHaveLength(3);
  });

  test('the Cloud Scheduler job publishing the full-audit message', () => {
    expect(commands).toContain(
      "gcloud scheduler jobs create pubsub meshgov-nightly-audit --location=us-central1 '--schedule=0 6 * * *' --time-zone=Etc/UTC --topic=meshgov-scheduled-audit '--message-body={\"trigger\":\"schedule\",\"scope\":\"all\"}' --attributes=meshgov-job=nightly-audit '--description=meshgov: nightly full audit of Istio on prod-gke' --project=meshgov-demo",
    );
  });

  test('the Kubernetes RBAC for the agent, as valid YAML bound to its service account', () => {
    const start = lines.indexOf("kubectl apply -f - <<'RBAC'");
    const end = lines.indexOf('RBAC', start + 1);
    expect(start).toBeGreaterThan(0);
    const docs = parseAllDocuments(lines.slice(start + 1, end).join('\n')).map((d) => d.toJS()).filter(Boolean);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ClusterRole/meshgov-agent-reader',
      'ClusterRole/meshgov-agent-writer',
      'ClusterRoleBinding/meshgov-agent-reader',
      'ClusterRoleBinding/meshgov-agent-writer',
      'Role/meshgov-agent-ca-reader',
      'RoleBinding/meshgov-agent-ca-reader',
    ]);
    for (const binding of docs.filter((d) => d.kind.endsWith('Binding'))) {
      expect(binding.subjects).toEqual([{ kind: 'User', name: 'meshgov-agent@meshgov-demo.iam.gserviceaccount.com', apiGroup: 'rbac.authorization.k8s.io' }]);
    }
    const writer = docs.find((d) => d.metadata.name === 'meshgov-agent-writer' && d.kind === 'ClusterRole');
    expect(writer.rules).toEqual([
      { apiGroups: ['security.istio.io'], resources: ['peerauthentications'], verbs: ['patch', 'create', 'delete'] },
      { apiGroups: ['networking.istio.io'], resources: ['destinationrules'], verbs: ['patch', 'create', 'delete'] },
    ]);
    // Every verb the live writer is written to need (its own rules) is granted by the deployed roles.
    const granted = docs.filter((d) => d.kind === 'ClusterRole').flatMap((d) => d.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>);
    for (const rule of ISTIO_WRITER_RULES) {
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          expect({ resource, verb, granted: granted.some((g) => g.apiGroups.includes(rule.apiGroups[0]!) && g.resources.includes(resource) && g.verbs.includes(verb)) }).toEqual({ resource, verb, granted: true });
        }
      }
    }
    const caReader = docs.find((d) => d.kind === 'Role');
    expect(caReader).toMatchObject({ metadata: { namespace: 'istio-system' }, rules: [{ resources: ['secrets'], resourceNames: ['cacerts', 'istio-ca-secret'], verbs: ['get'] }] });
    // So is every verb the live reader is written to need: cluster-wide, or, for the objects it
    // reads by name, by those names in the control-plane namespace only.
    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
    const byName = (caReader.rules as Rule[]).filter((g) => g.resourceNames !== undefined);
    const missing: string[] = [];
    for (const rule of ISTIO_READER_RULES) {
      const grants = rule.resourceNames === undefined ? granted : byName;
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          const ok = grants.some(
            (g: Rule) => g.apiGroups.includes(rule.apiGroups[0]!) && g.resources.includes(resource) && g.verbs.includes(verb) && (rule.resourceNames ?? []).every((n) => g.resourceNames?.includes(n)),
          );
          if (!ok) missing.push(`${verb} ${rule.apiGroups[0]}/${resource}${rule.resourceNames ? ` ${rule.resourceNames.join(',')}` : ''}`);
        }
      }
    }
    expect(missing).toEqual([]);
    // And nothing beyond them: the reader role grants exactly get and list on what the reader reads.
    const reader = docs.find((d) => d.metadata.name === 'meshgov-agent-reader' && d.kind === 'ClusterRole');
    const readerGrants = (reader.rules as Rule[]).flatMap((g) => g.resources.map((r) => `${g.apiGroups[0]}/${r} ${[...g.verbs].sort().join(',')}`)).sort();
    const readerNeeds = ISTIO_READER_RULES.filter((r) => r.resourceNames === undefined).flatMap((r) => r.resources.map((res) => `${r.apiGroups[0]}/${res} ${[...r.verbs].sort().join(',')}`)).sort();
    expect(readerGrants).toEqual(readerNeeds);
    // Secrets are never readable cluster-wide.
    expect(docs.filter((d) => d.kind === 'ClusterRole').flatMap((d) => d.rules.flatMap((r: { resources: string[] }) => r.resources))).not.toContain('secrets');
  });
});

test('with --plan, a gcloud on PATH is never called', () => {
  const tools = toolPath({ fakeGcloud: true });
  const run = deploy(['--plan', '--project', 'meshgov-demo', '--cluster', 'prod-gke', '--location', 'us-central1', '--hub-url', PARAMS.MESHGOV_HUB_URL], {}, tools.dir);
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('gcloud functions deploy executeRemediation');
  expect(tools.gcloudCalls()).toEqual([]);
});

test('--private-execute deploys executeRemediation private, invokable by the given member only', () => {
  const tools = toolPath();
  const member = 'principal://iam.googleapis.com/projects/481516234200/locations/global/workloadIdentityPools/aws-hub/subject/arn:aws:sts::111122223333:assumed-role/meshgov-hub/meshgov-hub-dispatcher';
  const run = deploy(['--private-execute', member, '--dry-run', 'false'], PARAMS, tools.dir);
  expect(run.status).toBe(0);
  const execute = run.stdout.split('\n').find((l) => l.startsWith('gcloud functions deploy executeRemediation'))!;
  expect(execute.split(' ')).toContain('--no-allow-unauthenticated');
  expect(run.stdout).toContain(`gcloud functions add-invoker-policy-binding executeRemediation --region=us-central1 --member=${member} --project=meshgov-demo`);
  expect(run.stdout).toContain("MESHGOV_DRY_RUN: 'false'");
});

test('with no policy files yet, the plan says what the generator will lead to', () => {
  const run = deploy(['--alert-policies', path.join(tempDir('meshgov-deploy-empty-'), 'none')], PARAMS, toolPath().dir);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/# then one 'gcloud alpha monitoring policies create --policy-from-file=.*\/<slo>\.json' per Istio SLO \(none generated yet\)/);
  expect(run.stdout.split('\n').filter((l) => l.startsWith('gcloud alpha monitoring policies'))).toEqual([]);
});

describe('a second deployment, run for real against a stand-in gcloud', () => {
  const CHANNEL = 'projects/meshgov-demo/notificationChannels/8736251049381726354';
  const EXISTING_POLICY = 'projects/meshgov-demo/alertPolicies/15243078163549871230';
  let run: ReturnType<typeof deploy>;
  let calls: string[];
  let policyDir: string;

  beforeAll(() => {
    const tools = toolPath();
    // node and npx for the generator step (npx --no-install tsx, from the repository's node_modules).
    for (const tool of ['node', 'npx', 'env', 'head', 'sh']) {
      const found = ['/usr/bin', '/bin', '/usr/local/bin'].map((d) => path.join(d, tool)).find((p) => existsSync(p));
      if (!found) throw new Error(`${tool} not found`);
      symlinkSync(found, path.join(tools.dir, tool));
    }
    const log = path.join(tools.dir, 'calls.log');
    // Answers the lookups of a project where everything exists already: the channel, and the policy of payments-api-latency.
    writeFileSync(
      path.join(tools.dir, 'gcloud'),
      `#!${path.join(tools.dir, 'bash')}
echo "gcloud $*" >> ${JSON.stringify(log)}
case "$*" in
  "projects describe "*) echo 481516234200 ;;
  "beta monitoring channels list "*) echo ${CHANNEL} ;;
  "alpha monitoring policies list "*meshgov-slo=payments-api-latency*) echo ${EXISTING_POLICY} ;;
  "alpha monitoring policies list "*) ;;
  "secrets versions list "*) echo projects/481516234200/secrets/meshgov-link-secret/versions/1 ;;
  "logging sinks describe "*) echo serviceAccount:service-481516234200@gcp-sa-logging.iam.gserviceaccount.com ;;
  "container clusters describe "*) echo 203.0.113.10 ;;
  "functions describe "*) echo projects/meshgov-demo/locations/us-central1/triggers/meshgov-trigger ;;
  "eventarc triggers describe "*) echo projects/meshgov-demo/subscriptions/eventarc-us-central1-meshgov-sub ;;
esac
exit 0
`,
    );
    chmodSync(path.join(tools.dir, 'gcloud'), 0o755);
    writeFileSync(path.join(tools.dir, 'kubectl'), `#!${path.join(tools.dir, 'bash')}\ncat > /dev/null\necho "kubectl $*" >> ${JSON.stringify(log)}\n`);
    chmodSync(path.join(tools.dir, 'kubectl'), 0o755);

    // A built source: its package.json, and the rules the functions read.
    const source = tempDir('meshgov-deploy-source-');
    writeFileSync(path.join(source, 'package.json'), '{"name":"meshgov-gcp-agent","main":"index.js"}\n');
    const rules = rulesWithIstioSlos();
    mkdirSync(path.join(source, 'rules'));
    for (const file of readdirSync(rules)) copyFileSync(path.join(rules, file), path.join(source, 'rules', file));
    policyDir = path.join(tempDir('meshgov-deploy-out-'), 'alert-policies');

    run = deploy(['--source', source, '--alert-policies', policyDir], PARAMS, tools.dir);
    calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  }, 120_000);

  it('exits 0 and creates no second channel', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(calls).toContain(`gcloud beta monitoring channels list --filter=type=pubsub AND labels.topic=projects/meshgov-demo/topics/meshgov-slo-incidents --format=value(name) --project=meshgov-demo`);
    expect(calls.some((c) => c.startsWith('gcloud beta monitoring channels create'))).toBe(false);
    expect(calls).toContain('gcloud pubsub topics add-iam-policy-binding meshgov-slo-incidents --member=serviceAccount:service-481516234200@gcp-sa-monitoring-notification.iam.gserviceaccount.com --role=roles/pubsub.publisher --project=meshgov-demo');
  });

  it('generates the policies from the deployed rules, pointed at the channel it found', () => {
    expect(readdirSync(policyDir).sort()).toEqual(['payments-api-latency.json', 'reviews-latency.json']);
    for (const file of readdirSync(policyDir)) {
      const policy = JSON.parse(readFileSync(path.join(policyDir, file), 'utf8'));
      expect(policy.notificationChannels).toEqual([CHANNEL]);
    }
  });

  it('updates the policy that already names its SLO and creates the other, after deploying istioAlertFired', () => {
    const update = `gcloud alpha monitoring policies update ${EXISTING_POLICY} --policy-from-file=${policyDir}/payments-api-latency.json --project=meshgov-demo`;
    const create = `gcloud alpha monitoring policies create --policy-from-file=${policyDir}/reviews-latency.json --project=meshgov-demo`;
    expect(calls).toContain(update);
    expect(calls).toContain(create);
    expect(calls.filter((c) => c.startsWith('gcloud alpha monitoring policies create'))).toEqual([create]);
    const deployed = calls.findIndex((c) => c.startsWith('gcloud functions deploy istioAlertFired '));
    expect(deployed).toBeGreaterThan(0);
    expect(calls.indexOf(update)).toBeGreaterThan(deployed);
    expect(calls.indexOf(create)).toBeGreaterThan(deployed);
  });
});

test('missing parameters are a usage error before anything runs', () => {
  const tools = toolPath({ fakeGcloud: true });
  const run = deploy([], {}, tools.dir);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('missing: --project (MESHGOV_GCP_PROJECT) --cluster (MESHGOV_GKE_CLUSTER) --location (MESHGOV_GKE_LOCATION) --hub-url (MESHGOV_HUB_URL)');
  expect(tools.gcloudCalls()).toEqual([]);
});

test('a plain-http hub URL is refused', () => {
  const tools = toolPath();
  const run = deploy([], { ...PARAMS, MESHGOV_HUB_URL: 'http://hub.example.com/agent/findings' }, tools.dir);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--hub-url must be https');
});
