import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RulesFileText } from './rules-files';
import type { PolicyFile } from './schema';

/**
 * The validated policy a deployed function reads instead of its rules YAML: written beside the
 * YAML at build time (write-snapshot.ts, run by the CDK app and .ci/scripts/build-gcp.ts), so
 * that the functions validate nothing at run time and carry neither zod nor a YAML parser.
 */
export const POLICY_SNAPSHOT_FILE = 'policy.snapshot.json';

/** Bumped whenever the shape below changes, so an old snapshot is never misread. */
export const POLICY_SNAPSHOT_FORMAT = 1;

export interface PolicySnapshot {
  format: typeof POLICY_SNAPSHOT_FORMAT;
  /** Every YAML file of the directory, in merge order, with the hash of the text it was validated from. */
  files: Array<{ name: string; sha256: string; value: PolicyFile }>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The validated values of `files` from the directory's snapshot, when there is one and it was
 * made from exactly these files (same names, same text); otherwise why not, for the error a
 * build that reads only snapshots gives.
 */
export function snapshotValues(dir: string, files: readonly RulesFileText[]): { values: PolicyFile[] } | { stale: string } {
  let snapshot: PolicySnapshot;
  try {
    snapshot = JSON.parse(readFileSync(path.join(dir, POLICY_SNAPSHOT_FILE), 'utf8')) as PolicySnapshot;
  } catch (err) {
    return { stale: `no readable ${POLICY_SNAPSHOT_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  if (snapshot?.format !== POLICY_SNAPSHOT_FORMAT || !Array.isArray(snapshot.files)) return { stale: `${POLICY_SNAPSHOT_FILE} is not format ${POLICY_SNAPSHOT_FORMAT}` };
  const names = files.map((f) => f.name).join(', ');
  if (snapshot.files.map((f) => f.name).join(', ') !== names) return { stale: `${POLICY_SNAPSHOT_FILE} was made from other files (${snapshot.files.map((f) => f.name).join(', ')}; here: ${names})` };
  const changed = files.find((f, i) => snapshot.files[i]!.sha256 !== sha256(f.text));
  if (changed) return { stale: `${changed.name} changed after ${POLICY_SNAPSHOT_FILE} was made` };
  return { values: snapshot.files.map((f) => f.value) };
}

/**
 * The esbuild `define` of every deployed bundle (the CDK app, .ci/scripts/build-gcp.ts, the
 * cold-start bench): the policy loader then reads only snapshots, and esbuild drops its require
 * of the full reader, so zod and the `yaml` parser stay out of the bundle (load.ts). esbuild
 * removes that dead branch when it minifies (syntax), which every deployed build does.
 */
export const SNAPSHOT_ONLY_DEFINE: Readonly<Record<string, string>> = { 'process.env.MESHGOV_POLICY_SNAPSHOT_ONLY': JSON.stringify('true') };
