import type { RuleId } from '../findings';
import { certExpired } from './cert-expired';
import { certExpiring } from './cert-expiring';
import { configInvalid } from './config-invalid';
import { meshSidecarMissing } from './mesh-sidecar-missing';
import { mtlsClientNotEnforced } from './mtls-client-not-enforced';
import { mtlsConflict } from './mtls-conflict';
import { mtlsCrossMeshDrift } from './mtls-cross-mesh-drift';
import { mtlsNotStrict } from './mtls-not-strict';
import type { Rule } from './rule';
import { sloLatencyBurn } from './slo-latency-burn';
import { sloNoData } from './slo-no-data';

/** Every rule, one per contract rule id. */
export const RULES: Record<RuleId, Rule> = {
  'mtls-not-strict': mtlsNotStrict,
  'mtls-client-not-enforced': mtlsClientNotEnforced,
  'mtls-conflict': mtlsConflict,
  'mtls-cross-mesh-drift': mtlsCrossMeshDrift,
  'cert-expiring': certExpiring,
  'cert-expired': certExpired,
  'slo-latency-burn': sloLatencyBurn,
  'config-invalid': configInvalid,
  'mesh-sidecar-missing': meshSidecarMissing,
  'slo-no-data': sloNoData,
};
