/**
 * Errors as ACM and ACM Private CA send them over awsJson1_1.
 *
 * Names come from the Smithy models compiled into the installed SDKs (`@aws-sdk/client-acm`
 * `dist-cjs/index.js`, `@aws-sdk/client-acm-pca` `dist-cjs/index.js`: every modelled error of
 * these operations is a client error, HTTP 400) and from the AWS "Common Errors" pages
 * (InternalFailure 500, ServiceUnavailable 503, ThrottlingException 400, …). The ACM-PCA API
 * Reference says a throttled request gets `ThrottlingException`, though the PCA model does not
 * list it: the SDK then raises its base exception, and its retry strategy still recognises
 * the name as throttling.
 *
 * An awsJson client reads the error name from `__type` in the body (or the `x-amzn-ErrorType`
 * header), keeping what follows a `#` (`loadJsonRpcErrorCode` in `@smithy/core/protocols`),
 * and the message from `message` (or `Message`).
 */

export type AcmService = 'acm' | 'acm-pca';

/** The Smithy namespace that prefixes `__type`. */
export const SERVICE_NAMESPACE: Record<AcmService, string> = {
  acm: 'com.amazonaws.acm',
  'acm-pca': 'com.amazonaws.acmpca',
};

/** Errors modelled by each service that the emulated operations can return (all HTTP 400). */
const MODELLED_ERRORS: Record<AcmService, readonly string[]> = {
  acm: [
    'AccessDeniedException',
    'InvalidArgsException',
    'InvalidArnException',
    'InvalidParameterException',
    'InvalidStateException',
    'RequestInProgressException',
    'ResourceNotFoundException',
    'ThrottlingException',
    'ValidationException',
  ],
  'acm-pca': [
    'InvalidArgsException',
    'InvalidArnException',
    'InvalidRequestException',
    'InvalidStateException',
    'RequestFailedException',
    'RequestInProgressException',
    'ResourceNotFoundException',
  ],
};

/** Errors any AWS service may answer with (API Reference "Common Errors"), with their status. */
const COMMON_ERRORS: Record<string, number> = {
  AccessDeniedException: 400,
  IncompleteSignature: 400,
  InternalFailure: 500,
  MissingAuthenticationTokenException: 403,
  SerializationException: 400,
  ServiceUnavailable: 503,
  ThrottlingException: 400,
  UnknownOperationException: 400,
  ValidationException: 400,
};

/** The error a scripted HTTP status stands for. */
const ERROR_FOR_STATUS: Record<number, string> = {
  400: 'ValidationException',
  403: 'MissingAuthenticationTokenException',
  500: 'InternalFailure',
  503: 'ServiceUnavailable',
};

export class AwsJsonError extends Error {
  constructor(
    readonly errorName: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = errorName;
  }
}

/** The HTTP status of a named error for a service; undefined when neither the model nor the common list has it. */
export function statusOfError(service: AcmService, errorName: string): number | undefined {
  if (MODELLED_ERRORS[service].includes(errorName)) return 400;
  return COMMON_ERRORS[errorName];
}

/** An error by name; throws RangeError for a name the service cannot send. */
export function awsJsonError(service: AcmService, errorName: string, message: string): AwsJsonError {
  const status = statusOfError(service, errorName);
  if (status === undefined) {
    throw new RangeError(`${service} has no error ${errorName}; use one of ${[...MODELLED_ERRORS[service], ...Object.keys(COMMON_ERRORS)].join(', ')}`);
  }
  return new AwsJsonError(errorName, status, message);
}

/** The error name for a scripted status code. */
export function errorNameForStatus(status: number): string {
  const name = ERROR_FOR_STATUS[status];
  if (!name) throw new RangeError(`no error is scripted for HTTP ${status}; use one of ${Object.keys(ERROR_FOR_STATUS).join(', ')}`);
  return name;
}

/** The awsJson1_1 error body: `__type` carries the namespaced name. */
export function errorBody(service: AcmService, error: AwsJsonError): string {
  return JSON.stringify({ __type: `${SERVICE_NAMESPACE[service]}#${error.errorName}`, message: error.message });
}
