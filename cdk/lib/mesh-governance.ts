import { Construct } from 'constructs';
import type { MeshGovConfig } from './config';
import { AppMeshAuditor } from './constructs/app-mesh-auditor';
import { LedgerTables } from './constructs/ledger-tables';

export interface MeshGovernanceProps {
  config: MeshGovConfig;
}

/**
 * meshgov's hub on AWS, as one construct a team can drop into its own CDK app: the ledger,
 * and the App Mesh auditor that every App Mesh change, Config item, ACM expiry event and the
 * schedule reach.
 *
 * @example
 *   new MeshGovernance(stack, 'MeshGov', { config: { meshes: ['prod-mesh'], regions: ['us-west-2'], dryRun: true, schedule: 'cron(0 6 * * ? *)' } });
 */
export class MeshGovernance extends Construct {
  readonly tables: LedgerTables;
  readonly appMeshAuditor: AppMeshAuditor;

  constructor(scope: Construct, id: string, props: MeshGovernanceProps) {
    super(scope, id);
    this.tables = new LedgerTables(this, 'Tables');
    this.appMeshAuditor = new AppMeshAuditor(this, 'AppMesh', {
      config: props.config,
      ledger: this.tables.ledger,
      idempotency: this.tables.idempotency,
    });
  }
}
