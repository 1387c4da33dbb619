/**
 * The actions under which the hub records Istio changes it observed but did not make (a
 * person's `kubectl patch`, a GitOps tool's update, seen in the GKE audit log):
 * `istio.destinationrule.update`, `istio.peerauthentication.patch`, … Their Undo
 * (`<action>.undo`) restores the recorded previous spec (restore-observed-change.ts), for
 * updates and patches only. meshgov's own fixes have other names (`istio.peerauthentication.set-strict`).
 */
import { OBSERVED_ISTIO_VERBS, type ObservedIstioKind, type ObservedIstioVerb } from '../../../core/link/messages';

export type { ObservedIstioVerb };

/** The action segment that names each observed kind. */
const SEGMENT_OF_KIND: Record<ObservedIstioKind, string> = {
  PeerAuthentication: 'peerauthentication',
  DestinationRule: 'destinationrule',
  ServiceEntry: 'serviceentry',
};

const KIND_OF_SEGMENT = new Map(Object.entries(SEGMENT_OF_KIND).map(([kind, segment]) => [segment, kind]));

const VERBS: ReadonlySet<string> = new Set(OBSERVED_ISTIO_VERBS);

/** @example observedIstioAction('DestinationRule', 'update') // 'istio.destinationrule.update' */
export function observedIstioAction(kind: string, verb: ObservedIstioVerb): string {
  const segment = isObservedKind(kind) ? SEGMENT_OF_KIND[kind] : undefined;
  if (!segment) throw new Error(`${kind} is not an Istio kind whose changes meshgov observes`);
  return `istio.${segment}.${verb}`;
}

/** The kind and verb of an observed-change action; undefined for any other action (meshgov's own fixes included). */
export function parseObservedIstioAction(action: string): { kind: string; verb: ObservedIstioVerb } | undefined {
  const match = /^istio\.([a-z]+)\.([a-z]+)$/.exec(action);
  if (!match) return undefined;
  const kind = KIND_OF_SEGMENT.get(match[1]!);
  return kind && VERBS.has(match[2]!) ? { kind, verb: match[2] as ObservedIstioVerb } : undefined;
}

export function isObservedIstioAction(action: string): boolean {
  return parseObservedIstioAction(action) !== undefined;
}

/** Whether a verb names a change the audit log records for an observed kind (`deletecollection` and `unknown` do not). */
export function isObservedVerb(verb: string): verb is ObservedIstioVerb {
  return VERBS.has(verb);
}

export function isObservedKind(kind: string): kind is ObservedIstioKind {
  return kind in SEGMENT_OF_KIND;
}
