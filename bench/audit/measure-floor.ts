/**
 * The floor: the least any audit of the fleet must do. Reads every file and parses it with
 * the fastest parsers on npm (js-yaml `loadAll`, `JSON.parse`), choosing by file extension,
 * and nothing else. Run in a fresh process: `measure-floor.ts <fleet dir> [--keep]`.
 *
 * YAML files are parsed in pieces of about 64 KB cut at `---` lines (load-in-pieces.ts), the
 * fastest way to parse these files.
 *
 * `--keep` holds every parsed document until the end instead of dropping each file's: the least
 * an audit that relates resources across files (a DestinationRule here, its workloads there)
 * must do. Reported beside the floor, for context; the target is against the floor itself.
 */
import { readFileSync } from 'node:fs';
import { listFiles } from './list-files';
import { loadAllInPieces } from './load-in-pieces';
import { GcPauses, reportMeasurement, startClock } from './measurement';

const dir = process.argv[2];
const keep = process.argv.includes('--keep');
const kept: unknown[] = [];
const gc = new GcPauses();
const from = gc.mark();
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
    const parsed: unknown[] = [];
    loadAllInPieces(text, (doc) => parsed.push(doc));
    if (keep) kept.push(parsed);
    documents += parsed.length;
  }
}
const ended = startClock();
const to = gc.mark();
void gc.settled().then(() => reportMeasurement(started, { documents, bytes, kept: kept.length, gcMs: gc.between(from, to) }, ended));
