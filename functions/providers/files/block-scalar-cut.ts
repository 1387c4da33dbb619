/** A YAML block scalar header at a line's end (`tls.crt: |`, `data: >-`): the lines after it are meant as its value. */
export const BLOCK_SCALAR_HEADER = /:[ \t]*[|>][-+0-9]*[ \t]*(?:#.*)?$/;
/** A line YAML reads as a mapping key, a sequence entry or a comment: not a stray line of text. */
const STRUCTURE = /^(?:-(?:[ \t]|$)|#|[^\s#][^:]*:(?:[ \t]|$))/;

export interface BlockScalarCut {
  /** 0-based index of the line that ends the block too early. */
  line: number;
  /** 0-based index of the block's header line. */
  header: number;
  key: string;
}

/**
 * The line that cut a block scalar short before `errorLine`: less indented than the block's first
 * line, and not itself a key, a list entry or a comment. A PEM pasted under `tls.crt: |` with one line
 * dedented ends the block there; js-yaml then reads that line as the start of a multi-line key and
 * fails only at the next `key:`, many lines later. Undefined when no such line is found.
 */
export function blockScalarCutShort(lines: readonly string[], errorLine: number): BlockScalarCut | undefined {
  let found: BlockScalarCut | undefined;
  for (let h = 0; h < Math.min(errorLine, lines.length); h++) {
    const header = lines[h]!;
    if (!BLOCK_SCALAR_HEADER.test(header)) continue;
    let contentIndent: number | undefined;
    for (let i = h + 1; i < Math.min(errorLine, lines.length); i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      const indent = indentOf(line);
      contentIndent ??= indent;
      if (indent >= contentIndent) continue;
      if (!STRUCTURE.test(line.trimStart())) found = { line: i, header: h, key: header.trim().replace(/:.*$/, '') };
      break;
    }
  }
  return found;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}
