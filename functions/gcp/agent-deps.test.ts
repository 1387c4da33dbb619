import { emptyInventory } from '../core/model/inventory';
import { AgentConfigError, agentDepsFromEnv, type IstioPorts } from './agent-deps';

const ports: IstioPorts = { source: { collect: async () => emptyInventory() }, executors: [] };
const env = (): NodeJS.ProcessEnv => ({
  MESHGOV_HUB_URL: 'https://hub.example.com/agent/findings',
  MESHGOV_LINK_SECRET: 'meshgov-test-link-secret-0123456789abcdef',
  MESHGOV_GCP_PROJECT: 'meshgov-demo',
  MESHGOV_GKE_CLUSTER: 'prod-gke',
});

test('builds once and hands the same deps to every invocation; dry-run by default from the rules', async () => {
  let made = 0;
  const deps = agentDepsFromEnv(env(), () => (made++, ports));
  const [a, b] = await Promise.all([deps(), deps()]);
  expect(a).toBe(b);
  expect(made).toBe(1);
  expect(a.dryRun).toBe(true);
  expect(a.config.identity).toEqual({ project: 'meshgov-demo', cluster: 'prod-gke' });
});

test('MESHGOV_DRY_RUN=false lets the agent act', async () => {
  expect((await agentDepsFromEnv({ ...env(), MESHGOV_DRY_RUN: 'false' }, () => ports)()).dryRun).toBe(false);
});

test('a configuration problem rejects with the variables, and is not remembered: the next invocation tries again', async () => {
  const settings = env();
  delete settings.MESHGOV_HUB_URL;
  const deps = agentDepsFromEnv(settings, () => ports);
  const error = await deps().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AgentConfigError);
  expect((error as AgentConfigError).problems.map((p) => p.variable)).toEqual(['MESHGOV_HUB_URL']);
  settings.MESHGOV_HUB_URL = 'https://hub.example.com/agent/findings';
  await expect(deps()).resolves.toMatchObject({ config: { hubUrl: new URL('https://hub.example.com/agent/findings') } });
});
