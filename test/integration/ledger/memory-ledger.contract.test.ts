import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { describeLedgerContract } from './ledger-contract';

// MemoryLedger compares expiresAt with its clock, as DynamoDbLedger does, so it runs the expiry cases too.
describeLedgerContract('MemoryLedger', { create: async (clock) => new MemoryLedger(clock), skipsExpiredItems: true });
