import { EventError } from '../events/event-error';

/**
 * A CloudWatch "Alarm State Change" event as EventBridge delivers it (source aws.cloudwatch;
 * shape: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
 * Metric-math alarms list their metrics under detail.configuration.metrics[].metricStat.metric;
 * composite alarms have no metrics at all, so dimensions may be empty.
 */
export interface AlarmStateChange {
  eventId: string;
  time: string;
  alarmName: string;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  previousState?: string;
  reason?: string;
  /** The dimensions of every metric the alarm reads, in order. */
  dimensions: Array<Record<string, string>>;
}

const STATES = new Set(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

/** Validates the fields meshgov reads; a thrown EventError names the first one that is wrong. */
export function parseAlarmStateChange(value: unknown): AlarmStateChange {
  const event = object(value, '(event)');
  const id = typeof event.id === 'string' ? event.id : undefined;
  const fail = (field: string, message: string): never => {
    throw new EventError(field, message, id);
  };
  if (id === undefined) fail('id', 'missing or not a string');
  if (event['detail-type'] !== 'CloudWatch Alarm State Change') fail('detail-type', `expected "CloudWatch Alarm State Change", got ${JSON.stringify(event['detail-type'])}`);
  if (typeof event.time !== 'string' || Number.isNaN(Date.parse(event.time))) fail('time', 'missing or not an ISO time');
  if (typeof event.detail !== 'object' || event.detail === null) fail('detail', 'missing or not an object');
  const detail = event.detail as Record<string, unknown>;
  if (typeof detail.alarmName !== 'string' || detail.alarmName === '') fail('detail.alarmName', 'missing or not a string');
  const state = detail.state as Record<string, unknown> | undefined;
  if (typeof state !== 'object' || state === null) fail('detail.state', 'missing or not an object');
  if (typeof state!.value !== 'string' || !STATES.has(state!.value)) fail('detail.state.value', `expected ALARM, OK or INSUFFICIENT_DATA, got ${JSON.stringify(state!.value)}`);

  const dimensions: Array<Record<string, string>> = [];
  const configuration = detail.configuration as { metrics?: unknown } | undefined;
  const metrics = configuration?.metrics;
  if (metrics !== undefined && !Array.isArray(metrics)) fail('detail.configuration.metrics', 'not a list');
  for (const [index, metric] of ((metrics as unknown[] | undefined) ?? []).entries()) {
    const dims = (metric as { metricStat?: { metric?: { dimensions?: unknown } } })?.metricStat?.metric?.dimensions;
    if (dims === undefined) continue;
    if (typeof dims !== 'object' || dims === null || Object.values(dims).some((v) => typeof v !== 'string')) {
      fail(`detail.configuration.metrics[${index}].metricStat.metric.dimensions`, 'not a map of strings');
    }
    dimensions.push(dims as Record<string, string>);
  }
  const previous = (detail.previousState as { value?: unknown } | undefined)?.value;
  return {
    eventId: id!,
    time: event.time as string,
    alarmName: detail.alarmName as string,
    state: state!.value as AlarmStateChange['state'],
    ...(typeof previous === 'string' ? { previousState: previous } : {}),
    ...(typeof state!.reason === 'string' ? { reason: state!.reason } : {}),
    dimensions,
  };
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EventError(field, 'not a JSON object');
  return value as Record<string, unknown>;
}
