import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, readConfig } from '../../../cdk/lib/config';
import { MeshGovernanceStack } from '../../../cdk/lib/mesh-governance-stack';

// Synthesis bundles every function with esbuild: seconds each, more when suites run in parallel.
jest.setTimeout(180_000);

const BASE = { 'meshgov:meshes': ['prod-mesh'], 'meshgov:regions': ['us-west-2'], 'meshgov:dryRun': true };
const TEAM = 'T04MG8VQ2KX';
const APP = 'A07MGVQ3N5R';

describe('the Slack workspace and app ids from cdk.json context', () => {
  const configOf = (context: Record<string, unknown>) => readConfig(new App({ context: { ...BASE, ...context } }).node);

  it('are set on the Slack actions function, so a redeploy keeps them', () => {
    const app = new App({ context: { ...BASE, 'meshgov:slackTeamId': TEAM, 'meshgov:slackAppId': APP } });
    const template = Template.fromStack(new MeshGovernanceStack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } }));
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    const slackActions = functions.find((f) => /Slack interactivity/.test(f.Properties.Description))!;
    expect(slackActions.Properties.Environment.Variables).toMatchObject({ MESHGOV_SLACK_TEAM_ID: TEAM, MESHGOV_SLACK_APP_ID: APP });
  });

  it('meshgov:slackChannel reaches every hub function as the channel for findings no team owns', () => {
    const app = new App({ context: { ...BASE, 'meshgov:slackChannel': '#mesh-governance-staging' } });
    const template = Template.fromStack(new MeshGovernanceStack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } }));
    const hubFunctions = (Object.values(template.findResources('AWS::Lambda::Function')) as any[]).filter((f) => f.Properties.Environment?.Variables?.MESHGOV_LEDGER_TABLE);
    expect(hubFunctions.length).toBeGreaterThanOrEqual(4);
    for (const f of hubFunctions) expect(f.Properties.Environment.Variables.MESHGOV_DEFAULT_CHANNEL).toBe('#mesh-governance-staging');
  });

  it('are optional, and a wrong id is refused naming the key', () => {
    expect(configOf({})).not.toHaveProperty('slackTeamId');
    expect(configOf({ 'meshgov:slackTeamId': TEAM, 'meshgov:slackAppId': APP })).toMatchObject({ slackTeamId: TEAM, slackAppId: APP });
    expect(() => configOf({ 'meshgov:slackTeamId': 'workspace' })).toThrow(new ConfigError('meshgov:slackTeamId', '"workspace" is not a Slack workspace id such as T04MG8VQ2KX'));
    expect(() => configOf({ 'meshgov:slackAppId': 'T04MG8VQ2KX' })).toThrow(/meshgov:slackAppId/);
  });
});
