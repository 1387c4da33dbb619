/** What a cut text ends in. */
export const ELLIPSIS = '…';

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Cuts text to `max` characters, ending in an ellipsis when cut; never between the halves of a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/** The most characters of a value a message quotes: enough to know it by, where a value can be megabytes long. */
export const QUOTED_VALUE_MAX = 200;

/** Thrown inside the writers below once the text is longer than the message will show. */
const FULL = Symbol('full');

/**
 * A value as JSON.stringify writes it, for a message: cut to `max` characters (ending in an
 * ellipsis), and only that much of the value is read, so a value that is huge, shares nodes
 * through YAML aliases, nests too deep for JSON.stringify or holds itself is quoted in as little
 * time as a small one. Never throws.
 */
export function quoteValue(value: unknown, max = QUOTED_VALUE_MAX): string {
  let text = '';
  const put = (piece: string): void => {
    text += piece;
    if (text.length > max) throw FULL;
  };
  // JSON.stringify's output, without undefined where it writes nothing (a member that is undefined).
  const write = (v: unknown, inList: boolean): boolean => {
    if (typeof v === 'string') put(JSON.stringify(v.length > max ? v.slice(0, max + 1) : v));
    else if (typeof v === 'number') put(Number.isFinite(v) ? String(v) : 'null');
    else if (typeof v === 'boolean' || v === null) put(String(v));
    else if (typeof v === 'bigint') put(String(v));
    else if (typeof v !== 'object') {
      if (!inList) return false;
      put('null');
    } else if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return write((v as { toJSON(): unknown }).toJSON(), inList);
    else if (Array.isArray(v)) {
      put('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) put(',');
        write(v[i], true);
      }
      put(']');
    } else {
      put('{');
      let first = true;
      for (const key of Object.keys(v)) {
        const before = text;
        put(`${first ? '' : ','}${JSON.stringify(key.length > max ? key.slice(0, max + 1) : key)}:`);
        if (write((v as Record<string, unknown>)[key], false)) first = false;
        else text = before;
      }
      put('}');
    }
    return true;
  };
  try {
    if (!write(value, false)) return 'undefined';
  } catch (err) {
    if (err !== FULL) return `${truncate(text, max - ELLIPSIS.length)}${ELLIPSIS}`;
  }
  return truncate(text, max);
}

/**
 * A value as String() spells it (a list joined with commas, a map as `[object Object]`), cut to
 * `max` characters like quoteValue, and as cheaply. Never throws.
 */
export function spellValue(value: unknown, max = QUOTED_VALUE_MAX): string {
  if (!Array.isArray(value)) {
    try {
      return truncate(String(value), max);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  let text = '';
  const put = (piece: string): void => {
    text += piece;
    if (text.length > max) throw FULL;
  };
  const write = (list: unknown[]): void => {
    for (let i = 0; i < list.length; i++) {
      if (i > 0) put(',');
      const item = list[i];
      if (Array.isArray(item)) write(item);
      else if (item !== null && item !== undefined) put(spellValue(item, max));
    }
  };
  try {
    write(value);
  } catch (err) {
    if (err !== FULL) return `${truncate(text, max - ELLIPSIS.length)}${ELLIPSIS}`;
  }
  return truncate(text, max);
}
