/**
 * Following a path (`staticResources.listeners[1].address`) through JSON text, for the offsets
 * JSON.parse does not give: of each step's key or element, and of the elements of the array the
 * path ends at. One pass from the starting value, with strings skipped by indexOf.
 */
import { forwardLineCounter } from './text-lines';
import { keySegments, type PathSegment } from './field-path';

/**
 * For a JSON text whose top level is an array, the 1-based line where each element starts.
 * JSON.parse gives no positions, and describe-* arrays need one line per item. When the caller
 * knows how many elements the array has, indented output (`aws … --output json`, `jq`,
 * JSON.stringify with a space) is read by its layout first; anything else, or a layout that does
 * not account for every element, goes through `jsonArrayLinesAt`.
 */
export function jsonArrayElementLines(text: string, elementCount?: number): number[] {
  if (elementCount !== undefined) {
    const lines = indentedElementLines(text, elementCount);
    if (lines) return lines;
  }
  return jsonArrayLinesAt(text, []);
}

/**
 * Indented output puts each element of the top-level array on a line of its own, at the first
 * element's indentation, with everything nested deeper; a JSON string holds no raw newline.
 * So the element starts are the lines that begin with exactly that indentation and the first
 * element's opening bracket, found with indexOf. Undefined unless they number `elementCount`.
 */
function indentedElementLines(text: string, elementCount: number): number[] | undefined {
  const open = text.indexOf('[');
  if (open < 0) return undefined;
  const first = jsonSpaceEnd(text, open + 1);
  if (text.charCodeAt(first) === 93 /* ] */) return elementCount === 0 ? [] : undefined;
  const opener = text[first];
  if (opener !== '{' && opener !== '[') return undefined;
  const lineStart = text.lastIndexOf('\n', first) + 1;
  for (let i = lineStart; i < first; i++) if (text.charCodeAt(i) !== 32) return undefined;
  const marker = `\n${' '.repeat(first - lineStart)}${opener}`;
  const starts = [first];
  for (let at = text.indexOf(marker, first); at >= 0; at = text.indexOf(marker, at + marker.length)) {
    if (starts.length === elementCount) return undefined;
    starts.push(at + marker.length - 1);
  }
  if (starts.length !== elementCount) return undefined;
  return starts.map(forwardLineCounter(text));
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** The index of the first character at or after `from` that is not JSON whitespace. */
export function jsonSpaceEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * For a JSON text, the 1-based line where each element of the array at `path` starts (object
 * keys from the top: `['staticResources', 'listeners']`, or `[]` for a top-level array); []
 * when no array is there. Strings are skipped with indexOf and newlines are counted only up to
 * each element, so the cost stays close to one native pass over the text.
 */
export function jsonArrayLinesAt(text: string, path: readonly PathSegment[]): number[] {
  return followJsonPath(text, jsonSpaceEnd(text, 0), path).elements?.map(forwardLineCounter(text)) ?? [];
}

export interface JsonWalk {
  /** The offset of each step's key (or element) reached, in order. */
  steps: number[];
  /** When the whole path was followed to an array: the offset of each of its elements. */
  elements?: number[];
}

/** One open object or array. */
interface Frame {
  object: boolean;
  /** The path step its keys or elements are matched against; -1 when it is off the path. */
  step: number;
  /** Objects: whether the next string is a key. */
  expectKey: boolean;
  /** Arrays: the index of the current element. */
  element: number;
  /** Path steps taken by the member or element just matched, until its value opens; 0 when none. */
  taken: number;
}

/**
 * Follows `path` from the object or array that starts at `start`. The walk goes only deeper:
 * it ends when a step is not found, when a step's value is not a container, or when the array
 * the path ends at closes.
 */
export function followJsonPath(text: string, start: number, path: readonly PathSegment[]): JsonWalk {
  const steps: number[] = [];
  let elements: number[] | undefined;
  const frames: Frame[] = [];
  const elementAt = (frame: Frame, from: number) => {
    const at = jsonSpaceEnd(text, from);
    if (at >= text.length || text.charCodeAt(at) === 93) return;
    if (frame.step === path.length) elements?.push(at);
    else if (frame.step >= 0 && path[frame.step] === frame.element) {
      steps.push(at);
      frame.taken = 1;
    }
  };
  const structural = /["[\]{},]/g;
  structural.lastIndex = start;
  let m: RegExpExecArray | null;
  while ((m = structural.exec(text)) !== null) {
    const i = m.index;
    const c = text.charCodeAt(i);
    const top = frames[frames.length - 1];
    if (c === 91 || c === 123) {
      // The start, or the value of the member or element just matched, is on the path.
      const step = top === undefined ? 0 : top.taken > 0 ? top.step + top.taken : -1;
      if (top !== undefined && top.taken > 0) top.taken = 0;
      const frame: Frame = { object: c === 123, step, expectKey: c === 123, element: 0, taken: 0 };
      frames.push(frame);
      if (c === 91) {
        if (step === path.length) elements = [];
        elementAt(frame, i + 1);
      }
    } else if (top === undefined || top.taken > 0) {
      // The start is not a container, or a step's value is not one.
      break;
    } else if (c === 34) {
      const end = jsonStringEnd(text, i + 1);
      if (top.object && top.expectKey) {
        top.expectKey = false;
        if (top.step >= 0 && top.step < path.length) {
          const taken = keySegments(JSON.parse(text.slice(i, end)) as string, path, top.step);
          if (taken > 0) {
            steps.push(i);
            top.taken = taken;
          }
        }
      }
      structural.lastIndex = end;
    } else if (c === 93 || c === 125) {
      if (frames.pop()!.step >= 0) break;
    } else if (top.object) {
      top.expectKey = true;
    } else {
      top.element++;
      elementAt(top, i + 1);
    }
  }
  return elements !== undefined ? { steps, elements } : { steps };
}

/** The index just past the closing quote of a JSON string whose body starts at `from`. */
export function jsonStringEnd(text: string, from: number): number {
  let i = text.indexOf('"', from);
  while (i !== -1) {
    let backslashes = 0;
    for (let j = i - 1; j >= from && text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return i + 1;
    i = text.indexOf('"', i + 1);
  }
  return text.length;
}

/**
 * The offset of the first bracket at or after `from` that opens a level of nesting past `max`,
 * in JSON text whose strings are whole (JSON.parse has taken it); -1 when none does.
 */
export function jsonNestingBeyond(text: string, max: number, from = 0): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) i = jsonStringEnd(text, i + 1) - 1;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return -1;
}
