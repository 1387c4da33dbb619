import type { DestinationRuleIndex } from './destinationRuleIndex';
import { firstFreeName } from './freeNames';

/**
 * Names for the DestinationRules that fixes create: `<base>`, else the first of `<base>-2`,
 * `<base>-3`, … that no rule of the namespace takes. A create under a taken name fails (409
 * Conflict), and every later audit would plan the same create again. One host keeps one name,
 * however many records (one per control plane) ask for it.
 */
export class FreeRuleNames {
  /** Per namespace: the names rules take, and those handed out here. */
  private readonly taken = new Map<string, Set<string>>();
  private readonly byHost = new Map<string, string>();

  constructor(private readonly rules: Pick<DestinationRuleIndex, 'ruleNamesIn'>) {}

  nameFor(namespace: string, host: string, base: string): string {
    const key = `${namespace}/${host}`;
    const known = this.byHost.get(key);
    if (known !== undefined) return known;
    let taken = this.taken.get(namespace);
    if (!taken) this.taken.set(namespace, (taken = new Set(this.rules.ruleNamesIn(namespace))));
    const name = firstFreeName(base, taken);
    taken.add(name);
    this.byHost.set(key, name);
    return name;
  }
}
