import type { SloDefinition } from '../../core/slo/definition';
import { parseSloAlarmName } from '../../providers/metrics/cloudwatch/alarm-specs';
import type { AlarmStateChange } from './alarm-event';

/**
 * The App Mesh SLO an alarm watches: by name for the alarms meshgov generates
 * (`meshgov-slo-<slo>-<kind>-<long>-<short>`), else by the dimensions of its metrics: the
 * Mesh and the virtual node that serves the SLO (TargetVirtualNode for a caller-side metric,
 * else VirtualNode).
 */
export function sloOfAlarm(alarm: AlarmStateChange, slos: SloDefinition[]): SloDefinition | undefined {
  const appMesh = slos.filter((s) => s.mesh === 'appmesh');
  const named = parseSloAlarmName(alarm.alarmName);
  if (named) return appMesh.find((s) => s.name === named.sloName);
  for (const dims of alarm.dimensions) {
    const node = dims.TargetVirtualNode ?? dims.VirtualNode;
    if (!dims.Mesh || !node) continue;
    const slo = appMesh.find((s) => s.meshName === dims.Mesh && (s.virtualNode ?? s.service) === node);
    if (slo) return slo;
  }
  return undefined;
}
