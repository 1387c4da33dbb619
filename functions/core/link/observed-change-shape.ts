import { isLooseRecord as isRecord } from '../is-record';
import { OBSERVED_ISTIO_KINDS, OBSERVED_ISTIO_VERBS, type ObservedIstioChange } from './messages';

/**
 * Checks the `observedChange` of an agent report before the hub records it: the agent is
 * trusted to be who it says (the signature), not to be free of bugs. A problem names the field.
 */
export function checkObservedChange(value: unknown): { field: string; message: string } | undefined {
  const at = (field: string) => `observedChange.${field}`;
  if (!isRecord(value)) return { field: 'observedChange', message: 'not an object' };
  const c = value as Partial<ObservedIstioChange> & Record<string, unknown>;
  for (const field of ['id', 'kind', 'apiVersion', 'namespace', 'name', 'at'] as const) {
    if (typeof c[field] !== 'string' || c[field] === '') return { field: at(field), message: 'missing or not a string' };
  }
  if (!/^chg-[A-Za-z0-9._:-]{1,120}$/.test(c.id!)) return { field: at('id'), message: 'must be chg- followed by letters, digits, dots, colons, dashes or underscores' };
  if (!(OBSERVED_ISTIO_VERBS as readonly unknown[]).includes(c.verb)) return { field: at('verb'), message: `must be ${oneOf(OBSERVED_ISTIO_VERBS)}` };
  if (!(OBSERVED_ISTIO_KINDS as readonly unknown[]).includes(c.kind)) return { field: at('kind'), message: `must be ${oneOf(OBSERVED_ISTIO_KINDS)}` };
  if (Number.isNaN(Date.parse(c.at!))) return { field: at('at'), message: 'not a date' };
  if (c.actor !== undefined && typeof c.actor !== 'string') return { field: at('actor'), message: 'not a string' };
  if (!Array.isArray(c.services) || !c.services.every((s) => typeof s === 'string' && s.startsWith('istio:'))) return { field: at('services'), message: 'must be a list of istio:<namespace>/<service> keys' };
  for (const field of ['object', 'deleted'] as const) {
    const object = c[field];
    if (object === undefined || (field === 'object' && object === null)) continue;
    if (!isRecord(object) || !isRecord(object.metadata) || !isRecord(object.spec) || object.kind !== c.kind || object.metadata.name !== c.name || object.metadata.namespace !== c.namespace) {
      return { field: at(field), message: `must be the ${c.kind} ${c.namespace}/${c.name} with metadata and spec` };
    }
  }
  return undefined;
}

/** `a, b or c`. */
function oneOf(words: readonly string[]): string {
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}
