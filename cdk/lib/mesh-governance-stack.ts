import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { readConfig } from './config';
import { MeshGovernance } from './mesh-governance';

/** The meshgov hub stack: the MeshGovernance construct, configured from cdk.json context. */
export class MeshGovernanceStack extends Stack {
  readonly governance: MeshGovernance;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.templateOptions.description = 'meshgov: governance for service meshes spanning AWS App Mesh and Istio';
    this.governance = new MeshGovernance(this, 'MeshGov', { config: readConfig(this.node) });
  }
}
