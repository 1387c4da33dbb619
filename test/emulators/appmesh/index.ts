/**
 * AWS App Mesh API emulator for tests: a real HTTP server on loopback speaking App Mesh's
 * restJson1 protocol (API version 2019-01-25), for `@aws-sdk/client-app-mesh` with `endpoint`
 * set to its URL. See startAppMeshEmulator.ts for the API.
 */
export {
  startAppMeshEmulator,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  type AppMeshEmulator,
  type AppMeshEmulatorOptions,
  type AppMeshStateView,
  type TouchOptions,
} from './startAppMeshEmulator';
export type { AppMeshSeed, SeedMetadata, SeedOf } from './seedTypes';
export type { OperationName } from './operationNames';
export type { OperationSelector, ThrottleOptions } from './faultInjector';
export type { RecordedRequest } from './handleAppMeshRequest';
export type { AppMeshErrorName } from './appMeshErrors';
export type { ResourceKind } from './resourceKinds';
export type { JsonObject } from './storedResource';
