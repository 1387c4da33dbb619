import type { Ledger } from '../../core/ledger/types';
import type { GovernDeps } from '../../core/pipeline/govern';
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

/** The govern stage's dependencies, taken from the hub's (warnings from govern are logged as such). */
export function governDepsOf(deps: Pick<HubDeps, 'ledger' | 'policy' | 'notifier' | 'executors' | 'clock' | 'dryRun' | 'newId' | 'log'>): GovernDeps {
  return {
    ledger: deps.ledger,
    policy: deps.policy,
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    executors: deps.executors,
    clock: deps.clock,
    dryRun: deps.dryRun,
    newId: deps.newId,
    log: (message, fields) => deps.log('warn', message, fields),
    logError: (message, fields) => deps.log('error', message, fields),
    logInfo: (message, fields) => deps.log('info', message, fields),
  };
}
