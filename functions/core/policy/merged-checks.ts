import { DEFAULT_BURN_SEVERITIES } from '../rules/catalog';
import type { ConfigProblem, Severity } from '../model/types';
import type { SkippedCheck } from './errors';
import { formatPath, mergedSettings, settingLineFinder } from './read-policy-file';
import { readSetting, settingInForce, type RulesFileReading, type SettingReading } from './rules-file-reading';
import { SEVERITY_RANK } from './schema';
import { mergeUnitOf, overlaps, valueAt, type SettingPath } from './setting-paths';

/**
 * The checks that only the merged rules files can answer (load.ts). They run over what every
 * file gives that can be read, so that a broken file does not hold back the problems of the
 * others until it is fixed; where a setting such a check reads is in force from a broken file
 * and could not be read there, the check is skipped with a note naming that file, since any
 * verdict on it would be a guess.
 */
export interface MergedCheckResult {
  problems: ConfigProblem[];
  skipped: SkippedCheck[];
}

const NOTHING: MergedCheckResult = { problems: [], skipped: [] };

const PAGE_SEVERITY = ['rules', 'slo-latency-burn', 'pageSeverity'];
const TICKET_SEVERITY = ['rules', 'slo-latency-burn', 'ticketSeverity'];
const BURN_REMEDIATION = ['rules', 'slo-latency-burn', 'remediation'];
const SLOS = ['slos'];

/**
 * After the merge (the built-in rules, then a --rules copy; load.ts): a ticket-level burn graded
 * above the page-level one, where the two come from different files or one is left to its
 * default (DEFAULT_BURN_SEVERITIES); within one file the schema says it.
 */
export function burnSeverityOrder(files: readonly RulesFileReading[]): MergedCheckResult {
  const check = "the order of slo-latency-burn's pageSeverity and ticketSeverity";
  const page = settingInForce(files, PAGE_SEVERITY);
  const ticket = settingInForce(files, TICKET_SEVERITY);
  if (page.state === 'unread' || ticket.state === 'unread') {
    // With neither given readably anywhere, only the broken file's own problems are to say.
    const compared = files.some((f) => readSetting(f, PAGE_SEVERITY).state === 'read' || readSetting(f, TICKET_SEVERITY).state === 'read');
    if (!compared) return NOTHING;
    return page.state === 'unread' ? skip(page, check, PAGE_SEVERITY) : ticket.state === 'unread' ? skip(ticket, check, TICKET_SEVERITY) : NOTHING;
  }
  type Source = { severity: Severity; order: number; file?: string; text?: string };
  const source = (reading: SettingReading, fallback: Severity): Source =>
    reading.state === 'read' ? { severity: reading.value as Severity, order: files.indexOf(reading.from), file: reading.from.file, text: reading.from.text } : { severity: fallback, order: -1 };
  const pageAt = source(page, DEFAULT_BURN_SEVERITIES.page);
  const ticketAt = source(ticket, DEFAULT_BURN_SEVERITIES.ticket);
  if (!(SEVERITY_RANK[ticketAt.severity] > SEVERITY_RANK[pageAt.severity]) || (pageAt.file !== undefined && pageAt.file === ticketAt.file)) return NOTHING;
  const settingLine = settingLineFinder();
  const where = (s: Source, key: string) => (s.file && s.text ? `${s.file}:${settingLine(s.text, ['rules', 'slo-latency-burn', key])}` : 'the default');
  // Reported where the later of the two was set: the one that broke the order.
  const [at, key] = pageAt.order > ticketAt.order ? [pageAt, 'pageSeverity'] : [ticketAt, 'ticketSeverity'];
  return {
    problems: [
      {
        file: at.file!,
        line: settingLine(at.text!, ['rules', 'slo-latency-burn', key]),
        field: formatPath(['rules', 'slo-latency-burn', key]),
        message: `ticketSeverity ${ticketAt.severity} (${where(ticketAt, 'ticketSeverity')}) is above pageSeverity ${pageAt.severity} (${where(pageAt, 'pageSeverity')}): a page-level burn is the faster one and needs the same or a higher severity`,
      },
    ],
    skipped: [],
  };
}

/**
 * After the merge: an SLO's `autoRollbackOwnChanges: true` does nothing while rule
 * slo-latency-burn's remediation (the last file that sets it; rules/mesh.yaml ships approval)
 * is not auto, since the rule caps every rollback (core/slo/rollback.ts). Said where the SLO
 * asks for it, so the setting is never silently dead; also when that SLO has problems of its
 * own, since the setting does nothing whatever they are.
 */
export function rollbacksWithoutAuto(files: readonly RulesFileReading[]): MergedCheckResult {
  const check = "whether autoRollbackOwnChanges: true can take effect under slo-latency-burn's remediation";
  // The SLO list in force is the last file's that gives one: a later list replaces an earlier one whole.
  const givers = files.filter((f) => readSetting(f, SLOS).state !== 'absent');
  const inForce = givers[givers.length - 1];
  if (!inForce) return NOTHING;
  const asking = rollbackRequests(inForce);
  if (asking === undefined) {
    // The list in force cannot be read; it matters only if it may replace one that asks.
    const list = readSetting(inForce, SLOS);
    const replaced = givers.slice(0, -1).some((f) => (rollbackRequests(f) ?? []).length > 0);
    return replaced && list.state === 'unread' ? skip(list, check, SLOS) : NOTHING;
  }
  if (asking.length === 0) return NOTHING;
  const mode = settingInForce(files, BURN_REMEDIATION);
  if (mode.state === 'unread') return skip(mode, check, BURN_REMEDIATION);
  if (mode.state === 'read' && mode.value === 'auto') return NOTHING;
  // Lines only for a problem to report: finding one loads and runs the YAML reader of positions.
  const settingLine = settingLineFinder();
  // A directory validated on its own leaves the rule to the built-in rules, which ship approval.
  const ruleMode = mode.state === 'read' ? `${String(mode.value)} (${mode.from.file}:${settingLine(mode.from.text, BURN_REMEDIATION)})` : 'approval (as the built-in rules set it)';
  return {
    problems: asking.map((i) => {
      const path = ['slos', i, 'autoRollbackOwnChanges'];
      return {
        file: inForce.file,
        line: settingLine(inForce.text, path),
        field: formatPath(path),
        message: `autoRollbackOwnChanges: true does nothing while rule slo-latency-burn's remediation is ${ruleMode}, which caps every rollback: set remediation: auto on the rule to let meshgov undo its own changes without asking, or remove this setting`,
      };
    }),
    skipped: [],
  };
}

/** The indexes of a file's SLOs that ask autoRollbackOwnChanges: true; undefined when its list cannot be read as a list. */
function rollbackRequests(f: RulesFileReading): number[] | undefined {
  const list = valueAt(f.partial ? f.partial.data : f.value, SLOS);
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((_, i) => {
    const asks = readSetting(f, ['slos', i, 'autoRollbackOwnChanges']);
    return asks.state === 'read' && asks.value === true ? [i] : [];
  });
}

/**
 * Settings-conflict comparisons (read-policy-file.ts settingConflicts) that could not be made
 * because a file of the directory could not be read where another file of it gives the same
 * setting: once that file is fixed, the two may conflict.
 */
export function conflictsNotCompared(files: readonly RulesFileReading[]): SkippedCheck[] {
  const settingLine = settingLineFinder();
  const out: SkippedCheck[] = [];
  const purpose = 'for settings two files give differently';
  for (const broken of files) {
    const others = files.filter((f) => f !== broken);
    const seen = new Set<string>();
    for (const u of broken.partial?.unread ?? []) {
      // An unknown key is reported with the key it was likely meant to be: nothing more is known.
      if (u.unknownKey !== undefined) continue;
      const unit = mergeUnitOf(u.path);
      const field = formatPath(unit);
      if (seen.has(field)) continue;
      seen.add(field);
      if (unit.length === 0) {
        const names = others.filter((f) => mergedSettings(f.value).length > 0).map((f) => f.file);
        if (names.length > 0) out.push({ file: broken.file, line: u.line, message: `this file does not parse, so its settings were not compared with those of ${listed(names)} ${purpose}; validate again once it parses` });
        continue;
      }
      const givers = others.flatMap((f) => mergedSettings(f.value).flatMap(([path]) => (overlaps(path, unit) ? [`${f.file}:${settingLine(f.text, path)}`] : [])));
      if (givers.length === 0) continue;
      out.push({ file: broken.file, line: u.line, field, message: `${field} could not be read here, so it was not compared with ${listed(givers)}, which ${givers.length === 1 ? 'sets' : 'set'} it too, ${purpose}; validate again once it is fixed` });
    }
  }
  return out;
}

/** At most three places, and how many more: a note stays one readable line. */
function listed(places: readonly string[]): string {
  const shown = places.slice(0, 3).join(', ');
  return places.length > 3 ? `${shown} and ${places.length - 3} more` : shown;
}

type Unread = Extract<SettingReading, { state: 'unread' }>;

/** The note for `check`, skipped because `setting`, in force from a broken file, could not be read there. */
function skip(reading: Unread, check: string, setting: SettingPath): MergedCheckResult {
  const { from, at } = reading;
  const name = formatPath(setting);
  const again = 'validate again once it is fixed';
  let note: SkippedCheck;
  if (at.path.length === 0 && at.unknownKey === undefined) {
    note = { file: from.file, line: at.line, message: `${check} was not checked: it reads ${name}, and this file, which does not parse, may set it; validate again once it parses` };
  } else if (at.unknownKey !== undefined) {
    const key = formatPath([...at.path, at.unknownKey]);
    note = { file: from.file, line: at.line, field: key, message: `${check} was not checked: it reads ${name}, which this unknown key may be meant to set; ${again}` };
  } else {
    note = { file: from.file, line: at.line, field: formatPath(at.path), message: `${check} was not checked: it reads ${name}, which this file sets but could not be read; ${again}` };
  }
  return { problems: [], skipped: [note] };
}
