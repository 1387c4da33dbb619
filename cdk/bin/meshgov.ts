#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MeshGovernanceStack } from '../lib/mesh-governance-stack';
import { applyMeshGovernanceSuppressions } from '../lib/nag/suppressions';

const app = new App();
const stack = new MeshGovernanceStack(app, 'MeshGovernance', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// cdk-nag 3 is a policy-validation plugin (it replaced the v2 Aspect): `cdk synth` fails on
// any AwsSolutions finding that cdk/lib/nag/suppressions.ts does not acknowledge with a reason.
applyMeshGovernanceSuppressions(stack.governance);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
