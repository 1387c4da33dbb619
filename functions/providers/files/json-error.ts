/**
 * Where JSON.parse gave up, and why, in words without V8's quoted snippet of the file (which
 * holds raw newlines and breaks a table row). V8 names the offset only for some errors
 * ("at position N"), so the offset comes from a scan that follows RFC 8259 and stops at the
 * first character it cannot take. It runs only on text JSON.parse has already rejected.
 */
import { jsonSpaceEnd } from './json-path';

export interface JsonError {
  /** Offset of the offending character; the text's length at an unexpected end. */
  offset: number;
  message: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** Thrown inside the scan at the first character JSON does not allow there. */
class Stop {
  constructor(
    readonly offset: number,
    /** What JSON allows there, when it is one thing a person would type by hand. */
    readonly expected?: string,
  ) {}
}

export function locateJsonError(text: string): JsonError {
  const scanned = scanJsonValue(text, 0);
  if ('message' in scanned) return scanned;
  const end = jsonSpaceEnd(text, scanned.end);
  if (end < text.length) return { offset: end, message: describeAt(text, end) };
  return { offset: text.length, message: 'unexpected end of input' };
}

/**
 * Where the JSON value that starts at `from` (after any whitespace) ends, or where and why it is
 * not one. A file that holds several values one after another (`jq '.items[]'`, describe output
 * appended with `>>`) is read value by value with it.
 */
export function scanJsonValue(text: string, from: number): { end: number } | JsonError {
  let i = from;
  const stop = (expected?: string): never => {
    throw new Stop(i, expected);
  };
  const skipSpace = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      i++;
    }
  };
  const expect = (char: string, expected: string): void => {
    if (text[i] !== char) stop(expected);
    i++;
  };
  const string = (): void => {
    // value() only calls this at a quote, so a missing one is always a key's (`{"a": 1,}`).
    expect('"', 'a key in double quotes');
    for (;;) {
      if (i >= text.length) stop();
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) stop();
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) {
            i += 1;
            stop();
          }
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          i += 1;
          stop();
        }
        i += 2;
        continue;
      }
      i++;
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        string();
        skipSpace();
        expect(':', "':' after the key");
        value();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}', "',' or '}' after the value");
        return;
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']', "',' or ']' after the value");
        return;
      }
    }
    if (c === '"') return string();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    stop('a value');
  };

  try {
    value();
  } catch (err) {
    if (err instanceof Stop) return { offset: err.offset, message: describeAt(text, err.offset, err.expected) };
    // Nesting deeper than the stack: no place to name.
    if (err instanceof RangeError) return { offset: from, message: 'nesting too deep to read' };
    throw err;
  }
  return { end: i };
}

function describeAt(text: string, offset: number, expected?: string): string {
  const wanted = expected ? `, expected ${expected}` : '';
  if (offset >= text.length) return `unexpected end of input${wanted}`;
  const c = text[offset]!;
  const shown = /[\x00-\x1f]/.test(c) ? `control character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
  return `unexpected ${shown}${wanted}`;
}
