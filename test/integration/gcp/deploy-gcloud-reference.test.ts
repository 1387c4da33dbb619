/**
 * functions/gcp/deploy/deploy-agent.sh against what the gcloud reference and the Google Cloud
 * docs require of the commands it prints (its plan, run where gcloud is not on PATH):
 * - the Eventarc push subscriptions wait as long as the functions may run before redelivering;
 * - the function builds run as a service account of ours that may build, since new projects'
 *   default build identity may not;
 * - an IAM binding refused because IAM does not see a service account just created yet is retried.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './functions-server';

const SCRIPT = path.join(REPO_ROOT, 'functions/gcp/deploy/deploy-agent.sh');
const ENV = {
  MESHGOV_GCP_PROJECT: 'meshgov-demo',
  MESHGOV_GKE_CLUSTER: 'prod-gke',
  MESHGOV_GKE_LOCATION: 'us-central1',
  MESHGOV_HUB_URL: 'https://q7x2k9.execute-api.us-west-2.amazonaws.com/agent/findings',
};

let toolDir: string;
let commands: string[];
const extraDirs: string[] = [];
afterAll(() => extraDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

beforeAll(() => {
  // A PATH without gcloud: the script prints its plan and changes nothing.
  toolDir = mkdtempSync(path.join(tmpdir(), 'meshgov-deploy-ref-'));
  for (const tool of ['bash', 'sed', 'dirname', 'cat', 'mktemp', 'rm']) {
    const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => existsSync(p));
    if (!found) throw new Error(`${tool} not found`);
    symlinkSync(found, path.join(toolDir, tool));
  }
  const run = spawnSync(path.join(toolDir, 'bash'), [SCRIPT], { cwd: REPO_ROOT, env: { PATH: toolDir, HOME: tmpdir(), ...ENV }, encoding: 'utf8' });
  expect(run.status).toBe(0);
  commands = run.stdout.split('\n').filter((l) => l.startsWith('gcloud '));
});
afterAll(() => rmSync(toolDir, { recursive: true, force: true }));

test('each Eventarc push subscription waits 600 s, the longest Pub/Sub allows, so a run still in progress is not delivered again and counted toward dead-lettering', () => {
  // Push: the ack deadline is the push request's timeout, and every deadline exceeded is a delivery attempt.
  const updates = commands.filter((c) => c.startsWith('gcloud pubsub subscriptions update '));
  expect(updates).toHaveLength(3);
  for (const update of updates) expect(update.split(' ')).toContain('--ack-deadline=600');
  // The longest event function timeout stays under it.
  const timeouts = commands.filter((c) => c.startsWith('gcloud functions deploy ') && c.includes('--trigger-topic=')).map((c) => Number(/--timeout=(\d+)s/.exec(c)![1]));
  expect(Math.max(...timeouts)).toBeLessThanOrEqual(540);
});

test('the functions are built as meshgov-build, which may build, and the IAM API it needs is enabled', () => {
  const buildSa = 'meshgov-build@meshgov-demo.iam.gserviceaccount.com';
  const enable = commands.find((c) => c.startsWith('gcloud services enable '))!;
  expect(enable.split(' ')).toContain('iam.googleapis.com');
  expect(commands).toContain("gcloud iam service-accounts create meshgov-build '--display-name=meshgov function builds (Cloud Build)' --project=meshgov-demo");
  expect(commands).toContain(`gcloud projects add-iam-policy-binding meshgov-demo --member=serviceAccount:${buildSa} --role=roles/cloudbuild.builds.builder --condition=None`);
  const deploys = commands.filter((c) => c.startsWith('gcloud functions deploy '));
  expect(deploys).toHaveLength(4);
  for (const deploy of deploys) expect(deploy.split(' ')).toContain(`--build-service-account=projects/meshgov-demo/serviceAccounts/${buildSa}`);
  // The account exists and may build before the first deployment.
  const firstDeploy = commands.indexOf(deploys[0]!);
  expect(commands.findIndex((c) => c.includes('--role=roles/cloudbuild.builds.builder'))).toBeLessThan(firstDeploy);
});

describe('a first deployment, run for real against a stand-in gcloud, where IAM does not see the new service accounts yet', () => {
  let run: ReturnType<typeof spawnSync>;
  let calls: string[];

  beforeAll(() => {
    // IAM is eventually consistent: a service account just created may be "not found" by the
    // next request for a while (IAM API: "each read is eventually consistent ... retry the
    // request with truncated exponential backoff").
    const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-deploy-iam-'));
    extraDirs.push(dir);
    for (const tool of ['bash', 'sed', 'dirname', 'cat', 'mktemp', 'rm', 'head', 'sleep']) {
      const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => existsSync(p));
      if (!found) throw new Error(`${tool} not found`);
      symlinkSync(found, path.join(dir, tool));
    }
    const log = path.join(dir, 'calls.log');
    const refused = path.join(dir, 'refused');
    writeFileSync(
      path.join(dir, 'gcloud'),
      `#!${path.join(dir, 'bash')}
echo "gcloud $*" >> ${JSON.stringify(log)}
case "$*" in
  "iam service-accounts describe "*) exit 1 ;;
  "projects add-iam-policy-binding "*meshgov-events@*)
    # The first binding naming the new account is refused, as IAM may do right after its creation.
    if [ ! -e ${JSON.stringify(refused)} ]; then
      : > ${JSON.stringify(refused)}
      echo "ERROR: (gcloud.projects.add-iam-policy-binding) INVALID_ARGUMENT: Service account meshgov-events@meshgov-demo.iam.gserviceaccount.com does not exist." >&2
      exit 1
    fi ;;
  "projects describe "*) echo 481516234200 ;;
  "secrets versions list "*) echo projects/481516234200/secrets/meshgov-link-secret/versions/1 ;;
  "beta monitoring channels list "*) echo projects/meshgov-demo/notificationChannels/1 ;;
  "logging sinks describe "*) echo serviceAccount:service-481516234200@gcp-sa-logging.iam.gserviceaccount.com ;;
  "container clusters describe "*) echo 203.0.113.10 ;;
  "functions describe "*) echo projects/meshgov-demo/locations/us-central1/triggers/t ;;
  "eventarc triggers describe "*) echo projects/meshgov-demo/subscriptions/eventarc-us-central1-t-sub-1 ;;
esac
exit 0
`,
    );
    chmodSync(path.join(dir, 'gcloud'), 0o755);
    // The alert-policy generator is not what this test is about.
    writeFileSync(path.join(dir, 'npx'), `#!${path.join(dir, 'bash')}\nexit 0\n`);
    chmodSync(path.join(dir, 'npx'), 0o755);
    const source = mkdtempSync(path.join(tmpdir(), 'meshgov-deploy-iam-src-'));
    extraDirs.push(source);
    writeFileSync(path.join(source, 'package.json'), '{"name":"meshgov-gcp-agent","main":"index.js"}\n');
    run = spawnSync(path.join(dir, 'bash'), [SCRIPT, '--source', source, '--alert-policies', path.join(source, 'none')], {
      cwd: REPO_ROOT,
      env: { PATH: dir, HOME: tmpdir(), ...ENV },
      encoding: 'utf8',
    });
    calls = readFileSync(log, 'utf8').trim().split('\n');
  }, 60_000);

  test('retries the refused binding and completes the deployment', () => {
    expect(run.stderr).toContain('does not exist');
    expect(run.status).toBe(0);
    const binding = 'gcloud projects add-iam-policy-binding meshgov-demo --member=serviceAccount:meshgov-events@meshgov-demo.iam.gserviceaccount.com --role=roles/eventarc.eventReceiver --condition=None';
    expect(calls.filter((c) => c === binding)).toHaveLength(2);
    expect(calls.some((c) => c.startsWith('gcloud functions deploy executeRemediation '))).toBe(true);
    expect(calls.some((c) => /^gcloud scheduler jobs (create|update) pubsub /.test(c))).toBe(true);
  });
});
