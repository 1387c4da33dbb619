/**
 * The `labelSelector` query parameter, parsed and matched as k8s.io/apimachinery/pkg/labels
 * does: comma-separated requirements, all of which must hold.
 *   equality:  app=checkout, app==checkout, version!=v2   (!= also matches objects without the key)
 *   set:       env in (prod,staging), tier notin (cache), canary, !canary
 *   numeric:   replicas>2, replicas<5
 */

type Operator = 'equals' | 'notEquals' | 'in' | 'notIn' | 'exists' | 'doesNotExist' | 'greaterThan' | 'lessThan';

export interface LabelRequirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type LabelSelector = LabelRequirement[];

/** Thrown for a selector the API server would reject with 400 BadRequest. */
export class SelectorParseError extends Error {}

// labels.Parse: a name segment is at most 63 characters, alphanumeric at both ends.
const NAME_SEGMENT = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): void {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (!NAME_SEGMENT.test(name) || (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
    throw new SelectorParseError(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

function checkValue(value: string): void {
  if (value !== '' && !NAME_SEGMENT.test(value)) {
    throw new SelectorParseError(`unable to parse requirement: invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

type Token = { kind: 'identifier'; text: string } | { kind: 'symbol'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (input.startsWith('==', i) || input.startsWith('!=', i)) {
      tokens.push({ kind: 'symbol', text: input.slice(i, i + 2) });
      i += 2;
    } else if ('=!(),<>'.includes(ch)) {
      tokens.push({ kind: 'symbol', text: ch });
      i += 1;
    } else {
      let end = i;
      while (end < input.length && !/[\s=!(),<>]/.test(input[end]!)) end += 1;
      tokens.push({ kind: 'identifier', text: input.slice(i, end) });
      i = end;
    }
  }
  return tokens;
}

/** Parses a selector string; the empty string selects everything. */
export function parseLabelSelector(input: string): LabelSelector {
  const tokens = tokenize(input);
  const requirements: LabelRequirement[] = [];
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const expectIdentifier = (what: string): string => {
    const token = tokens[pos];
    if (token === undefined || token.kind !== 'identifier') {
      throw new SelectorParseError(`unable to parse requirement: found '${token?.text ?? ''}', expected: ${what}`);
    }
    pos += 1;
    return token.text;
  };

  while (pos < tokens.length) {
    let requirement: LabelRequirement;
    if (peek()?.text === '!') {
      pos += 1;
      const key = expectIdentifier('identifier after \'!\'');
      checkKey(key);
      requirement = { key, operator: 'doesNotExist', values: [] };
    } else {
      const key = expectIdentifier('identifier');
      checkKey(key);
      const op = peek();
      if (op === undefined || op.text === ',') {
        requirement = { key, operator: 'exists', values: [] };
      } else if (op.text === '=' || op.text === '==' || op.text === '!=') {
        pos += 1;
        const next = peek();
        // `app=` selects the empty value, as labels.Parse allows.
        const value = next !== undefined && next.kind === 'identifier' ? expectIdentifier('value') : '';
        checkValue(value);
        requirement = { key, operator: op.text === '!=' ? 'notEquals' : 'equals', values: [value] };
      } else if (op.text === '>' || op.text === '<') {
        pos += 1;
        const value = expectIdentifier('integer value');
        if (!/^-?\d+$/.test(value)) throw new SelectorParseError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        requirement = { key, operator: op.text === '>' ? 'greaterThan' : 'lessThan', values: [value] };
      } else if (op.kind === 'identifier' && (op.text === 'in' || op.text === 'notin')) {
        pos += 1;
        if (peek()?.text !== '(') throw new SelectorParseError(`unable to parse requirement: found '${peek()?.text ?? ''}', expected: '('`);
        pos += 1;
        const values: string[] = [];
        while (peek()?.text !== ')') {
          const value = peek()?.kind === 'identifier' ? expectIdentifier('value') : '';
          checkValue(value);
          values.push(value);
          if (peek()?.text === ',') pos += 1;
          else if (peek()?.text !== ')') throw new SelectorParseError(`unable to parse requirement: found '${peek()?.text ?? ''}', expected: ',' or ')'`);
        }
        pos += 1;
        requirement = { key, operator: op.text === 'in' ? 'in' : 'notIn', values };
      } else {
        throw new SelectorParseError(`unable to parse requirement: found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    requirements.push(requirement);
    const separator = peek();
    if (separator !== undefined) {
      if (separator.text !== ',') throw new SelectorParseError(`unable to parse requirement: found '${separator.text}', expected: ','`);
      pos += 1;
    }
  }
  return requirements;
}

function holds(requirement: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'equals':
    case 'in':
      return has && requirement.values.includes(value!);
    case 'notEquals':
    case 'notIn':
      return !has || !requirement.values.includes(value!);
    case 'exists':
      return has;
    case 'doesNotExist':
      return !has;
    case 'greaterThan':
    case 'lessThan': {
      if (!has || !/^-?\d+$/.test(value!)) return false;
      const actual = Number(value);
      const bound = Number(requirement.values[0]);
      return requirement.operator === 'greaterThan' ? actual > bound : actual < bound;
    }
  }
}

/** True when every requirement holds for these labels. */
export function matchesLabelSelector(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return selector.every((requirement) => holds(requirement, labels ?? {}));
}
