/**
 * A resource as an event or a caller hands it over, checked against the resource it claims to
 * be and brought into the SDK's `*Data` shape. CloudTrail writes the timestamps of
 * `responseElements` as strings ("Nov 20, 2026 3:00:49 PM"), the SDK as Dates.
 */
import type { AppMeshApiType } from '../../../core/model/inventory';
import { API_KINDS } from './api-kinds';

export interface ExpectedIdentity {
  meshName: string;
  name: string;
  parentName?: string;
}

/**
 * `data` as `*Data` when it is an object naming exactly the expected resource; undefined when
 * it is not (then the caller reads the resource instead of trusting it).
 */
export function asApiData(type: AppMeshApiType, data: unknown, expected: ExpectedIdentity): Record<string, any> | undefined {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const kind = API_KINDS[type];
  const obj = data as Record<string, any>;
  if (obj.meshName !== expected.meshName || obj[kind.nameField] !== expected.name) return undefined;
  if (kind.parentField && expected.parentName !== undefined && obj[kind.parentField] !== expected.parentName) return undefined;
  if (!obj.spec || typeof obj.spec !== 'object') return undefined;
  const metadata = obj.metadata && typeof obj.metadata === 'object' ? { ...obj.metadata } : undefined;
  if (metadata) {
    for (const field of ['createdAt', 'lastUpdatedAt']) {
      const date = toDate(metadata[field]);
      if (date) metadata[field] = date;
      else delete metadata[field];
    }
  }
  return metadata ? { ...obj, metadata } : { ...obj };
}

/**
 * A timestamp as a Date: a Date, epoch seconds (the restJson1 wire form), ISO-8601, or
 * CloudTrail's `MMM d, yyyy h:mm:ss AM` rendering, which is UTC.
 */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value !== 'string' || value === '') return undefined;
  const cloudTrail = /^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/.test(value);
  const ms = Date.parse(cloudTrail ? `${value} UTC` : value);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}
