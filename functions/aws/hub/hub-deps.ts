import type { Ledger } from '../../core/ledger/types';
import type { ModelBuilder } from '../../core/model/provider';
import type { InventorySource, Notifier, RemediationExecutor } from '../../core/pipeline/ports';
import type { Policy } from '../../core/policy/types';
import type { ClassifyOptions } from '../events/classify-event';

/** Everything a hub function needs, built once per Lambda container (see hub/wire.ts) or by a test. */
export interface HubDeps extends ClassifyOptions {
  source: InventorySource;
  builders: ModelBuilder[];
  policy: Policy;
  ledger: Ledger;
  notifier?: Notifier;
  executors: RemediationExecutor[];
  clock: () => Date;
  dryRun: boolean;
  newId: (prefix: string) => string;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}
