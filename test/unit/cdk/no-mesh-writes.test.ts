/**
 * An empty meshgov:meshes audits every mesh and grants no App Mesh write: with dry run off, every
 * fix that runs would fail with AccessDenied, so `cdk synth` says so.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { MeshGovernance } from '../../../cdk/lib/mesh-governance';

function warnings(meshes: string[], dryRun: boolean): string[] {
  // No bundling: only the construct's own decisions are under test.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'MeshGovernance', { env: { account: '111122223333', region: 'us-west-2' } });
  new MeshGovernance(stack, 'MeshGov', { config: { meshes, regions: ['us-west-2'], dryRun, schedule: 'cron(0 6 * * ? *)', sloSchedule: 'rate(1 hour)' } });
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('meshgov:meshes')).map((w) => String(w.entry.data));
}

describe('meshgov:meshes empty', () => {
  it('warns at synth when dry run is off: no App Mesh write is granted, so fixes would fail with AccessDenied', () => {
    expect(warnings([], false)).toEqual([expect.stringMatching(/"meshgov:meshes" is empty and "meshgov:dryRun" is false: .*no App Mesh write.*AccessDenied/)]);
  });

  it.each([
    [[], true],
    [['prod-mesh'], false],
  ])('says nothing for meshes %j with dry run %s', (meshes, dryRun) => {
    expect(warnings(meshes, dryRun)).toEqual([]);
  });
});
