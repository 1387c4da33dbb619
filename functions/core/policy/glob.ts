/**
 * Globs on names, as fnmatch (and Cloud Custodian's `glob` op) read them: `*` matches any run of
 * characters, `/` included, `?` one character, and `[...]` one character of a class (`[a-z0-9]`),
 * negated by a leading `!` or `^`. A `]` right after the opening `[` (or `[!`) belongs to the
 * class; a `[` with no closing `]` is a literal `[`. Everything else is literal.
 */

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    re = new RegExp(`^${globBody(glob)}$`, 'u');
    cache.set(glob, re);
  }
  return re;
}

/** The character classes of a glob, as written (`[a-z]`), for checks on what they can match. */
export function globClasses(glob: string): { members: string; negated: boolean }[] {
  const classes: { members: string; negated: boolean }[] = [];
  walk(glob, (token) => {
    if (token.kind === 'class') classes.push({ members: token.members, negated: token.negated });
  });
  return classes;
}

/** The glob without its classes, for checks on its literal characters. */
export function globOutsideClasses(glob: string): string {
  let out = '';
  walk(glob, (token) => {
    if (token.kind === 'char') out += token.char;
  });
  return out;
}

type Token = { kind: 'char'; char: string } | { kind: 'class'; members: string; negated: boolean };

function globBody(glob: string): string {
  let body = '';
  walk(glob, (token) => {
    if (token.kind === 'class') body += classPattern(token.members, token.negated);
    else if (token.char === '*') body += '.*';
    else if (token.char === '?') body += '.';
    else body += escapeLiteral(token.char);
  });
  return body;
}

function walk(glob: string, visit: (token: Token) => void): void {
  const chars = [...glob];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '[') {
      const end = classEnd(chars, i);
      if (end !== undefined) {
        const negated = chars[i + 1] === '!' || chars[i + 1] === '^';
        visit({ kind: 'class', members: chars.slice(i + (negated ? 2 : 1), end).join(''), negated });
        i = end;
        continue;
      }
    }
    visit({ kind: 'char', char: chars[i] });
  }
}

/** The index of the `]` that closes the class opened at `start`; a first member `]` is a member. */
function classEnd(chars: string[], start: number): number | undefined {
  let i = start + 1;
  if (chars[i] === '!' || chars[i] === '^') i++;
  if (chars[i] === ']') i++;
  for (; i < chars.length; i++) if (chars[i] === ']') return i;
  return undefined;
}

/** Inside a class only `\`, `]`, `[` and a leading `^` mean something to RegExp; `-` keeps its range meaning. */
function classPattern(members: string, negated: boolean): string {
  const escaped = members.replace(/[\\\][^]/g, '\\$&');
  return `[${negated ? '^' : ''}${escaped}]`;
}

function escapeLiteral(char: string): string {
  return /[.+^${}()|[\]\\*?/]/.test(char) ? `\\${char}` : char;
}
