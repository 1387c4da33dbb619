/**
 * Live App Mesh: the reader (an InventorySource over the App Mesh API), the writer (a
 * RemediationExecutor for the App Mesh fixes), and the CloudTrail event → scope translation.
 * Free of Lambda specifics: the handlers in functions/aws wire these to events.
 *
 * @example
 * const cache = new MeshSnapshotCache();
 * const source = appMeshSource({ region: 'us-west-2', requestsPerSecond: 40, cache });
 * const executor = appMeshExecutor({ region: 'us-west-2', accountId: '111122223333', cache });
 * const result = readCloudTrailEvent(event);
 * if (result.kind === 'scope') {
 *   const scoped = await auditScope(result.trigger, result.scope, { source, builders: [buildAppMeshModel], policy, clock });
 *   await govern(scoped, { ledger, policy, executors: [executor], clock, dryRun, newId });
 * }
 */
export { appMeshSource, DEFAULT_CONCURRENCY, DEFAULT_SNAPSHOT_MAX_AGE_MS, type AppMeshSource, type AppMeshSourceOptions, type CollectStats } from './reader';
export { appMeshExecutor, type AppMeshExecutor, type AppMeshExecutorOptions } from './writer';
export {
  scopeFromCloudTrail,
  readCloudTrailEvent,
  CloudTrailEventError,
  type AppMeshResourceScope,
  type CloudTrailEventProblem,
  type CloudTrailScopeResult,
} from './scope-from-cloudtrail';
export { createAppMeshClient, DEFAULT_MAX_ATTEMPTS, type AppMeshClientOptions } from './client';
export { MeshSnapshot, MeshSnapshotCache, type ApplyOutcome } from './mesh-snapshot';
export { RequestRateLimiter, installRateLimit, type RateLimitOptions } from './rate-limiter';
export { ConcurrencyLimit } from './concurrency-limit';
export { CallStats } from './call-stats';
export { AppMeshCallError } from './errors';
export { clientTokenFor } from './client-token';
export { PAGE_SIZE } from './api-kinds';
