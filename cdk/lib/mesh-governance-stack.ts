import { Annotations, Stack, Token, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { readConfig } from './config';
import { MeshGovernance } from './mesh-governance';

/** The meshgov hub stack: the MeshGovernance construct, configured from cdk.json context. */
export class MeshGovernanceStack extends Stack {
  readonly governance: MeshGovernance;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.templateOptions.description = 'meshgov: governance for service meshes spanning AWS App Mesh and Istio';
    const config = readConfig(this.node);
    this.governance = new MeshGovernance(this, 'MeshGov', { config });
    // App Mesh is regional and the hub reads it where it runs. An environment-agnostic synth
    // (no AWS configuration: the region is a token) cannot be checked, so that is not an error.
    if (!Token.isUnresolved(this.region) && !config.regions.includes(this.region)) {
      Annotations.of(this).addWarningV2(
        'meshgov:region-not-listed',
        `this stack deploys to ${this.region}, which cdk.json context "meshgov:regions" does not list (${config.regions.join(', ')}): the hub audits App Mesh in ${this.region} only`,
      );
    }
  }
}
