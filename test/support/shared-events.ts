import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The real-shaped event payloads from shared/events (copied into test/fixtures/shared-events so
 * a clone is self-contained; see that folder's README for the sources of each shape).
 */
export const SHARED_EVENTS_DIR = path.resolve(__dirname, '../fixtures/shared-events');

/** A fresh deep copy of one payload, e.g. `sharedEvent('aws/scheduled-event.json')`, for tests to vary. */
export function sharedEvent<T = any>(relative: string): T {
  return JSON.parse(readFileSync(path.join(SHARED_EVENTS_DIR, relative), 'utf8')) as T;
}
