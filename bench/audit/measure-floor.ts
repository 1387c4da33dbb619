/**
 * The floor: the least any audit of the fleet must do. Reads every file and parses it with
 * the fastest parsers on npm (js-yaml `loadAll`, `JSON.parse`), choosing by file extension,
 * and nothing else. Run in a fresh process: `measure-floor.ts <fleet dir> [--keep]`.
 *
 * YAML files are parsed in pieces of about 64 KB cut at `---` lines, as the audit's collector
 * does: one js-yaml call over a large file keeps its whole event stream alive across young
 * collections, and the pieces make the floor itself faster (by about 5 %) and smaller, so the
 * floor stays the fastest way to parse these files.
 *
 * `--keep` holds every parsed document until the end instead of dropping each file's: the least
 * an audit that relates resources across files (a DestinationRule here, its workloads there)
 * must do. Reported beside the floor, for context; the target is against the floor itself.
 */
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { listFiles } from './list-files';
import { GcPauses, reportMeasurement, startClock } from './measurement';

/** The size of one js-yaml call's text; the cut is at the next `---` line. */
const PIECE_CHARS = 64 * 1024;

function loadAllInPieces(text: string, onDocument: (doc: unknown) => void): void {
  for (let start = 0; start < text.length; ) {
    let end = text.length;
    for (let at = text.indexOf('\n---', start + PIECE_CHARS); at >= 0 && start + PIECE_CHARS < text.length; at = text.indexOf('\n---', at + 4)) {
      const next = text.charCodeAt(at + 4);
      // `---` alone or followed by a space: a separator; `----` or `---x` is not.
      if (Number.isNaN(next) || next === 10 || next === 13 || next === 32 || next === 9) {
        end = at + 1;
        break;
      }
    }
    yaml.loadAll(text.slice(start, end), onDocument);
    start = end;
  }
}

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
