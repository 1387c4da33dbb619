import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { describeLedgerContract } from './ledger-contract';

// MemoryLedger does not compare expiresAt, so the expiry cases are reported as skipped for it.
describeLedgerContract('MemoryLedger', { create: async (clock) => new MemoryLedger(clock), skipsExpiredItems: true });
