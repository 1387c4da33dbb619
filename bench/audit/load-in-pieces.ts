import * as yaml from 'js-yaml';

/** The size of one js-yaml call's text; the cut is at the next `---` line. */
const PIECE_CHARS = 64 * 1024;

/**
 * js-yaml `loadAll` over a file's text in pieces of about 64 KB cut at `---` lines: one call
 * over a large file keeps its whole event stream alive across young collections, and the pieces
 * make parsing itself faster (by about 5 %) and smaller. The audit's collector cuts 16 KB pieces
 * (parse-documents.ts says why); parsing alone takes the same time with either size (660 and
 * 661 ms at 10k workloads, medians of 6 interleaved runs).
 */
export function loadAllInPieces(text: string, onDocument: (doc: unknown) => void): void {
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
