import { unreadAt, type PartialReading, type UnreadSetting } from './partial-reading';
import type { PolicyFile } from './schema';
import { mergeUnitOf, valueAt, type SettingPath } from './setting-paths';

/** One rules file as the after-merge checks see it: all of it when it is valid, else what could be read. */
export interface RulesFileReading {
  file: string;
  text: string;
  /** Its settings: the whole file when valid, else only those that pass the schema. */
  value: PolicyFile;
  /** Set when the file has problems: what could not be read, and the data below it. */
  partial?: PartialReading;
}

/** A setting as one file, or the merged files, give it. */
export type SettingReading =
  | { state: 'absent' }
  | { state: 'read'; value: unknown; from: RulesFileReading }
  | { state: 'unread'; from: RulesFileReading; at: UnreadSetting };

/**
 * The setting at `path` in one file. Below a merge unit the schema refused (an SLO whose
 * threshold is wrong), a setting no problem touches is read from the data as parsed: its own
 * value passed the schema, and it says what its file means once the rest is fixed.
 */
export function readSetting(f: RulesFileReading, path: SettingPath): SettingReading {
  const at = f.partial && unreadAt(f.partial, path);
  if (at) return { state: 'unread', from: f, at };
  let value = valueAt(f.value, path);
  if (value === undefined && f.partial && valueAt(f.value, mergeUnitOf(path)) === undefined) value = valueAt(f.partial.data, path);
  return value === undefined ? { state: 'absent' } : { state: 'read', value, from: f };
}

/**
 * The setting in force after the merge: the last file (in merge order) that gives it, read or
 * not; absent when none does (the built-in default applies). `path` is a merge unit
 * (setting-paths.ts mergeUnitOf), which a later file replaces as a whole.
 */
export function settingInForce(files: readonly RulesFileReading[], path: SettingPath): SettingReading {
  for (let i = files.length - 1; i >= 0; i--) {
    const reading = readSetting(files[i]!, path);
    if (reading.state !== 'absent') return reading;
  }
  return { state: 'absent' };
}
