/**
 * A per-namespace lookup that remembers its last answer. Objects of one namespace come one after
 * another (a fleet is written one file per namespace, and readers keep file order), so most
 * lookups become one string comparison instead of a Map lookup that hashes a fresh string. The
 * answer is the same either way; only the cost differs.
 */
export class NamespaceRun<T> {
  private lastNamespace: string | undefined;
  private lastAnswer: T | undefined;

  constructor(private readonly lookup: (namespace: string) => T) {}

  get(namespace: string): T {
    if (this.lastNamespace === undefined || namespace !== this.lastNamespace) {
      this.lastAnswer = this.lookup(namespace);
      this.lastNamespace = namespace;
    }
    return this.lastAnswer as T;
  }
}
