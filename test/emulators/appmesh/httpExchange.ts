import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AppMeshError, errorTypeHeader } from './appMeshErrors';
import type { JsonObject } from './storedResource';

/** Reading requests and writing responses the way an AWS restJson1 service does. */

/** The request body as a JSON object; an empty body is `{}`. */
export function parseJsonBody(raw: string): JsonObject {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new AppMeshError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppMeshError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return parsed as JsonObject;
}

export function sendJson(res: ServerResponse, status: number, body: JsonObject, extraHeaders: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...extraHeaders,
  });
  res.end(payload);
}

/** Error name in `x-amzn-ErrorType`, and `{ "message": … }` as the body. */
export function sendError(res: ServerResponse, error: AppMeshError): void {
  sendJson(res, error.statusCode, { message: error.message }, { 'x-amzn-errortype': errorTypeHeader(error.errorName) });
}
