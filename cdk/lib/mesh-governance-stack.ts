import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The meshgov hub on AWS. It holds the deployment's configuration; the functions, event
 * rules, ledger and Slack endpoint are added by the features that need them.
 */
export class MeshGovernanceStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.templateOptions.description = 'meshgov: governance for service meshes spanning AWS App Mesh and Istio';
  }
}
