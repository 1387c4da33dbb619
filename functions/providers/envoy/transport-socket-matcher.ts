/**
 * Cluster `transport_socket_matcher` (an `xds.type.matcher.v3.Matcher`, Envoy 1.37+). When it is
 * set, source/common/upstream/transport_socket_match_impl.cc (setupTransportSocketMatcher,
 * resolveUsingMatcher) ignores every entry's `match` labels: the tree's
 * TransportSocketNameAction picks an entry of `transport_socket_matches` by `name`, and no match,
 * or a name that is not an entry, falls back to the cluster's `transport_socket`.
 *
 * meshgov does not evaluate the tree's inputs (endpoint or locality metadata, filter state), so
 * it reads only which entries the tree can name and whether the fallback stays reachable.
 */
import { field, isProtoObject, listField, messageField, stringField, typeUrlOf, type ProtoObject } from './proto-fields';
import { fullNameOf, TRANSPORT_SOCKET_NAME_ACTION } from './type-urls';

export interface MatcherTargets {
  /** The entry names the tree's actions select, in the order they appear. */
  names: string[];
  /** Whether some input reaches the cluster's own transport_socket. */
  fallbackReachable: boolean;
}

/** The entries a matcher tree can select, given the entry names that exist. */
export function matcherTargets(matcher: ProtoObject, entryNames: ReadonlySet<string>): MatcherTargets {
  const names: string[] = [];
  const covered = walk(matcher, entryNames, names, 0);
  return { names, fallbackReachable: !covered };
}

const MAX_DEPTH = 16;

/**
 * Collects the action names of one matcher level and its nested matchers. Returns true when
 * every input certainly ends at an existing entry: an `on_no_match` that does, and every
 * `on_match` that does as well (an action naming an entry, or a nested matcher so covered).
 */
function walk(matcher: ProtoObject, entries: ReadonlySet<string>, out: string[], depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const branches = onMatchesOf(matcher);
  let covered = true;
  for (const onMatch of branches) if (!walkOnMatch(onMatch, entries, out, depth)) covered = false;
  const onNoMatch = messageField(matcher, 'on_no_match');
  const fallbackCovered = onNoMatch !== undefined && walkOnMatch(onNoMatch, entries, out, depth);
  return covered && fallbackCovered;
}

/** The `on_match` of every `matcher_list` entry and of every `matcher_tree` map value. */
function onMatchesOf(matcher: ProtoObject): ProtoObject[] {
  const out: ProtoObject[] = [];
  for (const fieldMatcher of listField(messageField(matcher, 'matcher_list'), 'matchers')) {
    const onMatch = messageField(fieldMatcher, 'on_match');
    if (onMatch) out.push(onMatch);
  }
  const tree = messageField(matcher, 'matcher_tree');
  for (const mapName of ['exact_match_map', 'prefix_match_map']) {
    const map = messageField(messageField(tree, mapName), 'map');
    for (const value of Object.values(map ?? {})) if (isProtoObject(value)) out.push(value);
  }
  return out;
}

/** One `OnMatch`: an action (recorded) or a nested matcher (walked). */
function walkOnMatch(onMatch: ProtoObject, entries: ReadonlySet<string>, out: string[], depth: number): boolean {
  const nested = messageField(onMatch, 'matcher');
  if (nested) return walk(nested, entries, out, depth + 1);
  const actionName = nameOfAction(field(onMatch, 'action'));
  if (actionName === undefined) return false;
  if (!out.includes(actionName)) out.push(actionName);
  return entries.has(actionName);
}

/** The entry name of a TransportSocketNameAction (by @type, or by a TypedStruct's type_url). */
function nameOfAction(action: unknown): string | undefined {
  const typed = field(action, 'typed_config');
  const typeUrl = typeUrlOf(typed);
  if (typeUrl === undefined) return undefined;
  if (fullNameOf(typeUrl) === fullNameOf(TRANSPORT_SOCKET_NAME_ACTION)) return stringField(typed, 'name');
  if (fullNameOf(stringField(typed, 'type_url') ?? '') === fullNameOf(TRANSPORT_SOCKET_NAME_ACTION)) return stringField(field(typed, 'value'), 'name');
  return undefined;
}
