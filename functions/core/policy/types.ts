import type { RemediationMode, RuleId } from '../findings';
import type { Severity } from '../model/types';
import type { Exclusion, FreezeWindow, SlackRoute, Team } from './schema';

export type { Exclusion, FreezeWindow, SlackRoute, Team };

/** A rule's settings after merging the rules files over the built-in defaults. */
export interface RuleSettings {
  enabled: boolean;
  severity: Severity;
  remediation: RemediationMode;
  exclude: Exclusion[];
  tiers: Array<{ withinDays: number; severity: Severity }>;
  pageSeverity: Severity;
  ticketSeverity: Severity;
}

export interface RemediationSafety {
  dryRun: boolean;
  maxChangesPerRun: number;
  maxChangesPerHour: number;
  approvalTtlHours: number;
  reminderHours: number;
  freezeWindows: FreezeWindow[];
}

/** The governance policy every stage reads. */
export interface Policy {
  rules: Record<RuleId, RuleSettings>;
  ownership: { default?: SlackRoute; teams: Team[] };
  remediation: RemediationSafety;
  sources: { appmesh?: { meshes?: string[]; regions?: string[] }; istio?: { namespaces?: string[]; rootNamespace?: string; enhancedDestinationRuleMerge?: boolean } };
  slos: Array<Record<string, unknown>>;
  /** The files it was read from, in merge order. */
  files: string[];
}
