/**
 * Limits on a parsed document that the parsers leave to their callers. Everything after parsing
 * (classifying, the providers, messages that quote a value, comparing copies) walks documents
 * recursively, so a document is refused, as a problem at its line, when walking it would not end
 * or would overflow the stack.
 */

/** The deepest nesting read, as js-yaml's `maxDepth` default refuses YAML nested deeper. */
export const MAX_NESTING = 100;

/**
 * Whether a value (a JSON.parse result: no value appears twice) nests collections deeper than
 * `max` levels. Stops at the first level past `max`, so it never recurses deeper than that: a
 * walk of the parsed value, which costs a few milliseconds for the 8.5 MB of App Mesh exports in
 * the 10k-workload bench fleet, against about four times that for a scan of the text.
 */
export function nestedDeeperThan(value: unknown, max = MAX_NESTING): boolean {
  return value !== null && typeof value === 'object' && deeper(value as object, 1, max);
}

function deeper(node: object, level: number, max: number): boolean {
  if (level > max) return true;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item: unknown = node[i];
      if (item !== null && typeof item === 'object' && deeper(item, level + 1, max)) return true;
    }
    return false;
  }
  for (const key in node) {
    const item: unknown = (node as Record<string, unknown>)[key];
    if (item !== null && typeof item === 'object' && deeper(item, level + 1, max)) return true;
  }
  return false;
}

/**
 * A YAML alias (`*name`) where YAML allows one: at a node's start, after white space or `[`, `{`,
 * `,` or (in a flow mapping, after a quoted key) `:`, followed by a character of a name. A text
 * without one has no alias, and its value shares no node; one with it (also a quoted cron
 * schedule, whose last star passes for one) is measured.
 */
const ALIAS = /(?:^|[\s[{,:])\*[^\s[\]{},]/;

/** Whether a YAML text may hold an alias: one indexOf for the texts that hold no star, which is nearly all. */
export function mayHaveAliases(text: string): boolean {
  return text.indexOf('*') >= 0 && ALIAS.test(text);
}

/*
 * go-yaml's rule against alias bombs (CVE-2019-11253, kubernetes/kubernetes#83253), which
 * kubectl and the API server apply: a document may have 99% of its nodes come from aliases up to
 * 400,000 nodes, a share that falls to 10% at 4,000,000; documents of up to 1,000 nodes, or with
 * up to 100 nodes from aliases, always pass.
 */
const RATIO_RANGE_LOW = 400_000;
const RATIO_RANGE_HIGH = 4_000_000;

function allowedAliasRatio(nodes: number): number {
  if (nodes <= RATIO_RANGE_LOW) return 0.99;
  if (nodes >= RATIO_RANGE_HIGH) return 0.1;
  return 0.99 - 0.89 * ((nodes - RATIO_RANGE_LOW) / (RATIO_RANGE_HIGH - RATIO_RANGE_LOW));
}

/** Counts stop growing here: past it a document is refused whatever it holds, and a sum of 9^100 stays a readable number. */
const COUNT_CEILING = 1e12;

/**
 * Why a YAML document whose aliases make nodes shared cannot be read, or undefined when it can.
 * js-yaml gives every alias of an anchor the anchor's own object, so nine anchors of nine aliases
 * each ("billion laughs") parse in milliseconds into 120 objects; but anything that walks the
 * value (a message quoting it, a comparison of two copies) walks each alias in full, 3.4 billion
 * nodes. Refused, as kubectl refuses them ("yaml: document contains excessive aliasing"): a
 * document whose aliases expand it past go-yaml's ratio, one whose alias stands inside the
 * anchor's own node (js-yaml makes a cycle, go-yaml says "anchor 'a' value contains itself"),
 * and one whose aliases nest it deeper than MAX_NESTING (js-yaml's maxDepth does not count them).
 *
 * The count is memoised by object: each shared node is walked once, and the walk never goes
 * deeper than MAX_NESTING levels. Nodes are counted as go-yaml decodes them: each collection,
 * key and scalar, the nodes an alias stands for at every alias.
 */
export function aliasProblem(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const measured = new Map<object, Measure>();
  let written = 0;
  const visit = (node: object, level: number): Measure => {
    const known = measured.get(node);
    if (known !== undefined) {
      if (known.nodes < 0) throw RECURSIVE;
      if (level + known.height - 1 > MAX_NESTING) throw TOO_DEEP;
      return known;
    }
    if (level > MAX_NESTING) throw TOO_DEEP;
    const measure: Measure = { nodes: -1, height: 1 };
    measured.set(node, measure);
    let nodes = 1;
    written++;
    const add = (item: unknown) => {
      if (item !== null && typeof item === 'object') {
        const inner = visit(item, level + 1);
        nodes += inner.nodes;
        if (inner.height + 1 > measure.height) measure.height = inner.height + 1;
      } else {
        nodes++;
        written++;
      }
    };
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) add(node[i]);
    } else {
      for (const key in node) {
        nodes++;
        written++;
        add((node as Record<string, unknown>)[key]);
      }
    }
    measure.nodes = Math.min(nodes, COUNT_CEILING);
    return measure;
  };
  let nodes: number;
  try {
    nodes = visit(body, 1).nodes;
  } catch (err) {
    if (err === RECURSIVE) return 'an alias stands inside the node of its own anchor, which would repeat it without end';
    if (err === TOO_DEEP) return `nesting exceeded maxDepth (${MAX_NESTING}) once aliases are expanded`;
    throw err;
  }
  const fromAliases = nodes - written;
  if (fromAliases <= 100 || nodes <= 1000 || fromAliases / nodes <= allowedAliasRatio(nodes)) return undefined;
  const expanded = nodes >= COUNT_CEILING ? `over ${COUNT_CEILING.toLocaleString('en-US')}` : nodes.toLocaleString('en-US');
  return `document contains excessive aliasing: its aliases expand ${written.toLocaleString('en-US')} nodes to ${expanded}, as kubectl refuses it`;
}

interface Measure {
  /** The nodes the value stands for with its aliases expanded; -1 while it is being measured. */
  nodes: number;
  /** Its levels of nesting, itself included. */
  height: number;
}

const RECURSIVE = Symbol('recursive alias');
const TOO_DEEP = Symbol('too deep');
