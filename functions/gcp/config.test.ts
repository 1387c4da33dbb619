import { readAgentConfig } from './config';

const SECRET = 'meshgov-test-link-secret-0123456789abcdef';
const complete = {
  MESHGOV_HUB_URL: 'https://abc123.execute-api.us-west-2.amazonaws.com/agent/findings',
  MESHGOV_LINK_SECRET: SECRET,
  MESHGOV_GCP_PROJECT: 'meshgov-demo',
  MESHGOV_GKE_CLUSTER: 'prod-gke',
  MESHGOV_GKE_LOCATION: 'us-central1',
  MESHGOV_AGENT_SA: 'meshgov-agent@meshgov-demo.iam.gserviceaccount.com, system:serviceaccount:meshgov:meshgov-agent',
};

test('reads a complete deployment environment, with defaults for the rest', () => {
  expect(readAgentConfig(complete)).toEqual({
    ok: true,
    config: {
      hubUrl: new URL(complete.MESHGOV_HUB_URL),
      linkSecrets: [SECRET],
      identity: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' },
      ownPrincipals: ['meshgov-agent@meshgov-demo.iam.gserviceaccount.com', 'system:serviceaccount:meshgov:meshgov-agent'],
      rootNamespace: 'istio-system',
      dryRun: undefined,
      hubRetry: { attempts: 4, backoffMs: 1000, timeoutMs: 10_000 },
    },
  });
});

test('verifies against the previous secret too during a rotation', () => {
  const result = readAgentConfig({ ...complete, MESHGOV_LINK_SECRET_PREVIOUS: 'previous-link-secret-0123456789abcdef' });
  expect(result.ok && result.config.linkSecrets).toEqual([SECRET, 'previous-link-secret-0123456789abcdef']);
});

test.each([
  ['no hub URL', { MESHGOV_HUB_URL: undefined }, 'MESHGOV_HUB_URL', /is not set/],
  ['a plain-http hub URL off loopback', { MESHGOV_HUB_URL: 'http://hub.example.com/agent/findings' }, 'MESHGOV_HUB_URL', /must be an https URL/],
  ['a hub URL that is no URL', { MESHGOV_HUB_URL: 'hub.example.com' }, 'MESHGOV_HUB_URL', /is not a URL/],
  ['no link secret', { MESHGOV_LINK_SECRET: '' }, 'MESHGOV_LINK_SECRET', /is not set/],
  ['a short link secret', { MESHGOV_LINK_SECRET: 'hunter2' }, 'MESHGOV_LINK_SECRET', /7 characters; use at least 32/],
  ['no project', { MESHGOV_GCP_PROJECT: undefined }, 'MESHGOV_GCP_PROJECT', /is not set/],
  ['no cluster', { MESHGOV_GKE_CLUSTER: ' ' }, 'MESHGOV_GKE_CLUSTER', /is not set/],
  ['a retry count that is not a number', { MESHGOV_HUB_ATTEMPTS: 'three' }, 'MESHGOV_HUB_ATTEMPTS', /positive integer/],
])('%s is a problem naming %s', (_name, change, variable, message) => {
  const result = readAgentConfig({ ...complete, ...change });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.problems).toEqual([{ variable, message: expect.stringMatching(message) }]);
});

test('plain http is allowed on loopback, for tests and local runs', () => {
  expect(readAgentConfig({ ...complete, MESHGOV_HUB_URL: 'http://127.0.0.1:8787/agent/findings' }).ok).toBe(true);
});

test('every problem is reported at once', () => {
  const result = readAgentConfig({});
  expect(result.ok ? [] : result.problems.map((p) => p.variable)).toEqual(['MESHGOV_HUB_URL', 'MESHGOV_LINK_SECRET', 'MESHGOV_GCP_PROJECT', 'MESHGOV_GKE_CLUSTER']);
});
