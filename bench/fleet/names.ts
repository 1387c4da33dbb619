/** Word lists that make generated namespaces and workloads read like a real shop's. */

export const DOMAINS = [
  'checkout', 'orders', 'payments', 'catalog', 'search', 'inventory', 'shipping', 'billing',
  'identity', 'reviews', 'pricing', 'promotions', 'notifications', 'analytics', 'fulfillment',
  'returns', 'loyalty', 'ads', 'media', 'support', 'ledger', 'fraud', 'tax', 'warehouse',
] as const;

/** Twenty roles: a namespace of about twenty workloads gets each role at most once. */
export const ROLES = [
  'api', 'web', 'worker', 'gateway', 'db-proxy', 'cache', 'scheduler', 'indexer', 'exporter',
  'consumer', 'publisher', 'auth', 'ledger', 'router', 'sync', 'reports', 'events', 'admin',
  'grpc', 'batch',
] as const;

export const IMAGE_REGISTRY = 'us-docker.pkg.dev/meshgov-demo';
