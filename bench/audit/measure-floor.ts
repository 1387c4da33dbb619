/**
 * The floor: the least any audit of the fleet must do. Reads every file and parses it with
 * the fastest parsers on npm (js-yaml `loadAll`, `JSON.parse`), choosing by file extension,
 * and nothing else. Run in a fresh process: `measure-floor.ts <fleet dir> [--keep]`.
 *
 * `--keep` holds every parsed document until the end instead of dropping each file's: the least
 * an audit that relates resources across files (a DestinationRule here, its workloads there)
 * must do. Reported beside the floor, for context; the target is against the floor itself.
 */
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { listFiles } from './list-files';
import { reportMeasurement, startClock } from './measurement';

const dir = process.argv[2];
const keep = process.argv.includes('--keep');
const kept: unknown[] = [];
const started = startClock();
let documents = 0;
let bytes = 0;
for (const file of listFiles(dir)) {
  const text = readFileSync(file, 'utf8');
  bytes += text.length;
  if (file.endsWith('.json')) {
    const value: unknown = JSON.parse(text);
    if (keep) kept.push(value);
    documents += Array.isArray(value) ? value.length : 1;
  } else if (/\.ya?ml$/.test(file)) {
    const parsed = yaml.loadAll(text);
    if (keep) kept.push(parsed);
    documents += parsed.length;
  }
}
reportMeasurement(started, { documents, bytes, kept: kept.length });
