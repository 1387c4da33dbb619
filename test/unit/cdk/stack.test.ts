import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MeshGovernanceStack } from '../../../cdk/lib/mesh-governance-stack';

describe('MeshGovernanceStack', () => {
  it('synthesizes with its description', () => {
    const app = new App();
    const stack = new MeshGovernanceStack(app, 'MeshGovernance');
    const template = Template.fromStack(stack).toJSON();
    expect(template.Description).toMatch(/meshgov/);
  });
});
