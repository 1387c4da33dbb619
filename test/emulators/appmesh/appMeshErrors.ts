/**
 * App Mesh errors as the service sends them.
 *
 * Source: the error shapes of the App Mesh Smithy model (`@aws-sdk/client-app-mesh`,
 * `schemas_0.js`: `httpError` trait of each `*Exception`). A restJson1 client reads the error
 * name from the `x-amzn-errortype` header first, then from `code` and `__type` in the body
 * (`loadRestJsonErrorCode` in `@smithy/core/protocols`), dropping anything after a `:`;
 * the message comes from `message` in the body.
 */

export const APP_MESH_ERROR_STATUS = {
  BadRequestException: 400,
  ConflictException: 409,
  ForbiddenException: 403,
  InternalServerErrorException: 500,
  LimitExceededException: 400,
  NotFoundException: 404,
  ResourceInUseException: 409,
  ServiceUnavailableException: 503,
  TooManyRequestsException: 429,
  TooManyTagsException: 400,
} as const;

export type AppMeshErrorName = keyof typeof APP_MESH_ERROR_STATUS;

/**
 * Errors the AWS front door sends before the request reaches App Mesh; they are not in the
 * App Mesh model, so the SDK surfaces them as its base `AppMeshServiceException` (named after
 * the error). IAM's denial is one: "AccessDeniedException … is not authorized to perform:
 * appmesh:ListMeshes on resource: *".
 */
export const PROTOCOL_ERROR_STATUS = {
  AccessDeniedException: 403,
  MissingAuthenticationTokenException: 403,
  UnknownOperationException: 404,
  SerializationException: 400,
} as const;

export type ProtocolErrorName = keyof typeof PROTOCOL_ERROR_STATUS;

export type EmulatorErrorName = AppMeshErrorName | ProtocolErrorName;

/** The error the emulator answers with for a scripted status code. */
const ERROR_FOR_STATUS: Record<number, AppMeshErrorName> = {
  400: 'BadRequestException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  409: 'ConflictException',
  429: 'TooManyRequestsException',
  500: 'InternalServerErrorException',
  503: 'ServiceUnavailableException',
};

export class AppMeshError extends Error {
  readonly errorName: EmulatorErrorName;
  readonly statusCode: number;

  constructor(errorName: EmulatorErrorName, message: string) {
    super(message);
    this.name = errorName;
    this.errorName = errorName;
    this.statusCode = statusOfError(errorName);
  }
}

export function statusOfError(errorName: EmulatorErrorName): number {
  if (errorName in APP_MESH_ERROR_STATUS) return APP_MESH_ERROR_STATUS[errorName as AppMeshErrorName];
  return PROTOCOL_ERROR_STATUS[errorName as ProtocolErrorName];
}

export function isAppMeshErrorName(value: string): value is AppMeshErrorName {
  return Object.prototype.hasOwnProperty.call(APP_MESH_ERROR_STATUS, value);
}

export function isEmulatorErrorName(value: string): value is EmulatorErrorName {
  return isAppMeshErrorName(value) || Object.prototype.hasOwnProperty.call(PROTOCOL_ERROR_STATUS, value);
}

/** Maps a scripted HTTP status to the App Mesh error the service uses for it. */
export function errorNameForStatus(status: number): AppMeshErrorName {
  const name = ERROR_FOR_STATUS[status];
  if (!name) {
    throw new RangeError(
      `App Mesh has no error with HTTP status ${status}; use one of ${Object.keys(ERROR_FOR_STATUS).join(', ')}`,
    );
  }
  return name;
}

/**
 * The `x-amzn-ErrorType` value: the error name, then the Coral namespace after a colon, the
 * way AWS restJson services send it (the SDK keeps only the part before the colon).
 */
export function errorTypeHeader(errorName: EmulatorErrorName): string {
  return `${errorName}:http://internal.amazon.com/coral/com.amazonaws.appmesh/`;
}
