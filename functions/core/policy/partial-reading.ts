import type * as z from 'zod';
import { policyFileSchema, type PolicyFile } from './schema';
import { mergeUnitOf, overlaps, startsWith, valueAt, withoutKey, type SettingPath } from './setting-paths';

/**
 * What of a rules file with problems can still be read, so that the checks that run after the
 * merge (merged-checks.ts) need not wait for every file to pass its schema, and yet never judge
 * a setting the broken file gives but could not be read.
 */
export interface PartialReading {
  /** The settings (merge units, setting-paths.ts) that pass the schema, with its defaults applied. */
  value: PolicyFile;
  /** The data as parsed, for a check that reads below a merge unit (an SLO's one setting); undefined when the file does not parse. */
  data: unknown;
  /** Where the file says something that could not be read. */
  unread: UnreadSetting[];
}

export interface UnreadSetting {
  /** The setting at fault; [] for the whole file (it does not parse). */
  path: SettingPath;
  /** Its line, where a note about a check skipped because of it points. */
  line: number;
  /**
   * An unknown key in the mapping at `path`: it may be a misspelling of any key that mapping
   * leaves out (`remediaton: auto`), so those are unread; the keys it gives are read.
   */
  unknownKey?: string;
}

/** Finds the line of a setting, or of an unknown key in the mapping at `path`. */
export type SettingLineOf = (path: SettingPath, unknownKey?: string) => number;

/** A file that does not parse at all: every setting it may give is unread. */
export function unreadableFile(line: number): PartialReading {
  return { value: {}, data: undefined, unread: [{ path: [], line }] };
}

/** The settings the issues of the schema leave unread. */
export function unreadSettings(issues: readonly z.core.$ZodIssue[], lineOf: SettingLineOf): UnreadSetting[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path, line: lineOf(path, key), unknownKey: key }));
    return [{ path, line: lineOf(path) }];
  });
}

/** At most this many rounds of leaving out and validating again: each leaves out at least one merge unit more. */
const MAX_ROUNDS = 8;

/**
 * The readable part of a file that fails the schema: its data without the merge units the
 * problems touch, validated again (a refinement the first problems kept from running may find
 * more, which are left out too, never reported: they are about settings a person is still to
 * fix). Nothing is readable when the file is not a mapping, or the rounds do not settle.
 */
export function partialReading(data: unknown, firstUnread: readonly UnreadSetting[], issuesToUnread: (issues: readonly z.core.$ZodIssue[]) => UnreadSetting[]): PartialReading {
  const unread = [...firstUnread];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (unread.some((u) => u.path.length === 0 && u.unknownKey === undefined)) break;
    const kept = unread.reduce((d, u) => withoutKey(d, mergeUnitOf(u.unknownKey === undefined ? u.path : [...u.path, u.unknownKey])), data);
    const parsed = policyFileSchema.safeParse(kept);
    if (parsed.success) return { value: parsed.data, data, unread };
    const more = issuesToUnread(parsed.error.issues).filter((u) => !unread.some((known) => sameUnread(known, u)));
    if (more.length === 0) break;
    unread.push(...more);
  }
  return { value: {}, data, unread: [...unread, { path: [], line: unread[0]?.line ?? 1 }] };
}

function sameUnread(a: UnreadSetting, b: UnreadSetting): boolean {
  return a.unknownKey === b.unknownKey && a.path.length === b.path.length && startsWith(a.path, b.path);
}

/**
 * The unread setting that keeps `path` from being read in this file, if any: one that holds it or
 * lies under it, or an unknown key beside a key the mapping leaves out (a misspelling of it).
 */
export function unreadAt(reading: PartialReading, path: SettingPath): UnreadSetting | undefined {
  return reading.unread.find((u) => {
    if (u.unknownKey === undefined) return overlaps(path, u.path);
    if (path.length <= u.path.length || !startsWith(path, u.path)) return false;
    const mapping = valueAt(reading.data, u.path);
    return mapping === null || typeof mapping !== 'object' || !Object.hasOwn(mapping, String(path[u.path.length]));
  });
}
