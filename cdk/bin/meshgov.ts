#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { MeshGovernanceStack } from '../lib/mesh-governance-stack';

const app = new App();
new MeshGovernanceStack(app, 'MeshGovernance', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
